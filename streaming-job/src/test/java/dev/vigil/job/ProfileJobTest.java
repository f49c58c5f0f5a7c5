package dev.vigil.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.EventCodec;
import dev.vigil.features.profile.EntityKey;
import dev.vigil.features.profile.ProfileBook;
import dev.vigil.features.profile.ProfileCodec;
import dev.vigil.features.profile.ProfileSettings;
import dev.vigil.history.simulator.Simulator;
import dev.vigil.job.intake.Incoming;
import dev.vigil.job.sinks.DeadLetterSerializer;
import dev.vigil.proto.v1.Money;
import dev.vigil.proto.v1.ProfileRecord;
import dev.vigil.testkit.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job against a real Kafka broker (KRaft) on a Flink MiniCluster with RocksDB state and
 * checkpoints: what it publishes equals the feature library's reference fold.
 */
class ProfileJobTest {
  static EmbeddedKafka kafka;
  static List<Event> history;
  static int topics;
  @TempDir Path dir;

  @BeforeAll
  static void start() throws Exception {
    kafka = new EmbeddedKafka();
    history = new ArrayList<>();
    // merchants drawn by Zipf popularity (a few take much of the traffic): the merchant folds
    // take bundles (LocalBundles), and must still publish the reference fold
    new Simulator(Simulator.Config.of(77, 120, 21).withMerchantSkew(1.1)).run(history::add);
  }

  @AfterAll
  static void stop() throws Exception {
    kafka.close();
  }

  record Topics(String events, String profiles, String deadLetters) {}

  Topics newTopics() throws Exception {
    int n = ++topics;
    var t = new Topics("events-" + n, "profiles-" + n, "dead-letters-" + n);
    kafka.createTopic(t.events(), 1, false);
    kafka.createTopic(t.profiles(), 3, true);
    kafka.createTopic(t.deadLetters(), 1, false);
    return t;
  }

  /** The job's clock: a minute after the newest simulated event (outcomes arrive after the days). */
  static java.time.Clock clock() {
    long newest = history.stream().mapToLong(Event::timeMillis).max().orElseThrow();
    return java.time.Clock.fixed(java.time.Instant.ofEpochMilli(newest + 60_000),
        java.time.ZoneOffset.UTC);
  }

  /**
   * A transaction of the history's first day arriving two weeks late (after the events of two
   * weeks): inside the horizon, so it counts exactly as if it had come on time.
   */
  static Event late() {
    Event first = history.stream().filter(e -> e.kind() instanceof Event.Transaction)
        .findFirst().orElseThrow();
    return new Event("late-by-two-weeks", first.timeMillis(), first.accountId(),
        first.customerId(), first.kind());
  }

  /**
   * The simulated history as records keyed by account, with five bad records (not protobuf, a
   * lower-case currency, an event an hour ahead of the job's clock, a 600,000-character device
   * id, an event older than the horizon), a duplicate and a late event ({@link #late()}).
   */
  static List<ProducerRecord<byte[], byte[]>> records(String topic) {
    var records = new ArrayList<ProducerRecord<byte[], byte[]>>();
    for (int i = 0; i < history.size(); i++) {
      Event e = history.get(i);
      byte[] key = e.accountId().getBytes(StandardCharsets.UTF_8);
      records.add(new ProducerRecord<>(topic, key, EventCodec.toProto(e).toByteArray()));
      if (i == history.size() / 3) {
        records.add(new ProducerRecord<>(topic, key, "not protobuf at all".getBytes()));
        var bad = EventCodec.toProto(history.get(i)).toBuilder().setEventId("bad-currency")
            .setTransaction(dev.vigil.proto.v1.Transaction.newBuilder()
                .setAmount(Money.newBuilder().setMinorUnits(100).setCurrency("usd"))
                .setDirection(dev.vigil.proto.v1.Direction.DIRECTION_DEBIT)
                .setChannel(dev.vigil.proto.v1.TransactionChannel.TRANSACTION_CHANNEL_ATM));
        records.add(new ProducerRecord<>(topic, key, bad.build().toByteArray()));
        var ahead = EventCodec.toProto(history.get(i)).toBuilder().setEventId("an-hour-ahead")
            .setEventTime(EventCodec.timestamp(clock().millis() + 3_600_000));
        records.add(new ProducerRecord<>(topic, key, ahead.build().toByteArray()));
        // the 600,000-character device id, arriving by a road other than Publish
        var longDevice = EventCodec.toProto(history.get(i)).toBuilder().setEventId("long-device")
            .setCheckDeposit(dev.vigil.proto.v1.CheckDeposit.newBuilder().setDepositId("dep-x")
                .setAmount(Money.newBuilder().setMinorUnits(100).setCurrency("USD"))
                .setRoutingNumber("021000021").setPayerAccountFingerprint("p-x")
                .setCheckNumber("1").setDeviceId("x".repeat(600_000)));
        records.add(new ProducerRecord<>(topic, key, longDevice.build().toByteArray()));
      }
      if (i == 2 * history.size() / 3) {
        Event late = late();
        records.add(new ProducerRecord<>(topic, late.accountId().getBytes(StandardCharsets.UTF_8),
            EventCodec.toProto(late).toByteArray()));
        var tooOld = EventCodec.toProto(e).toBuilder().setEventId("beyond-the-horizon")
            .setEventTime(EventCodec.timestamp(e.timeMillis() - 400 * 86_400_000L));
        records.add(new ProducerRecord<>(topic, key, tooOld.build().toByteArray()));
      }
      if (i == history.size() / 2) { // a producer retry: the same event again
        records.add(new ProducerRecord<>(topic, key, EventCodec.toProto(e).toByteArray()));
      }
    }
    return records;
  }

  JobSettings settings(Topics t) {
    return JobSettings.defaults(kafka.bootstrapServers(), dir.resolve("checkpoints").toUri().toString())
        .withTopics(t.events(), t.profiles(), t.deadLetters())
        .withBounded(true).withParallelism(2).withCheckpointInterval(Duration.ofMillis(300))
        .withClock(clock());
  }

  static void run(JobSettings s, UnaryOperator<DataStream<Incoming>> tap) throws Exception {
    var env = StreamExecutionEnvironment.getExecutionEnvironment(ProfileJob.configuration(s));
    ProfileJob.build(env, s, tap);
    env.execute("vigil-profiles-test");
  }

  /** The newest record per key, as any store materialising the topic keeps it. */
  static Map<String, ProfileRecord> newestPerKey(List<ConsumerRecord<byte[], byte[]>> records)
      throws Exception {
    Map<String, ProfileRecord> newest = new HashMap<>();
    for (var r : records) {
      var record = ProfileRecord.parseFrom(r.value());
      String key = new String(r.key(), StandardCharsets.UTF_8);
      newest.merge(key, record, (a, b) -> a.getVersion() >= b.getVersion() ? a : b);
    }
    return newest;
  }

  static void assertEqualsReferenceFold(Map<String, ProfileRecord> published, Event... late) {
    var reference = new ProfileBook(ProfileSettings.DEFAULT);
    history.forEach(reference::fold);
    for (Event e : late) {
      reference.fold(e); // anywhere: the state does not depend on the order
    }
    var codec = new ProfileCodec(ProfileSettings.DEFAULT);
    assertThat(published.keySet()).containsExactlyInAnyOrderElementsOf(
        reference.all().keySet().stream().map(EntityKey::toString).toList());
    for (var entry : reference.all().entrySet()) {
      ProfileRecord record = published.get(entry.getKey().toString());
      assertThat(record.getVersion()).as("version of %s", entry.getKey())
          .isEqualTo(entry.getValue().version());
      assertThat(Arrays.equals(record.getState().toByteArray(), codec.encode(entry.getValue())))
          .as("state of %s equals the reference fold", entry.getKey()).isTrue();
    }
  }

  /**
   * Kafka as banks run it: against a broker that takes SASL connections only, the job's source,
   * profile sinks and dead-letter sink authenticate with the client properties they are given
   * (--kafka-properties), and publish the reference fold.
   */
  @Test
  void readsAndPublishesThroughABrokerThatDemandsSasl() throws Exception {
    try (var sasl = EmbeddedKafka.withSasl()) {
      sasl.createTopic("vigil.events", 1, false);
      sasl.createTopic("vigil.profiles", 3, true);
      sasl.createTopic("vigil.events.dead-letters", 1, false);
      var records = new ArrayList<ProducerRecord<byte[], byte[]>>();
      for (Event e : history) {
        records.add(new ProducerRecord<>("vigil.events",
            e.accountId().getBytes(StandardCharsets.UTF_8), EventCodec.toProto(e).toByteArray()));
      }
      sasl.produce("vigil.events", records);
      run(JobSettings.defaults(sasl.bootstrapServers(), dir.resolve("checkpoints").toUri()
              .toString()).withBounded(true).withParallelism(2)
          .withCheckpointInterval(Duration.ofMillis(300)).withClock(clock())
          .withKafkaClient(sasl.clientProperties()), UnaryOperator.identity());
      assertEqualsReferenceFold(newestPerKey(sasl.readAll("vigil.profiles")));
    }
  }

  @Test
  void publishesTheReferenceProfilesAndDeadLettersBadRecords() throws Exception {
    Topics t = newTopics();
    kafka.produce(t.events(), records(t.events()));
    run(settings(t), UnaryOperator.identity());

    // the late event is in the profiles, counted as if it had come on time
    assertEqualsReferenceFold(newestPerKey(kafka.readAll(t.profiles())), late());
    var deadLetters = kafka.readAll(t.deadLetters());
    assertThat(deadLetters).hasSize(5);
    assertThat(deadLetters).extracting(r -> header(r, DeadLetterSerializer.FIELD))
        .containsExactlyInAnyOrder("event", "event.transaction.amount.currency",
            "event.event_time", "event.check_deposit.device_id", "event.event_time");
    assertThat(deadLetters).filteredOn(r -> header(r, DeadLetterSerializer.REASON)
        .contains("horizon")).singleElement().satisfies(r -> assertThat(
            header(r, DeadLetterSerializer.REASON)).contains("--events-file"));
    // every fold kept running (the reference fold above), and the dead letter stays small
    assertThat(deadLetters).filteredOn(r -> "event.check_deposit.device_id".equals(
        header(r, DeadLetterSerializer.FIELD))).singleElement().satisfies(r -> {
          assertThat(r.value()).hasSize(DeadLetterSerializer.MAX_PAYLOAD_BYTES);
          assertThat(Integer.parseInt(header(r, DeadLetterSerializer.TRUNCATED_FROM)))
              .isGreaterThan(600_000);
        });
    assertThat(deadLetters).allSatisfy(r ->
        assertThat(header(r, DeadLetterSerializer.REASON)).isNotBlank());
    // stamped when set aside (the job's clock), not with the event's time: the one 400 days old
    // would otherwise be deleted by the topic's next retention check
    assertThat(deadLetters).extracting(r -> r.timestamp()).containsOnly(clock().millis());
  }

  @Test
  void restoresFromItsLastCheckpointWithoutLosingOrDoublingAnEvent() throws Exception {
    Topics t = newTopics();
    kafka.produce(t.events(), records(t.events()));
    FailOnce.reset(history.size() / 2);
    FailOnce.changelog = Path.of(java.net.URI.create(
        ProfileJob.changelogDir(settings(t).checkpointDir())));
    run(settings(t), stream -> stream.map(new FailOnce()).name("fail once"));

    assertThat(FailOnce.failed).as("the job failed mid-stream").isTrue();
    assertThat(FailOnce.checkpointedBeforeFailure).as("after a completed checkpoint").isTrue();
    assertThat(FailOnce.changelogBeforeFailure)
        .as("whose state changes went to the changelog (restored from it)").isTrue();
    assertThat(FailOnce.opened.get()).as("and was restored").isGreaterThanOrEqualTo(2);
    assertEqualsReferenceFold(newestPerKey(kafka.readAll(t.profiles())), late());
  }

  /**
   * A job upgraded onto the changelog: the first process (no changelog, as before it) folds half
   * of the history and stops after a checkpoint that holds it; the second, with the changelog,
   * resumes from that checkpoint as the CLI does after a crash and folds the rest, without a
   * single restart, to the reference fold.
   */
  @Test
  void resumesACheckpointTakenWithoutTheChangelogAndCarriesOnUnderIt() throws Exception {
    Topics t = newTopics();
    var records = records(t.events());
    var firstHalf = records.subList(0, records.size() / 2);
    kafka.produce(t.events(), firstHalf);
    JobSettings before = settings(t).withBounded(false).withMaterializeInterval(Duration.ZERO);
    var first = ProfileJob.start(before);
    // offsets are committed when a checkpoint completes: one holding the whole first half
    awaitCommitted(before, t.events(), firstHalf.size());
    first.cancel().get();
    String checkpoint = ProfileJob.latestCheckpoint(before.checkpointDir());
    assertThat(checkpoint).isNotNull();

    kafka.produce(t.events(), records.subList(records.size() / 2, records.size()));
    // unbounded as the CLI runs it (a restored source keeps the first run's unbounded splits)
    JobSettings after = settings(t).withBounded(false);
    assertThat(after.materializeInterval()).isPositive();
    CountOpens.opened.set(0);
    var resumed = StreamExecutionEnvironment.getExecutionEnvironment(
        ProfileJob.configuration(after, checkpoint));
    ProfileJob.build(resumed, after, stream -> stream.map(new CountOpens()).name("count opens"));
    var second = resumed.executeAsync("under the changelog");
    // a checkpoint under the changelog completed after the whole history was folded
    awaitCommitted(after, t.events(), records.size());
    second.cancel().get();

    assertThat(CountOpens.opened.get()).as("opened once per subtask: never restarted")
        .isEqualTo(after.parallelism());
    assertEqualsReferenceFold(newestPerKey(kafka.readAll(t.profiles())), late());
  }

  /** Waits (a minute at most) for the job's committed offsets on {@code topic} to reach n. */
  static void awaitCommitted(JobSettings s, String topic, long n) throws Exception {
    for (int i = 0; i < 600 && kafka.committedOffsets(s.groupId(), topic) < n; i++) {
      Thread.sleep(100);
    }
    assertThat(kafka.committedOffsets(s.groupId(), topic)).as("offsets committed on " + topic)
        .isEqualTo(n);
  }

  /** Counts how often its subtasks are opened: once each, unless the job restarts. */
  static final class CountOpens extends RichMapFunction<Incoming, Incoming> {
    static final AtomicInteger opened = new AtomicInteger();

    @Override
    public void open(OpenContext context) {
      opened.incrementAndGet();
    }

    @Override
    public Incoming map(Incoming in) {
      return in;
    }
  }

  @Test
  void replaysAnEventFileThroughTheSameOperators() throws Exception {
    Topics t = newTopics();
    Path file = dir.resolve("history.jsonl");
    try (var writer = new dev.vigil.features.event.EventFiles.EventWriter(file)) {
      history.forEach(writer);
    }
    java.nio.file.Files.writeString(file, "this line is not JSON\n",
        java.nio.file.StandardOpenOption.APPEND);
    run(settings(t).withEventsFile(file), UnaryOperator.identity());

    assertEqualsReferenceFold(newestPerKey(kafka.readAll(t.profiles())));
    assertThat(kafka.readAll(t.deadLetters())).singleElement()
        .satisfies(r -> assertThat(header(r, DeadLetterSerializer.FIELD)).isEqualTo("event"));
  }

  static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    var h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  /** Throws once, mid-stream, after a checkpoint has completed; slow enough to checkpoint. */
  static final class FailOnce extends RichMapFunction<Incoming, Incoming>
      implements CheckpointListener {
    static final AtomicInteger seen = new AtomicInteger();
    static final AtomicInteger opened = new AtomicInteger();
    static volatile boolean checkpointed;
    static volatile boolean checkpointedBeforeFailure;
    static volatile boolean failed;
    static volatile int failAfter;
    /** Where the job's state changelog goes; whether it held a file at a completed checkpoint. */
    static volatile Path changelog;
    static volatile boolean changelogWritten;
    static volatile boolean changelogBeforeFailure;

    static void reset(int after) {
      seen.set(0);
      opened.set(0);
      checkpointed = false;
      checkpointedBeforeFailure = false;
      failed = false;
      failAfter = after;
      changelogWritten = false;
      changelogBeforeFailure = false;
    }

    @Override
    public void open(OpenContext context) {
      opened.incrementAndGet();
    }

    @Override
    public Incoming map(Incoming in) throws Exception {
      if (seen.incrementAndGet() % 5 == 0) {
        Thread.sleep(1); // slow enough for checkpoints to complete mid-stream
      }
      if (!failed && !checkpointed && seen.get() > failAfter) {
        Thread.sleep(20); // a slow machine: wait for a checkpoint before failing
      }
      if (!failed && checkpointed && seen.get() > failAfter) {
        failed = true;
        checkpointedBeforeFailure = true;
        changelogBeforeFailure = changelogWritten;
        throw new IllegalStateException("injected failure");
      }
      return in;
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws java.io.IOException {
      if (changelog != null && java.nio.file.Files.isDirectory(changelog)) {
        try (var files = java.nio.file.Files.walk(changelog)) {
          changelogWritten |= files.anyMatch(java.nio.file.Files::isRegularFile);
        }
      }
      checkpointed = true;
    }
  }
}
