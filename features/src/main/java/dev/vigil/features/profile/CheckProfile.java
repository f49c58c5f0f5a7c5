package dev.vigil.features.profile;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.Event.CheckDeposit;
import dev.vigil.features.state.CheckState;
import dev.vigil.features.state.Presentment;
import dev.vigil.features.window.Hashing;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A check fingerprint's profile (its MICR line, or its image): the deposits it was presented in,
 * earliest first. A presentment after an earlier one under another deposit id is a duplicate, on
 * the same account or another. The outcome does not depend on the order deposits arrive in.
 */
public final class CheckProfile extends Profile {
  static final int PRESENTMENTS = 8;
  private static final Comparator<Presentment> EARLIEST_FIRST =
      Comparator.comparingLong(Presentment::getMillis)
          .thenComparing(Presentment::getDeposit, Long::compareUnsigned);

  /** Sorted earliest first; the earliest {@link #PRESENTMENTS} are kept. */
  final List<Presentment> presentments = new ArrayList<>();
  long presentmentCount;

  public CheckProfile(ProfileSettings settings) {
    super(settings);
  }

  @Override
  public EntityType type() {
    return EntityType.CHECK;
  }

  /** What a deposit learns from the check's history as of {@code asOf}. */
  public record Duplicates(boolean sameAccount, boolean otherAccount) {
    public static final Duplicates NONE = new Duplicates(false, false);

    public boolean any() {
      return sameAccount || otherAccount;
    }
  }

  /** A deposit that presents this check after an earlier presentment: its account must know. */
  public record DuplicateSignal(String accountId, String depositId, long millis) {}

  /** Earlier presentments (at or before {@code asOf}, under another deposit id) of this check. */
  public Duplicates duplicatesOf(String accountId, String depositId, long asOf) {
    long account = Hashing.of(accountId);
    long deposit = Hashing.of(depositId);
    boolean same = false;
    boolean other = false;
    for (var p : presentments) {
      if (p.getMillis() > asOf) {
        break;
      }
      if (p.getDeposit() == deposit) {
        continue;
      }
      if (p.getAccount() == account) {
        same = true;
      } else {
        other = true;
      }
    }
    return new Duplicates(same, other);
  }

  /**
   * Folds a deposit of this check and returns the deposits that this reveals as duplicates: the
   * new one if an earlier presentment exists, and the formerly first presentment if the new one,
   * arriving late, is earlier still. The cross-entity signals the depositing accounts receive.
   */
  public List<DuplicateSignal> present(Event e) {
    if (!(e.kind() instanceof CheckDeposit d)) {
      throw new IllegalArgumentException("not a check deposit");
    }
    long deposit = Hashing.of(d.depositId());
    for (var p : presentments) {
      if (p.getDeposit() == deposit) {
        fold(e); // a replay or the other fingerprint of a known deposit: nothing new
        return List.of();
      }
    }
    Presentment first = presentments.isEmpty() ? null : presentments.get(0);
    Presentment added = Presentment.newBuilder().setAccount(Hashing.of(e.accountId()))
        .setDeposit(deposit).setMillis(e.timeMillis()).setAccountId(e.accountId())
        .setDepositId(d.depositId()).build();
    if (fold(e) == Fold.BEYOND_HORIZON) {
      return List.of();
    }
    presentmentCount++;
    var signals = new ArrayList<DuplicateSignal>(1);
    if (first == null) {
      presentments.add(added);
      return signals;
    }
    if (EARLIEST_FIRST.compare(added, first) > 0) {
      signals.add(new DuplicateSignal(e.accountId(), d.depositId(), e.timeMillis()));
    } else {
      signals.add(new DuplicateSignal(first.getAccountId(), first.getDepositId(),
          first.getMillis()));
    }
    int at = 0;
    while (at < presentments.size() && EARLIEST_FIRST.compare(presentments.get(at), added) < 0) {
      at++;
    }
    if (at < PRESENTMENTS) {
      presentments.add(at, added);
      if (presentments.size() > PRESENTMENTS) {
        presentments.remove(presentments.size() - 1);
      }
    }
    return signals;
  }

  @Override
  void apply(Event e) {
    // presentments are kept by present(), which knows what a deposit reveals
  }

  CheckState toState() {
    return CheckState.newBuilder().addAllPresentments(presentments)
        .setPresentmentCount(presentmentCount).build();
  }

  static CheckProfile fromState(ProfileSettings settings, CheckState s) {
    var p = new CheckProfile(settings);
    p.presentments.addAll(s.getPresentmentsList());
    p.presentmentCount = s.getPresentmentCount();
    return p;
  }
}
