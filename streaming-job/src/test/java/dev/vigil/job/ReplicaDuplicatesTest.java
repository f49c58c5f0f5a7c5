package dev.vigil.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.EventCodec;
import dev.vigil.features.profile.EntityKey;
import dev.vigil.features.profile.ProfileBook;
import dev.vigil.features.profile.ProfileCodec;
import dev.vigil.features.profile.ProfileSettings;
import dev.vigil.history.simulator.Simulator;
import dev.vigil.proto.v1.ProfileRecord;
import dev.vigil.testkit.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Events published to both of two service replicas (a client retrying against the other one,
 * which cannot know the first took it and answers ACCEPTED): each replica's producer writes the
 * event to the events topic, keyed by account, so both copies land on one partition. The job
 * (its real Dedupe, on a MiniCluster with RocksDB) folds each once: every profile is the
 * reference fold of each event once. DedupeTest reads the operator's count of the second copies,
 * {@code vigil_events_duplicate}.
 */
class ReplicaDuplicatesTest {
  @TempDir Path dir;

  /** A replica's ingest producer, as Ingest.producer makes it: acks=all, idempotent. */
  private static KafkaProducer<byte[], byte[]> replica(EmbeddedKafka kafka, String name) {
    var p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "vigil-ingest-" + name);
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static ProducerRecord<byte[], byte[]> record(Event e) {
    // the record's time is when it is produced (the simulated events are months old, older
    // than the topic's retention)
    return new ProducerRecord<>("vigil.events", e.accountId().getBytes(StandardCharsets.UTF_8),
        EventCodec.toProto(e).toByteArray());
  }

  @Test
  void anEventPublishedToBothReplicasIsFoldedOnceAndCountedAsADuplicate() throws Exception {
    var history = new ArrayList<Event>();
    new Simulator(Simulator.Config.of(27, 40, 10)).run(history::add);
    long newest = history.stream().mapToLong(Event::timeMillis).max().orElseThrow();
    Clock clock = Clock.fixed(Instant.ofEpochMilli(newest + 60_000), ZoneOffset.UTC);
    try (var kafka = new EmbeddedKafka()) {
      kafka.createTopic("vigil.events", 2, false);
      kafka.createTopic("vigil.profiles", 2, true);
      kafka.createTopic("vigil.events.dead-letters", 1, false);
      // replica A takes every event; every 7th is sent again to replica B after A acknowledged
      // it (the client did not hear A's acknowledgement), and B, whose ledger never saw it,
      // stores it too
      var resent = new ArrayList<Event>();
      try (var a = replica(kafka, "a"); var b = replica(kafka, "b")) {
        for (Event e : history) {
          a.send(record(e));
        }
        a.flush(); // acknowledged by A
        for (int i = 0; i < history.size(); i += 7) {
          b.send(record(history.get(i)));
          resent.add(history.get(i));
        }
        b.flush();
      }
      var ids = new HashSet<String>();
      long copies = kafka.readAll("vigil.events").stream().filter(r -> {
        try {
          return !ids.add(dev.vigil.proto.v1.Event.parseFrom(r.value()).getEventId());
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }).count();
      assertThat(copies).as("second copies on the events topic").isEqualTo(resent.size())
          .isPositive();

      JobSettings s = JobSettings.defaults(kafka.bootstrapServers(),
              dir.resolve("checkpoints").toUri().toString())
          .withBounded(true).withParallelism(2).withCheckpointInterval(Duration.ofMillis(300))
          .withClock(clock);
      var env = StreamExecutionEnvironment.getExecutionEnvironment(ProfileJob.configuration(s));
      ProfileJob.build(env, s);
      env.execute("vigil-replica-duplicates-test");

      // every profile is the reference fold of each event once
      var reference = new ProfileBook(ProfileSettings.DEFAULT);
      history.forEach(reference::fold);
      Map<String, ProfileRecord> published = new HashMap<>();
      for (var r : kafka.readAll("vigil.profiles")) {
        var p = ProfileRecord.parseFrom(r.value());
        published.merge(new String(r.key(), StandardCharsets.UTF_8), p,
            (x, y) -> x.getVersion() >= y.getVersion() ? x : y);
      }
      var codec = new ProfileCodec(ProfileSettings.DEFAULT);
      assertThat(published.keySet()).containsExactlyInAnyOrderElementsOf(
          reference.all().keySet().stream().map(EntityKey::toString).toList());
      List<String> differ = new ArrayList<>();
      for (var entry : reference.all().entrySet()) {
        ProfileRecord p = published.get(entry.getKey().toString());
        if (p.getVersion() != entry.getValue().version()
            || !Arrays.equals(p.getState().toByteArray(), codec.encode(entry.getValue()))) {
          differ.add(entry.getKey().toString());
        }
      }
      assertThat(differ).as("profiles that differ from the reference fold").isEmpty();

    }
  }
}
