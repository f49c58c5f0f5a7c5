package dev.vigil.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.EventCodec;
import dev.vigil.history.simulator.Simulator;
import dev.vigil.testkit.AlertRules;
import dev.vigil.testkit.EmbeddedKafka;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job's alert rules ({@link AlertRules#FILE}, group vigil-job) use only metrics the job
 * exports: the job runs for real on a MiniCluster (RocksDB, checkpoints, a Kafka source on a real
 * broker) with Flink's Prometheus reporter configured as a cluster's would be, its endpoint is
 * scraped, and every metric name and label each rule's expression uses must be in the scrape.
 */
class AlertRulesJobTest {
  @TempDir Path dir;

  @Test
  void everyMetricTheJobsRulesUseIsExportedByFlinksPrometheusReporter() throws Exception {
    AlertRules rules = AlertRules.read(AlertRules.file(Path.of("")));
    AlertRules.Group job = rules.group("vigil-job");
    var history = new ArrayList<Event>();
    new Simulator(Simulator.Config.of(5, 20, 3)).run(history::add);
    long newest = history.stream().mapToLong(Event::timeMillis).max().orElseThrow();
    try (var kafka = new EmbeddedKafka()) {
      kafka.createTopic("vigil.events", 2, false);
      kafka.createTopic("vigil.profiles", 2, true);
      kafka.createTopic("vigil.events.dead-letters", 1, false);
      var records = new ArrayList<ProducerRecord<byte[], byte[]>>();
      for (Event e : history) {
        records.add(new ProducerRecord<>("vigil.events",
            e.accountId().getBytes(StandardCharsets.UTF_8), EventCodec.toProto(e).toByteArray()));
      }
      kafka.produce("vigil.events", records);
      JobSettings s = JobSettings.defaults(kafka.bootstrapServers(),
              dir.resolve("checkpoints").toUri().toString())
          .withParallelism(2).withCheckpointInterval(Duration.ofMillis(300))
          .withClock(Clock.fixed(Instant.ofEpochMilli(newest + 60_000), ZoneOffset.UTC));
      int port = freePort();
      Configuration conf = ProfileJob.configuration(s);
      // as a cluster's Flink configuration names it (docs/operations.md)
      conf.setString("metrics.reporter.prom.factory.class",
          "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
      conf.setString("metrics.reporter.prom.port", Integer.toString(port));
      var env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
      ProfileJob.build(env, s, UnaryOperator.identity());
      JobClient client = env.executeAsync("vigil-profiles-alert-rules");
      try {
        // the job's metrics appear as its tasks start: scrape until every rule is satisfied
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        Map<String, Set<String>> exported = AlertRules.exported(scrape(port));
        List<String> missing = AlertRules.missing(job, exported);
        while (!missing.isEmpty() && System.nanoTime() < deadline) {
          Thread.sleep(500);
          exported = AlertRules.exported(scrape(port));
          missing = AlertRules.missing(job, exported);
        }
        var listing = new StringBuilder();
        exported.forEach((name, labels) -> listing.append(name).append(' ').append(labels)
            .append('\n'));
        Files.writeString(Path.of("target", "job-metrics.txt"), listing);
        assertThat(missing).as("metrics the vigil-job rules use that the job does not export"
            + " (all it exports: target/job-metrics.txt)").isEmpty();
      } finally {
        client.cancel().get();
      }
    }
  }

  private static String scrape(int port) throws IOException, InterruptedException {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
            "http://127.0.0.1:" + port + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  private static int freePort() throws IOException {
    try (var socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
