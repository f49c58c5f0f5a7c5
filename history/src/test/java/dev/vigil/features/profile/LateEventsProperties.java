package dev.vigil.features.profile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.Event.Payment;
import dev.vigil.features.event.Event.PromiseToPay;
import dev.vigil.features.event.Event.Statement;
import dev.vigil.history.simulator.Simulator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/**
 * Late events count exactly as if they had come on time: over simulated histories (every event
 * kind) where a share of the events arrives up to 300 days late (inside the 380-day horizon),
 * every profile's state equals the one folded in event-time order. And the delinquency features
 * derived from that state (missed payments, kept and broken promises) agree with a brute-force
 * reading of the raw events, as of any time.
 */
class LateEventsProperties {
  private static final long DAY = 86_400_000L;
  private static final ProfileSettings SETTINGS = ProfileSettings.DEFAULT;

  private static List<Event> history(long seed) {
    var events = new ArrayList<Event>();
    new Simulator(Simulator.Config.of(seed, 150, 120)).run(events::add);
    events.sort(Comparator.comparingLong(Event::timeMillis));
    return events;
  }

  @Property(tries = 6)
  void lateArrivalsWithinTheHorizonLeaveTheSameState(
      @ForAll @LongRange(min = 1, max = 1_000) long seed,
      @ForAll @IntRange(min = 1, max = 30) int latePercent,
      @ForAll @IntRange(min = 1, max = 300) int maxDelayDays) {
    List<Event> events = history(seed);
    var inOrder = new ProfileBook(SETTINGS);
    events.forEach(inOrder::fold);

    record Arrival(long at, int index, Event event) {}
    var random = new SplittableRandom(seed * 31 + latePercent);
    var arrivals = new ArrayList<Arrival>();
    for (int i = 0; i < events.size(); i++) {
      Event e = events.get(i);
      long delay = random.nextInt(100) < latePercent
          ? (long) (random.nextDouble() * maxDelayDays * DAY) : 0;
      arrivals.add(new Arrival(e.timeMillis() + delay, i, e));
    }
    arrivals.sort(Comparator.comparingLong(Arrival::at).thenComparingInt(Arrival::index));
    var late = new ProfileBook(SETTINGS);
    arrivals.forEach(a -> late.fold(a.event()));

    assertThat(late.beyondHorizonCount()).isZero();
    var codec = new ProfileCodec(SETTINGS);
    assertThat(late.all().keySet()).isEqualTo(inOrder.all().keySet());
    for (var key : inOrder.all().keySet()) {
      assertThat(Arrays.equals(codec.encode(late.get(key)), codec.encode(inOrder.get(key))))
          .as("%s: the same state whatever the arrival order", key).isTrue();
    }
  }

  @Property(tries = 4)
  void missedPaymentsAndPromisesAgreeWithABruteForceReadingOfTheEvents(
      @ForAll @LongRange(min = 1, max = 1_000) long seed) {
    List<Event> events = history(seed);
    var book = new ProfileBook(SETTINGS);
    events.forEach(book::fold);
    Map<String, List<Event>> byAccount = new HashMap<>();
    for (Event e : events) {
      byAccount.computeIfAbsent(e.accountId(), a -> new ArrayList<>()).add(e);
    }
    long end = events.get(events.size() - 1).timeMillis();
    int checked = 0;
    long missed = 0;
    long kept = 0;
    long broken = 0;
    for (var entry : byAccount.entrySet()) {
      var account = (AccountProfile) book.get(EntityKey.account(entry.getKey()));
      for (long asOf = end - 100 * DAY; asOf <= end; asOf += 9 * DAY + 3_600_000L) {
        for (long window : new long[] {30 * DAY, 182 * DAY}) {
          assertThat(account.missedCycles(asOf - window, asOf))
              .as("missed cycles of %s as of %d", entry.getKey(), asOf)
              .isEqualTo(missedCycles(entry.getValue(), asOf - window, asOf));
        }
        int keptNow = promises(entry.getValue(), asOf - 180 * DAY, asOf, true);
        int brokenNow = promises(entry.getValue(), asOf - 180 * DAY, asOf, false);
        assertThat(account.promisesKept(asOf - 180 * DAY, asOf)).isEqualTo(keptNow);
        assertThat(account.promisesBroken(asOf - 180 * DAY, asOf)).isEqualTo(brokenNow);
        missed += missedCycles(entry.getValue(), asOf - 182 * DAY, asOf);
        kept += keptNow;
        broken += brokenNow;
        checked++;
      }
    }
    assertThat(checked).isGreaterThan(100);
    // the histories exercise every branch: cycles missed, promises kept and broken
    assertThat(missed).isPositive();
    assertThat(kept).isPositive();
    assertThat(broken).isPositive();
  }

  /** Net payments in (from, to] from the raw events (returned payments subtract). */
  private static long paid(List<Event> events, long fromExclusive, long toInclusive,
      boolean net) {
    long sum = 0;
    for (Event e : events) {
      if (e.kind() instanceof Payment p && e.timeMillis() > fromExclusive
          && e.timeMillis() <= toInclusive && (net || !p.returned())) {
        sum += p.returned() ? -p.amount().minorUnits() : p.amount().minorUnits();
      }
    }
    return sum;
  }

  private static int missedCycles(List<Event> events, long fromExclusive, long asOf) {
    // one cycle per statement time (the simulator sends one)
    int n = 0;
    for (Event e : events) {
      if (e.kind() instanceof Statement s && e.timeMillis() <= asOf && s.dueMillis() < asOf
          && s.dueMillis() > fromExclusive && s.minimumDue().minorUnits() > 0
          && paid(events, e.timeMillis(), Math.min(s.dueMillis(), asOf), true)
              < s.minimumDue().minorUnits()) {
        n++;
      }
    }
    return n;
  }

  /** Promises kept (by the payment that kept them) or broken (at their due date) in the window. */
  private static int promises(List<Event> events, long fromExclusive, long asOf, boolean kept) {
    int n = 0;
    for (Event e : events) {
      if (!(e.kind() instanceof PromiseToPay promise) || e.timeMillis() > asOf) {
        continue;
      }
      long keptAt = Long.MIN_VALUE;
      long sum = 0;
      for (Event q : events) { // in event-time order
        if (q.kind() instanceof Payment p && !p.returned() && q.timeMillis() > e.timeMillis()
            && q.timeMillis() <= Math.min(promise.dueMillis(), asOf)) {
          sum += p.amount().minorUnits();
          if (sum >= promise.amount().minorUnits()) {
            keptAt = q.timeMillis();
            break;
          }
        }
      }
      if (kept ? keptAt != Long.MIN_VALUE && keptAt > fromExclusive
          : keptAt == Long.MIN_VALUE && promise.dueMillis() < asOf
              && promise.dueMillis() > fromExclusive) {
        n++;
      }
    }
    return n;
  }
}
