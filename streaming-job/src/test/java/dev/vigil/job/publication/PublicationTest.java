package dev.vigil.job.publication;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.EventCodec;
import dev.vigil.features.profile.EntityKey;
import dev.vigil.features.profile.EntityType;
import dev.vigil.features.profile.ProfileSettings;
import dev.vigil.job.fold.ProfileFold;
import dev.vigil.job.fold.ProfileFoldOperator;
import dev.vigil.job.intake.Routed;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * Coalesced publication: the throttle's rules on chosen instants, its invariants over random
 * traffic, and the fold operator in Flink's test harness (RocksDB state): held versions published
 * when their interval passes, before every checkpoint barrier, and none lost across a restore.
 */
class PublicationTest {
  private static final long T0 = 1_767_225_600_000L;
  private static final long MINUTE = 60_000L;
  private static final long INTERVAL = 1_000;

  private static ProfileUpdate update(String key, long version) {
    return new ProfileUpdate(key, version, T0, new byte[] {(byte) version});
  }

  @Test
  void theFirstUpdateAfterAQuietIntervalGoesAtOnceAndTheRestCoalesceIntoTheNewest()
      throws Exception {
    var p = new Publication<ProfileUpdate>(INTERVAL);
    assertThat(p.offer("m", update("m", 1), 0)).isEqualTo(Publication.Decision.PUBLISH);
    assertThat(p.offer("m", update("m", 2), 100)).isEqualTo(Publication.Decision.HOLD_FIRST);
    assertThat(p.dueAt("m")).isEqualTo(1_000); // an interval after 0, a multiple of 200 ms
    assertThat(p.offer("m", update("m", 3), 900)).isEqualTo(Publication.Decision.HOLD);
    // another entity: its own interval
    assertThat(p.offer("a", update("a", 1), 950)).isEqualTo(Publication.Decision.PUBLISH);
    assertThat(p.release("m", 999)).isNull(); // m's interval has not passed
    assertThat(p.release("m", 1_000).version).isEqualTo(3); // the newest held, once
    assertThat(p.release("m", 1_001)).isNull();
    // the trailing publication starts m's next interval
    assertThat(p.offer("m", update("m", 4), 1_500)).isEqualTo(Publication.Decision.HOLD_FIRST);
    assertThat(p.dueAt("m")).isEqualTo(2_000);
    assertThat(p.offer("a", update("a", 2), 1_900)).isEqualTo(Publication.Decision.HOLD_FIRST);
    assertThat(p.dueAt("a")).isEqualTo(2_000); // 950 + 1,000 rounded up: shares m's timer
    assertThat(p.release("a", 2_000).version).isEqualTo(2);
    // a checkpoint publishes what is held, whatever its interval
    var flushed = new ArrayList<ProfileUpdate>();
    p.flush(2_000, (key, u) -> flushed.add(u));
    assertThat(flushed).extracting(u -> u.key + u.version).containsExactly("m4");
    assertThat(p.heldCount()).isZero();
    assertThat(p.release("m", 2_000)).isNull(); // its timer then finds nothing
    // quiet for an interval: published at once again
    assertThat(p.offer("m", update("m", 5), 3_000)).isEqualTo(Publication.Decision.PUBLISH);
    // an account seen once a minute is published on every event
    for (int i = 3; i < 6; i++) {
      assertThat(p.offer("a", update("a", i), 950 + i * MINUTE))
          .isEqualTo(Publication.Decision.PUBLISH);
    }
    // interval zero: every update
    var every = new Publication<ProfileUpdate>(0);
    assertThat(every.offer("m", update("m", 1), 0)).isEqualTo(Publication.Decision.PUBLISH);
    assertThat(every.offer("m", update("m", 2), 0)).isEqualTo(Publication.Decision.PUBLISH);
  }

  /**
   * Over random traffic on a few keys, with timers fired as Flink fires them and checkpoints:
   * every key's newest version is published by the end; versions of a key are published in
   * order, never twice; two publications of a key are an interval apart, unless the second is a
   * checkpoint's; and never more publications than updates.
   */
  @Property(tries = 300)
  void theNewestVersionOfEveryKeyIsPublishedInOrderAndAtMostOncePerInterval(
      @ForAll @Size(min = 1, max = 400) List<@IntRange(min = 0, max = 49) Integer> steps,
      @ForAll @IntRange(min = 0, max = 9) int checkpointEvery) throws Exception {
    var p = new Publication<ProfileUpdate>(INTERVAL);
    Map<String, Long> newest = new HashMap<>();
    Map<String, Long> lastPublishedVersion = new HashMap<>();
    Map<String, Long> lastPublishedAt = new HashMap<>();
    var timers = new java.util.PriorityQueue<Object[]>(
        java.util.Comparator.comparingLong(t -> (Long) t[0]));
    long[] now = {0};
    boolean[] flushing = {false};
    int[] publications = {0};
    java.util.function.Consumer<ProfileUpdate> sink = u -> {
      publications[0]++;
      Long before = lastPublishedVersion.get(u.key);
      assertThat(before == null || u.version > before).as("%s v%d after v%s", u.key, u.version,
          before).isTrue();
      Long at = lastPublishedAt.get(u.key);
      if (at != null && !flushing[0]) { // a checkpoint publishes whatever the interval
        assertThat(now[0] - at).as("%s published again after %d ms", u.key, now[0] - at)
            .isGreaterThanOrEqualTo(INTERVAL);
      }
      lastPublishedVersion.put(u.key, u.version);
      lastPublishedAt.put(u.key, now[0]);
    };
    Runnable fireTimers = () -> {
      while (!timers.isEmpty() && (Long) timers.peek()[0] <= now[0]) {
        Object[] t = timers.poll();
        long at = now[0];
        now[0] = (Long) t[0]; // a timer fires at its time
        ProfileUpdate u = p.release((String) t[1], now[0]);
        if (u != null) {
          sink.accept(u);
        }
        now[0] = at;
      }
    };
    int n = 0;
    for (int step : steps) {
      now[0] += step * 37L; // 0 to 1.8 s apart
      fireTimers.run();
      String key = "k" + step % 3;
      long version = newest.merge(key, 1L, Long::sum);
      switch (p.offer(key, update(key, version), now[0])) {
        case PUBLISH -> sink.accept(update(key, version));
        case HOLD_FIRST -> timers.add(new Object[] {p.dueAt(key), key});
        case HOLD -> { }
      }
      if (checkpointEvery > 0 && ++n % checkpointEvery == 0) {
        flushing[0] = true;
        p.flush(now[0], (k, u) -> sink.accept(u));
        flushing[0] = false;
      }
    }
    now[0] += INTERVAL + INTERVAL / 5; // the last due time: an interval, rounded up to a fifth
    fireTimers.run();
    assertThat(p.heldCount()).isZero();
    assertThat(lastPublishedVersion).isEqualTo(newest);
    assertThat(publications[0]).isLessThanOrEqualTo(steps.size());
  }

  private static Routed routed(int i, String merchant) {
    var e = new Event("e-" + i, T0 + i * 1_000L, "acct-" + i, "c-" + i, new Event.Transaction(
        new Event.Money(500 + i, "USD"), Event.Direction.DEBIT, Event.Channel.CARD_PRESENT,
        merchant, "5411", "US", "d-" + i, ""));
    return Routed.event(new EntityKey(EntityType.MERCHANT, merchant).toString(), e);
  }

  private static KeyedOneInputStreamOperatorTestHarness<String, Routed, ProfileUpdate> harness(
      OperatorSubtaskState restore) throws Exception {
    return harness(restore, 100);
  }

  private static KeyedOneInputStreamOperatorTestHarness<String, Routed, ProfileUpdate> harness(
      OperatorSubtaskState restore, int recentProfiles) throws Exception {
    var fold = new ProfileFold(EntityType.MERCHANT, ProfileSettings.DEFAULT, Duration.ofDays(400),
        recentProfiles, Duration.ofMillis(INTERVAL));
    var h = new KeyedOneInputStreamOperatorTestHarness<>(new ProfileFoldOperator(fold),
        (Routed r) -> r.key, Types.STRING);
    h.setStateBackend(new EmbeddedRocksDBStateBackend());
    h.setProcessingTime(0);
    if (restore != null) {
      h.initializeState(restore);
    }
    h.open();
    return h;
  }

  @Test
  void aHotMerchantIsPublishedOncePerIntervalAndItsNewestVersionBeforeEveryCheckpoint()
      throws Exception {
    OperatorSubtaskState snapshot;
    try (var h = harness(null)) {
      // a hot merchant: 10 transactions within 300 ms; a quiet one: 1
      for (int i = 0; i < 10; i++) {
        h.setProcessingTime(i * 30L);
        h.processElement(routed(i, "hot"), T0 + i * 1_000L);
      }
      h.processElement(routed(10, "quiet"), T0 + 10_000L);
      assertThat(h.extractOutputValues()).extracting(u -> u.key + "@" + u.version)
          .containsExactly("MERCHANT/hot@1", "MERCHANT/quiet@1");
      // its interval passes: the newest held version, once
      h.setProcessingTime(INTERVAL + 300);
      assertThat(h.extractOutputValues()).extracting(u -> u.key + "@" + u.version)
          .containsExactly("MERCHANT/hot@1", "MERCHANT/quiet@1", "MERCHANT/hot@10");
      // more while the next interval runs, then a checkpoint: published before the barrier
      for (int i = 11; i < 15; i++) {
        h.processElement(routed(i, "hot"), T0 + i * 1_000L);
      }
      assertThat(h.extractOutputValues()).hasSize(3);
      h.prepareSnapshotPreBarrier(1); // as the task does before the barrier
      snapshot = h.snapshot(1, INTERVAL + 400);
      assertThat(h.extractOutputValues()).extracting(u -> u.key + "@" + u.version)
          .endsWith("MERCHANT/hot@14");
    }
    // restored from that checkpoint, nothing is held and the merchant goes on from version 14
    try (var h = harness(snapshot)) {
      h.processElement(routed(20, "hot"), T0 + 20_000L);
      assertThat(h.extractOutputValues()).extracting(u -> u.key + "@" + u.version)
          .containsExactly("MERCHANT/hot@15");
    }
  }

  /**
   * A held version is not yet in keyed state (state is written when a version is published): the
   * next event must fold into the held profile, even with no decoded profiles kept, and the state
   * a checkpoint takes must be the version published before its barrier.
   */
  @Test
  void heldVersionsFoldInMemoryAndReachStateBeforeTheBarrier() throws Exception {
    OperatorSubtaskState snapshot;
    try (var h = harness(null, 0)) {
      for (int i = 0; i < 6; i++) {
        h.setProcessingTime(i * 10L);
        h.processElement(routed(i, "hot"), T0 + i * 1_000L);
      }
      assertThat(h.extractOutputValues()).extracting(u -> u.key + "@" + u.version)
          .containsExactly("MERCHANT/hot@1"); // 2 to 6 held, folded one on another
      h.prepareSnapshotPreBarrier(1);
      snapshot = h.snapshot(1, 100);
      var last = h.extractOutputValues().get(h.extractOutputValues().size() - 1);
      assertThat(last.version).isEqualTo(6);
      var reference = new dev.vigil.features.profile.MerchantProfile(ProfileSettings.DEFAULT);
      for (int i = 0; i < 6; i++) {
        reference.fold(routed(i, "hot").events.get(0));
      }
      assertThat(last.state).isEqualTo(new dev.vigil.features.profile.ProfileCodec(
          ProfileSettings.DEFAULT).encode(reference));
    }
    try (var h = harness(snapshot, 0)) {
      h.processElement(routed(7, "hot"), T0 + 7_000L);
      assertThat(h.extractOutputValues()).extracting(u -> u.key + "@" + u.version)
          .containsExactly("MERCHANT/hot@7"); // state had version 6
    }
  }
}
