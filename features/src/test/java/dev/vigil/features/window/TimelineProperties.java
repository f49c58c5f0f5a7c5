package dev.vigil.features.window;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.features.window.Timeline.Aggregate;
import dev.vigil.features.window.Timeline.Shape;
import dev.vigil.features.window.Timeline.Stats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/**
 * Timeline against a brute-force reference that keeps every event: over random histories (dense
 * bursts and sparse years, out of order), every window as of any time at or after the newest
 * event counts everything inside it, nothing after it, and extra events only within the stated
 * boundary error (1/60 of the window) before its start.
 */
class TimelineProperties {
  static final long MIN = 60_000L;
  static final long HOUR = 60 * MIN;
  static final long DAY = 24 * HOUR;
  static final long[] WINDOWS = {HOUR, DAY, 7 * DAY, 30 * DAY, 90 * DAY, 180 * DAY, 365 * DAY};
  static final long T0 = 1_700_000_000_000L;

  record Point(long at, long value) {}

  @Provide
  Arbitrary<List<Point>> histories() {
    // a mix of spans so that every tier and every window edge gets traffic
    Arbitrary<Long> span = Arbitraries.of(2 * HOUR, 3 * DAY, 40 * DAY, 400 * DAY);
    return span.flatMap(s -> Combinators.combine(
            Arbitraries.longs().between(0, s), Arbitraries.longs().between(1, 1_000_000))
        .as(Point::new).list().ofMinSize(1).ofMaxSize(400));
  }

  @Property(tries = 300)
  void everyWindowIsWithinItsStatedBoundaryError(@ForAll("histories") List<Point> history,
      @ForAll @LongRange(min = 0, max = 3 * 86_400_000L) long after, @ForAll long seed) {
    var shuffled = new ArrayList<>(history);
    Collections.shuffle(shuffled, new Random(seed));
    var timeline = new Timeline(Shape.of(Stats.FULL, Duration.ofDays(365)));
    long newest = Long.MIN_VALUE;
    for (Point p : shuffled) {
      timeline.add(T0 + p.at(), p.value());
      newest = Math.max(newest, T0 + p.at());
    }
    long t = newest + after;
    for (long w : WINDOWS) {
      Aggregate got = timeline.over(t - w, t);
      Aggregate inner = exact(history, t - w, t);
      Aggregate outer = exact(history, t - w - w / 60, t);
      assertThat(got.count()).as("count over %d ms", w).isBetween(inner.count(), outer.count());
      assertThat(got.sum()).as("sum over %d ms", w).isBetween(inner.sum(), outer.sum());
      assertThat(got.maxOrZero()).as("max over %d ms", w)
          .isBetween(inner.maxOrZero(), outer.maxOrZero());
      assertThat(timeline.count(t - w, t)).isEqualTo(got.count());
      assertThat(timeline.sum(t - w, t)).isEqualTo(got.sum());
    }
  }

  @Property(tries = 200)
  void windowsOfMomentsMatchTheReferenceWhereNoEventIsNearTheEdge(
      @ForAll @IntRange(min = 2, max = 300) int n, @ForAll long seed) {
    // events strictly inside the last 29 days, away from the 30-day edge: the answer is exact
    var random = new Random(seed);
    var history = new ArrayList<Point>();
    for (int i = 0; i < n; i++) {
      history.add(new Point(Math.floorMod(random.nextLong(), 29 * DAY), 1 + random.nextInt(50_000)));
    }
    var timeline = new Timeline(Shape.of(Stats.FULL, Duration.ofDays(30)));
    history.forEach(p -> timeline.add(T0 + p.at(), p.value()));
    long t = T0 + 29 * DAY;
    Aggregate got = timeline.over(t - 30 * DAY, t);
    Aggregate want = exact(history, t - 30 * DAY, t);
    assertThat(got.count()).isEqualTo(want.count());
    assertThat(got.sum()).isEqualTo(want.sum());
    assertThat(got.max()).isEqualTo(want.max());
    assertThat(got.standardDeviation()).isCloseTo(want.standardDeviation(),
        org.assertj.core.data.Offset.offset(1e-6 * Math.max(1, want.standardDeviation())));
  }

  @Property(tries = 200)
  void delayedWindowsHoldTheirBoundsAtBothEdges(@ForAll("histories") List<Point> history,
      @ForAll long seed) {
    long delay = 7 * DAY;
    var timeline = new Timeline(new Shape(Stats.COUNT, 30 * 1440, delay / MIN, 1));
    var shuffled = new ArrayList<>(history);
    Collections.shuffle(shuffled, new Random(seed));
    long newest = Long.MIN_VALUE;
    for (Point p : shuffled) {
      timeline.add(T0 + p.at(), 1);
      newest = Math.max(newest, T0 + p.at());
    }
    long end = newest - delay;
    for (long w : new long[] {DAY, 7 * DAY, 30 * DAY}) {
      long got = timeline.count(end - w, end);
      assertThat(got).isBetween(exact(history, end - w, end).count(),
          exact(history, end - w - w / 60, end + 24 * MIN).count());
    }
  }

  @Property(tries = 200)
  void stateDependsOnTheEventsNotOnTheirArrivalOrder(@ForAll("histories") List<Point> history,
      @ForAll long seed) {
    var inOrder = new Timeline(Shape.of(Stats.FULL, Duration.ofDays(90)));
    var sorted = new ArrayList<>(history);
    sorted.sort((a, b) -> Long.compare(a.at(), b.at()));
    sorted.forEach(p -> inOrder.add(T0 + p.at(), p.value()));
    var shuffled = new ArrayList<>(history);
    Collections.shuffle(shuffled, new Random(seed));
    var outOfOrder = new Timeline(Shape.of(Stats.FULL, Duration.ofDays(90)));
    shuffled.forEach(p -> outOfOrder.add(T0 + p.at(), p.value()));
    assertThat(outOfOrder.toState()).isEqualTo(inOrder.toState());
  }

  @Property(tries = 100)
  void survivesASerialisationRoundTrip(@ForAll("histories") List<Point> history) {
    var shape = Shape.of(Stats.FULL, Duration.ofDays(365));
    var timeline = new Timeline(shape);
    history.forEach(p -> timeline.add(T0 + p.at(), p.value()));
    var copy = Timeline.fromState(shape, timeline.toState());
    assertThat(copy.toState()).isEqualTo(timeline.toState());
    // and goes on identically afterwards
    timeline.add(T0 + 500 * DAY, 7);
    copy.add(T0 + 500 * DAY, 7);
    assertThat(copy.toState()).isEqualTo(timeline.toState());
  }

  static Aggregate exact(List<Point> history, long fromExclusive, long toInclusive) {
    long n = 0;
    long s = 0;
    double sq = 0;
    long max = Long.MIN_VALUE;
    for (Point p : history) {
      long at = T0 + p.at();
      if (at > fromExclusive && at <= toInclusive) {
        n++;
        s += p.value();
        sq += (double) p.value() * p.value();
        max = Math.max(max, p.value());
      }
    }
    return n == 0 ? Aggregate.EMPTY : new Aggregate(n, s, sq, max);
  }

  /**
   * A timeline keeps its encoded state until it changes: asked between any of its changes (adds,
   * late adds learned later, clock moves), it gives what encoding afresh gives. So does a set.
   */
  @Property(tries = 200)
  void theKeptEncodingIsAlwaysTheFreshOne(@ForAll("histories") List<Point> history,
      @ForAll long seed) {
    var random = new Random(seed);
    var timeline = new Timeline(Shape.of(Stats.FULL, Duration.ofDays(90)));
    var set = new RecentSet(8);
    for (Point p : history) {
      switch (random.nextInt(3)) {
        case 0 -> timeline.add(T0 + p.at(), p.value());
        case 1 -> timeline.add(T0 + p.at() / 2, p.value(), T0 + p.at());
        default -> timeline.advanceClockTo(T0 + p.at());
      }
      set.add(p.value() % 13, T0 + p.at());
      if (random.nextInt(4) == 0) { // asked now and then, so that a kept one is asked later
        assertThat(timeline.toState()).isEqualTo(timeline.encode());
        assertThat(set.toState()).isEqualTo(set.encode());
      }
    }
    assertThat(timeline.toState()).isEqualTo(timeline.encode());
    assertThat(set.toState()).isEqualTo(set.encode());
  }
}
