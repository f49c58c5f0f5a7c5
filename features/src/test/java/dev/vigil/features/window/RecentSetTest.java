package dev.vigil.features.window;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class RecentSetTest {
  static final long T0 = 1_699_999_980_000L; // minute-aligned
  static final long DAY = 86_400_000L;

  @Property(tries = 200)
  void distinctCountsAreExactBelowCapacity(@ForAll @IntRange(min = 0, max = 200) int n,
      @ForAll long seed) {
    var random = new Random(seed);
    var set = new RecentSet(64);
    Map<Long, Long> lastSeen = new HashMap<>();
    for (int i = 0; i < n; i++) {
      long key = Hashing.of("merchant-" + random.nextInt(40));
      long at = T0 + Math.floorMod(random.nextLong(), 30 * DAY);
      set.add(key, at);
      lastSeen.merge(key, at, Math::max);
    }
    long t = T0 + 30 * DAY;
    for (long w : new long[] {DAY, 7 * DAY, 30 * DAY}) {
      long want = lastSeen.values().stream()
          .filter(at -> Math.floorDiv(at, 60_000L) * 60_000L > t - w - 60_000L).count();
      assertThat(set.distinct(t - w, t)).isEqualTo(want);
    }
    assertThat(set.evictedThroughMillis()).isZero();
  }

  @Property(tries = 100)
  void saturatesAtCapacityAndSaysSo(@ForAll @IntRange(min = 65, max = 300) int n) {
    var set = new RecentSet(64);
    for (int i = 0; i < n; i++) {
      set.add(Hashing.of("account-" + i), T0 + i * 60_000L);
    }
    assertThat(set.size()).isEqualTo(64);
    assertThat(set.distinct(T0 - 1, T0 + n * 60_000L)).isEqualTo(64);
    assertThat(set.evictedThroughMillis()).isEqualTo(T0 + (n - 65) * 60_000L);
    assertThat(set.seen(Hashing.of("account-" + (n - 1)), T0 - 1, T0 + n * 60_000L)).isTrue();
    assertThat(set.seen(Hashing.of("account-0"), T0 - 1, T0 + n * 60_000L)).isFalse();
  }
}
