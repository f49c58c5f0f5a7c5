package dev.vigil.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.testkit.EmbeddedKafka;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job does not start on empty state when its consumer group has committed offsets (a lost or
 * wrong checkpoint directory would silently drop the history before them), unless told to replay.
 */
class StartGuardTest {

  @Test
  void emptyStateWithCommittedOffsetsIsRefusedUnlessReplayingOrRestoring(@TempDir Path dir)
      throws Exception {
    try (var kafka = new EmbeddedKafka()) {
      kafka.createTopic(JobSettings.EVENTS_TOPIC, 2, false);
      var s = JobSettings.defaults(kafka.bootstrapServers(), dir.toUri().toString());

      // a group that never committed: a first start, nothing to lose
      assertThat(ProfileJob.refusalToStartEmpty(s, null)).isNull();

      var p = new Properties();
      p.put("bootstrap.servers", kafka.bootstrapServers());
      p.put("group.id", s.groupId());
      try (var consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
          new ByteArrayDeserializer())) {
        consumer.commitSync(Map.of(new TopicPartition(JobSettings.EVENTS_TOPIC, 0),
            new OffsetAndMetadata(42)));
      }

      assertThat(ProfileJob.refusalToStartEmpty(s, null))
          .contains("no checkpoint under " + dir.toUri())
          .contains("committed offsets on vigil.events")
          .contains("--replay-from-start");
      assertThat(ProfileJob.refusalToStartEmpty(s.withReplayFromStart(true), null)).isNull();
      assertThat(ProfileJob.refusalToStartEmpty(s, dir.resolve("chk-3").toUri().toString()))
          .isNull();
      assertThat(ProfileJob.refusalToStartEmpty(s.withEventsFile(dir.resolve("e.jsonl")), null))
          .isNull();

      // the command itself: refuses with exit code 2, before any job starts
      var err = new java.io.ByteArrayOutputStream();
      var previous = System.err;
      int code;
      try {
        System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
        code = ProfileJob.Cli.execute("--bootstrap-servers",
            kafka.bootstrapServers(), "--checkpoints", dir.resolve("none").toString());
      } finally {
        System.setErr(previous);
      }
      assertThat(code).isEqualTo(2);
      assertThat(err.toString(java.nio.charset.StandardCharsets.UTF_8))
          .contains("refusing to start");
    }
  }
}
