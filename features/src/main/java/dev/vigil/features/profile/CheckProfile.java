package dev.vigil.features.profile;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.Event.CheckDeposit;
import dev.vigil.features.state.CheckState;
import dev.vigil.features.state.Presentment;
import dev.vigil.features.window.Hashing;
import java.util.ArrayList;
import java.util.List;

/**
 * A check fingerprint's profile (its MICR line, or its image): every deposit it was presented in.
 * A second presentment under another deposit id is a duplicate, on the same account or another.
 */
public final class CheckProfile extends Profile {
  static final int PRESENTMENTS = 8;

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

  /** Earlier presentments (at or before {@code asOf}, under another deposit id) of this check. */
  public Duplicates duplicatesOf(String accountId, String depositId, long asOf) {
    long account = Hashing.of(accountId);
    long deposit = Hashing.of(depositId);
    boolean same = false;
    boolean other = false;
    for (var p : presentments) {
      if (p.getDeposit() == deposit || p.getMillis() > asOf) {
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
   * Folds a deposit of this check and tells whether it was presented before under another deposit
   * id: the cross-entity signal the depositing account's profile must receive.
   */
  public Duplicates present(Event e) {
    if (!(e.kind() instanceof CheckDeposit d)) {
      throw new IllegalArgumentException("not a check deposit");
    }
    Duplicates earlier = duplicatesOf(e.accountId(), d.depositId(), e.timeMillis());
    return fold(e) == Fold.FOLDED ? earlier : Duplicates.NONE;
  }

  @Override
  void apply(Event e) {
    if (!(e.kind() instanceof CheckDeposit d)) {
      return;
    }
    long deposit = Hashing.of(d.depositId());
    for (var p : presentments) {
      if (p.getDeposit() == deposit) {
        return; // the same deposit seen again (another fingerprint of it, or a replay)
      }
    }
    presentmentCount++;
    if (presentments.size() == PRESENTMENTS) {
      presentments.remove(presentments.size() - 1); // keep the first presentments: the originals
    }
    presentments.add(Presentment.newBuilder().setAccount(Hashing.of(e.accountId()))
        .setDeposit(deposit).setMillis(e.timeMillis()).build());
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
