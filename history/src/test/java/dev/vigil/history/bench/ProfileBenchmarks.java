package dev.vigil.history.bench;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.Event.Transaction;
import dev.vigil.features.profile.AccountProfile;
import dev.vigil.features.profile.FeatureCatalogue;
import dev.vigil.features.profile.FeatureInputs;
import dev.vigil.features.profile.ProfileBook;
import dev.vigil.features.profile.ProfileSettings;
import dev.vigil.history.simulator.Simulator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Profile updates per event and feature vectors per query, each beside a baseline measured in the
 * same run:
 *
 * <ul>
 *   <li>{@code update*}: folding one simulated event. Baseline: incrementing a per-account counter
 *       in a HashMap over the same events (the least any per-entity job does).
 *   <li>{@code vector*}: a full feature vector as of a query time from a 100-day profile. Baseline:
 *       the brute-force alternative that keeps the account's raw events and scans them for the
 *       transaction windows alone.
 * </ul>
 *
 * Run: {@code ./vigil bench} (see README).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ProfileBenchmarks {
  static final long DAY = 86_400_000L;
  static final ProfileSettings SETTINGS = ProfileSettings.DEFAULT;

  List<Event> events;
  Event[] accountEvents;

  // for the vector benchmarks: a busy account after DAYS days
  ProfileBook history;
  Event scored;
  Event scoredDeposit;
  List<long[]> rawDebits;
  String busyAccount;

  @Setup(Level.Trial)
  public void simulate() {
    events = new ArrayList<>();
    new Simulator(Simulator.Config.of(1, 2_000, DAYS)).run(events::add);
    // the events of one account, replayed round and round into one profile
    Map<String, List<Event>> byAccount = new HashMap<>();
    for (Event e : events) {
      byAccount.computeIfAbsent(e.accountId(), k -> new ArrayList<>()).add(e);
    }
    busyAccount = byAccount.entrySet().stream()
        .max((a, b) -> Integer.compare(a.getValue().size(), b.getValue().size()))
        .orElseThrow().getKey();
    accountEvents = byAccount.get(busyAccount).toArray(new Event[0]);
    if (accountEvents.length < ACCOUNT_EVENTS || events.size() < STREAM_EVENTS) {
      throw new IllegalStateException("the simulated history is too small for the benchmark: the"
          + " busiest account has " + accountEvents.length + " events (" + ACCOUNT_EVENTS
          + " needed), the stream " + events.size() + " (" + STREAM_EVENTS + ")");
    }

    history = new ProfileBook(SETTINGS);
    rawDebits = new ArrayList<>();
    for (Event e : events) {
      history.fold(e);
      if (e.accountId().equals(busyAccount) && e.kind() instanceof Transaction t
          && t.direction() == Event.Direction.DEBIT) {
        rawDebits.add(new long[] {e.timeMillis(), t.amount().minorUnits()});
      }
    }
    Event last = accountEvents[accountEvents.length - 1];
    Transaction sample = null;
    for (Event e : accountEvents) {
      if (e.kind() instanceof Transaction t && t.direction() == Event.Direction.DEBIT) {
        sample = t;
      }
    }
    scored = new Event("bench-txn", last.timeMillis() + 60_000, busyAccount, last.customerId(),
        sample);
    scoredDeposit = new Event("bench-dep", last.timeMillis() + 60_000, busyAccount,
        last.customerId(), new Event.CheckDeposit("bench-d", new Event.Money(100_00, "USD"),
            "011000015", "payer", "123", "img", Event.Endorsement.RESTRICTIVE, ""));
  }

  static final int ACCOUNT_EVENTS = 512;
  /**
   * Days simulated: enough for the busiest account to have {@link #ACCOUNT_EVENTS} events (90 did
   * until the credit world changed the simulator's draws: 499).
   */
  static final int DAYS = 100;
  static final int STREAM_EVENTS = 65_536;

  /** Baseline: a per-account counter in a HashMap, over the same stream as updateAllEntities. */
  @Benchmark
  @OperationsPerInvocation(STREAM_EVENTS)
  public int updateBaselineCounter() {
    Map<String, long[]> counters = new HashMap<>();
    for (int i = 0; i < STREAM_EVENTS; i++) {
      counters.computeIfAbsent(events.get(i).accountId(), k -> new long[1])[0]++;
    }
    return counters.size();
  }

  /**
   * One event folded into one account profile: the streaming job's per-key work. Each invocation
   * folds the first 512 events of the busiest account into a new profile.
   */
  @Benchmark
  @OperationsPerInvocation(ACCOUNT_EVENTS)
  public long updateAccountProfile() {
    var account = new AccountProfile(SETTINGS);
    for (int i = 0; i < ACCOUNT_EVENTS; i++) {
      account.fold(accountEvents[i]);
    }
    return account.version();
  }

  /**
   * One event folded into one account profile and the profile encoded, as the streaming job does
   * for every version it publishes: against {@link #updateAccountProfile}, the cost of encoding
   * (each structure the event did not change keeps its encoding).
   */
  @Benchmark
  @OperationsPerInvocation(ACCOUNT_EVENTS)
  public long updateAndEncodeAccountProfile() {
    var account = new AccountProfile(SETTINGS);
    long bytes = 0;
    for (int i = 0; i < ACCOUNT_EVENTS; i++) {
      account.fold(accountEvents[i]);
      bytes += CODEC.encode(account).length;
    }
    return bytes;
  }

  /**
   * One event folded into an account profile decoded from its encoding, and the profile encoded
   * again: the streaming job's fold when the profile is not among those it folded recently and
   * keeps decoded, so it is read from keyed state. Against {@link #updateAndEncodeAccountProfile},
   * the cost of decoding.
   */
  @Benchmark
  @OperationsPerInvocation(ACCOUNT_EVENTS)
  public long decodeUpdateAndEncodeAccountProfile() {
    byte[] state = CODEC.encode(new AccountProfile(SETTINGS));
    long bytes = 0;
    for (int i = 0; i < ACCOUNT_EVENTS; i++) {
      var account = CODEC.decode(state);
      account.fold(accountEvents[i]);
      state = CODEC.encode(account);
      bytes += state.length;
    }
    return bytes;
  }

  static final dev.vigil.features.profile.ProfileCodec CODEC =
      new dev.vigil.features.profile.ProfileCodec(SETTINGS);

  /**
   * One event routed and folded into every profile it concerns (account, customer, merchant,
   * device, checks), over 65,536 events of 2,000 customers: a realistic working set.
   */
  @Benchmark
  @OperationsPerInvocation(STREAM_EVENTS)
  public int updateAllEntities() {
    var book = new ProfileBook(SETTINGS);
    for (int i = 0; i < STREAM_EVENTS; i++) {
      book.fold(events.get(i));
    }
    return book.all().size();
  }

  /** Baseline: 4 count/sum/max windows scanned over the account's raw debits (brute force). */
  @Benchmark
  public long vectorBaselineBruteForceWindows() {
    long t = scored.timeMillis();
    long acc = 0;
    for (long w : new long[] {3_600_000L, DAY, 7 * DAY, 30 * DAY}) {
      long n = 0;
      long s = 0;
      long m = 0;
      for (long[] d : rawDebits) {
        if (d[0] > t - w && d[0] <= t) {
          n++;
          s += d[1];
          m = Math.max(m, d[1]);
        }
      }
      acc += n + s + m;
    }
    return acc;
  }

  /** The full 31-feature fraud vector from the stored profiles. */
  @Benchmark
  public double[] vectorFraud() {
    FeatureInputs in = history.inputsFor(scored);
    return FeatureCatalogue.FRAUD.vector(in);
  }

  @Benchmark
  public double[] vectorDeposit() {
    return FeatureCatalogue.DEPOSIT.vector(history.inputsFor(scoredDeposit));
  }

  @Benchmark
  public double[] vectorDelinquency() {
    return FeatureCatalogue.DELINQUENCY.vector(
        history.inputsForAccount(busyAccount, scored.customerId(), scored.timeMillis()));
  }
}
