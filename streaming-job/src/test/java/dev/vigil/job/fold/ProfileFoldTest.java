package dev.vigil.job.fold;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.EventCodec;
import dev.vigil.features.profile.AccountProfile;
import dev.vigil.features.profile.EntityKey;
import dev.vigil.features.profile.EntityType;
import dev.vigil.features.profile.ProfileCodec;
import dev.vigil.features.profile.ProfileSettings;
import dev.vigil.job.intake.Routed;
import dev.vigil.job.publication.ProfileUpdate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * One fold operator in Flink's operator test harness with the RocksDB state backend: the decoded
 * profiles it keeps never change what it publishes.
 */
class ProfileFoldTest {
  private static final long T0 = 1_767_225_600_000L;
  private static final long MINUTE = 60_000L;
  private final ProfileSettings settings = ProfileSettings.DEFAULT;

  private static Event purchase(int i, String account) {
    return new Event("e-" + i, T0 + i * MINUTE, account, "c-" + account, new Event.Transaction(
        new Event.Money(500 + 37L * i, "USD"), Event.Direction.DEBIT, Event.Channel.CARD_PRESENT,
        "m-" + (i % 3), "5411", "US", "d-" + account, ""));
  }

  private static Routed routed(Event e) {
    return Routed.event(EntityKey.account(e.accountId()).toString(), e);
  }

  private static KeyedOneInputStreamOperatorTestHarness<String, Routed, ProfileUpdate> harness(
      ProfileFold fold) throws Exception {
    var h = new KeyedOneInputStreamOperatorTestHarness<>(new ProfileFoldOperator(fold),
        (Routed r) -> r.key, Types.STRING);
    h.setStateBackend(new EmbeddedRocksDBStateBackend());
    h.open();
    return h;
  }

  /**
   * The published states when {@code events} go through a fold keeping {@code recent}: with 2 of
   * the 4 accounts kept, every profile dropped from the cache must have been written to keyed
   * state as published, or the next fold of that account starts from an older version.
   */
  private List<ProfileUpdate> fold(List<Event> events, int recent) throws Exception {
    try (var h = harness(new ProfileFold(EntityType.ACCOUNT, settings, Duration.ofDays(400),
        recent, Duration.ZERO))) {
      for (Event e : events) {
        h.processElement(routed(e), e.timeMillis());
      }
      return new ArrayList<>(h.extractOutputValues());
    }
  }

  @Test
  void publishesWhatTheReferenceFoldGivesWhetherProfilesComeDecodedOrFromState()
      throws Exception {
    // four accounts round-robin through room for two decoded profiles: every fold after the
    // first round finds its profile evicted, except where the order repeats an account
    var events = new ArrayList<Event>();
    String[] order = {"a", "b", "c", "d", "d", "a", "b", "b", "c", "a"};
    for (int i = 0; i < 40; i++) {
      events.add(purchase(i, order[i % order.length]));
    }
    // the reference: the feature library's fold, each account on its own, as the job's codec
    // sees it (lateness is judged at intake, not by the fold)
    var codec = new ProfileCodec(new ProfileSettings(Duration.ofDays(3650),
        settings.labelDelay()));
    Map<String, AccountProfile> reference = new HashMap<>();
    var expected = new ArrayList<byte[]>();
    for (Event e : events) {
      var p = reference.computeIfAbsent(e.accountId(), a -> new AccountProfile(settings));
      p.fold(e);
      expected.add(codec.encode(p));
    }
    for (int recent : new int[] {0, 2, 100}) {
      List<ProfileUpdate> out = fold(events, recent);
      assertThat(out).as("keeping %d decoded", recent).hasSize(events.size());
      for (int i = 0; i < events.size(); i++) {
        assertThat(out.get(i).state).as("update %d keeping %d decoded", i, recent)
            .isEqualTo(expected.get(i));
      }
    }
  }

  @Test
  void theStateAtACheckpointIsWhatWasPublishedWhicheverEncodingsWereWrittenBeforeIt()
      throws Exception {
    // 2 waiting at most: most encodings are written before the barrier, the rest at it
    theStateAtACheckpointIsWhatWasPublished(2);
    // nothing written before the barrier
    theStateAtACheckpointIsWhatWasPublished(ProfileFold.UNWRITTEN);
  }

  private void theStateAtACheckpointIsWhatWasPublished(int unwrittenBound) throws Exception {
    var events = new ArrayList<Event>();
    for (int i = 0; i < 30; i++) {
      events.add(purchase(i, "acct-" + (i % 7)));
    }
    org.apache.flink.runtime.checkpoint.OperatorSubtaskState snapshot;
    try (var h = harness(ProfileFold.withUnwrittenBound(EntityType.ACCOUNT, settings,
        Duration.ofDays(400), 100, Duration.ZERO, unwrittenBound))) {
      for (Event e : events.subList(0, 20)) {
        h.processElement(routed(e), e.timeMillis());
      }
      h.prepareSnapshotPreBarrier(1); // as the task does before the barrier
      snapshot = h.snapshot(1, 0);
    }
    // restored, and keeping nothing decoded: every fold reads the checkpoint's state
    List<ProfileUpdate> after;
    var fold = new ProfileFold(EntityType.ACCOUNT, settings, Duration.ofDays(400), 0,
        Duration.ZERO);
    var h = new KeyedOneInputStreamOperatorTestHarness<>(new ProfileFoldOperator(fold),
        (Routed r) -> r.key, Types.STRING);
    try (h) {
      h.setStateBackend(new EmbeddedRocksDBStateBackend());
      h.initializeState(snapshot);
      h.open();
      for (Event e : events.subList(20, 30)) {
        h.processElement(routed(e), e.timeMillis());
      }
      after = new ArrayList<>(h.extractOutputValues());
    }
    assertThat(after).hasSize(10);
    Map<String, AccountProfile> reference = new HashMap<>();
    var codec = new ProfileCodec(settings);
    for (int i = 0; i < 30; i++) {
      var e = events.get(i);
      var p = reference.computeIfAbsent(e.accountId(), a -> new AccountProfile(settings));
      p.fold(e);
      if (i >= 20) {
        assertThat(after.get(i - 20).state).as("update %d after the restore, %d waiting at most",
            i, unwrittenBound)
            .isEqualTo(codec.encode(p));
      }
    }
  }

  @Test
  void aProfileWhoseStateExpiredStartsAfreshThoughItWasKeptDecoded() throws Exception {
    Duration ttl = Duration.ofMinutes(10);
    try (var h = harness(new ProfileFold(EntityType.ACCOUNT, settings, ttl, 100,
        Duration.ZERO))) {
      h.setProcessingTime(0);
      h.setStateTtlProcessingTime(0);
      h.processElement(routed(purchase(0, "a")), T0);
      h.setProcessingTime(5 * MINUTE);
      h.setStateTtlProcessingTime(5 * MINUTE);
      h.processElement(routed(purchase(1, "a")), T0 + MINUTE);
      // idle for longer than the time to live: keyed state has dropped the profile
      h.setProcessingTime(16 * MINUTE);
      h.setStateTtlProcessingTime(16 * MINUTE);
      h.processElement(routed(purchase(2, "a")), T0 + 2 * MINUTE);
      assertThat(h.extractOutputValues()).extracting(u -> u.version).containsExactly(1L, 2L, 1L);
    }
  }
}
