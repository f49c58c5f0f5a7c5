package dev.vigil.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.EventCodec;
import dev.vigil.proto.v1.AckStatus;
import dev.vigil.proto.v1.AuditRecord;
import dev.vigil.proto.v1.DepositDecision;
import dev.vigil.proto.v1.EntityType;
import dev.vigil.proto.v1.GetProfileRequest;
import dev.vigil.proto.v1.ProfileServiceGrpc;
import dev.vigil.proto.v1.PublishAck;
import dev.vigil.proto.v1.Reason;
import dev.vigil.proto.v1.ScoreCheckDepositRequest;
import dev.vigil.proto.v1.ScoreTransactionRequest;
import dev.vigil.proto.v1.ScoringServiceGrpc;
import dev.vigil.testkit.EmbeddedKafka;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole data path, each process in its own JVM as `./vigil up` runs them: events published
 * through IngestService go through Kafka, the Flink job (MiniCluster, RocksDB state), the profiles
 * topic and the service's store, and ScoreTransaction sees them. Then kill -9 of the job and of the
 * service during ingest: after restarts every acknowledged event is reflected exactly once.
 */
class EndToEndTest {
  private static final long MINUTE = 60_000L;
  /**
   * The instant this run's events happen around. The processes run on the wall clock, as `./vigil
   * up` does, so the test cannot stop it; it chooses instants whose time of day it knows instead:
   * the newest weekday noon (UTC, the zone calendar features fall back to for these customers)
   * at least two hours before now, so the night and weekend features read 0 whenever the suite
   * runs, and every event is in the past for the service and the job. At most about three days
   * back (Monday morning: the Friday before), far inside the horizon.
   */
  private final long now = TestInstants.weekdayNoonBefore(Instant.now().minus(Duration.ofHours(2)));
  @TempDir Path dir;
  private EmbeddedKafka kafka;
  private VigilProcess job;
  private VigilProcess service;
  private ManagedChannel channel;
  private int port;
  private int metricsPort;

  @BeforeEach
  void start() throws Exception {
    kafka = new EmbeddedKafka();
    kafka.createTopic("vigil.events", 2, false);
    kafka.createTopic("vigil.profiles", 2, true);
    kafka.createTopic("vigil.events.dead-letters", 1, false);
    kafka.createTopic("vigil.decisions", 1, false);
    try (var socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    job = new VigilProcess("job", "streaming-job", "dev.vigil.job.ProfileJob", "1g",
        List.of("--bootstrap-servers", kafka.bootstrapServers(), "--checkpoints",
            dir.resolve("checkpoints").toUri().toString(), "--checkpoint-interval-seconds", "2",
            "--parallelism", "1"), Map.of(), dir);
    var env = new HashMap<String, String>();
    env.put("VIGIL_PORT", Integer.toString(port));
    env.put("VIGIL_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
    env.put("VIGIL_STATE_DIR", dir.resolve("service").toString());
    env.put("VIGIL_MODELS_REGISTRY", TestModels.defaults(dir.resolve("models")).toString());
    try (var socket = new ServerSocket(0)) {
      metricsPort = socket.getLocalPort();
    }
    env.put("VIGIL_METRICS_PORT", Integer.toString(metricsPort));
    Path tls = TestTls.configure(dir.resolve("tls"), env);
    service = new VigilProcess("service", "scoring-service", "dev.vigil.scoring.ScoringServer",
        "1g", List.of(), env, dir);
    job.start();
    service.start();
    channel = TestTls.channel(tls, port, "admin");
    awaitServing();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    service.close();
    job.close();
    kafka.close();
  }

  @Test
  void ingestedEventsReachScoringThroughKafkaTheJobAndTheStore() throws Exception {
    // five card transactions within a minute
    var burst = new ArrayList<Event>();
    for (int i = 0; i < 5; i++) {
      burst.add(txn("e2e-v-" + i, now - 3 * MINUTE + i * 10_000L, "e2e-a1", "e2e-dev-1",
          2_000 + i));
    }
    assertThat(publish(burst)).extracting(PublishAck::getStatus)
        .containsOnly(AckStatus.ACK_STATUS_ACCEPTED);
    long acknowledged = System.nanoTime();
    await("the 1-hour count reaches 5", 120,
        () -> feature(EntityType.ENTITY_TYPE_ACCOUNT, "e2e-a1", "acct_txn_count_1h") == 5.0);
    double firstFreshness = (System.nanoTime() - acknowledged) / 1e6;

    var scored = ScoringServiceGrpc.newBlockingStub(channel).scoreTransaction(
        ScoreTransactionRequest.newBuilder().setRequestId("e2e-score").setEvent(EventCodec.toProto(
            txn("e2e-v-5", now - 2 * MINUTE, "e2e-a1", "e2e-dev-new", 2_000))).build());
    assertThat(scored.getScore().getReasonsList()).extracting(Reason::getCode)
        .anyMatch(code -> code.contains("VELOCITY"));
    AuditRecord audit = audit(scored.getScore().getAuditId());
    assertThat(audit.getFeaturesMap()).containsEntry("acct_txn_count_1h", 5.0);

    // the same check deposited on two accounts: the second is rejected as a duplicate
    var check = new Event.CheckDeposit("e2e-dep-1", new Event.Money(80_000, "USD"), "021000021",
        "payer-e2e", "5001", "img-e2e", Event.Endorsement.RESTRICTIVE, "e2e-dev-phone");
    assertThat(publish(List.of(new Event("e2e-dep-1", now - 10 * MINUTE, "e2e-b1", "e2e-cust-b1",
        check)))).extracting(PublishAck::getStatus).containsOnly(AckStatus.ACK_STATUS_ACCEPTED);
    await("the check's fingerprint is stored", 60, () -> profileVersion(
        EntityType.ENTITY_TYPE_CHECK, "micr:021000021|payer-e2e|5001") >= 1);
    var second = ScoringServiceGrpc.newBlockingStub(channel).scoreCheckDeposit(
        ScoreCheckDepositRequest.newBuilder().setEvent(EventCodec.toProto(new Event(
            "e2e-dep-2", now - MINUTE, "e2e-b2", "e2e-cust-b2", new Event.CheckDeposit("e2e-dep-2",
                check.amount(), check.routingNumber(), check.payerAccountFingerprint(),
                check.checkNumber(), check.imageFingerprint(), check.endorsement(),
                "e2e-dev-other")))).build());
    assertThat(second.getDecision()).isEqualTo(DepositDecision.DEPOSIT_DECISION_REJECT);
    assertThat(second.getScore().getReasons(0).getCode()).isEqualTo("DUPLICATE_PRESENTMENT");

    // freshness: acknowledgement by ingest to the profile visible to scoring, one event at a time
    double[] freshness = new double[20];
    for (int i = 0; i < freshness.length; i++) {
      String account = "e2e-f" + i;
      publish(List.of(txn("e2e-f-" + i, now - 1000, account, "d-f", 500)));
      long t0 = System.nanoTime();
      await("event " + i + " visible", 60,
          () -> profileVersion(EntityType.ENTITY_TYPE_ACCOUNT, account) >= 1);
      freshness[i] = (System.nanoTime() - t0) / 1e6;
    }
    Arrays.sort(freshness);
    String report = String.format("freshness (ingest ack to profile visible to scoring, 20"
            + " events one at a time): p50 %.0f ms, p90 %.0f ms, max %.0f ms; first burst %.0f ms",
        freshness[10], freshness[18], freshness[19], firstFreshness);
    System.out.println(report);
    Files.writeString(Path.of("target", "e2e-freshness.txt"), report + "\n");
    assertThat(freshness[19]).isLessThan(30_000);

    // personal data out of reach: none of the ids this test used is in either process's log,
    // anywhere on the decisions topic (keys, values, headers) or on /metrics
    var decisions = new StringBuilder();
    await("the decisions reach the topic", 60, () -> {
      decisions.setLength(0);
      var records = EmbeddedKafka.readAll(kafka.bootstrapServers(), "vigil.decisions");
      for (var r : records) {
        decisions.append(new String(r.key(), StandardCharsets.ISO_8859_1))
            .append(new String(r.value(), StandardCharsets.ISO_8859_1));
        r.headers().forEach(h -> decisions.append(new String(h.value(),
            StandardCharsets.ISO_8859_1)));
      }
      return records.size() >= 2;
    });
    String metrics = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest
        .newBuilder(java.net.URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    assertThat(metrics).contains("vigil_decisions_total");
    var places = Map.of("the service's log", service.log(), "the job's log", job.log(),
        "the decisions topic", decisions.toString(), "/metrics", metrics);
    for (String id : List.of("e2e-a1", "c-e2e-a1", "e2e-b1", "e2e-b2", "e2e-cust-b1",
        "e2e-cust-b2", "e2e-dev-1", "e2e-dev-new", "e2e-dev-phone", "e2e-dev-other",
        "payer-e2e", "e2e-f0", "c-e2e-f0")) {
      places.forEach((place, text) -> assertThat(text).as("%s in %s", id, place)
          .doesNotContain(id));
    }
  }

  @Test
  void killingTheJobAndThenTheServiceDuringIngestLosesNothingAndDoublesNothing()
      throws Exception {
    int accounts = 12;
    int perAccount = 15;
    var events = new ArrayList<Event>();
    for (int n = 0; n < perAccount; n++) {
      for (int a = 0; a < accounts; a++) {
        events.add(txn("k-" + a + "-" + n, now - 60 * MINUTE + n * MINUTE + a * 1000L,
            "e2e-k" + a, "d-k" + a, 1_000 + n));
      }
    }
    var acked = new LinkedHashMap<String, AckStatus>();
    int batch = 20;
    int sent = 0;
    // a third through: the job dies; two thirds through: the service dies
    while (sent < events.size()) {
      var next = events.subList(sent, Math.min(events.size(), sent + batch));
      for (PublishAck ack : publishUntilFailure(next)) {
        acked.put(ack.getEventId(), ack.getStatus());
      }
      sent += batch;
      if (sent == 60) {
        // once the first 60 events are folded and a checkpoint taken after that has completed:
        // the restarted job must restore them from it (the committed offsets are past them)
        await("the first 60 events folded", 120, () -> {
          for (int a = 0; a < accounts; a++) {
            if (profileVersion(EntityType.ENTITY_TYPE_ACCOUNT, "e2e-k" + a) < 5) {
              return false;
            }
          }
          return true;
        });
        // Kafka offsets are committed when a checkpoint completes: once they are past the 60
        // events, a checkpoint holding them exists, and a job that did not restore it would
        // start after them and count them nowhere
        await("the job's committed offsets pass the first 60 events", 60,
            () -> committedOffsets() >= 60);
        job.killHard();
      }
      if (sent == 120) {
        service.killHard();
        break;
      }
    }
    job.start();
    service.start();
    awaitServing();
    await("the job resumes from its checkpoint", 60,
        () -> job.log().contains("resuming from"));
    // resend everything: what was acknowledged comes back DUPLICATE, the rest is taken now
    for (int from = 0; from < events.size(); from += batch) {
      for (PublishAck ack : publish(events.subList(from, Math.min(events.size(), from + batch)))) {
        assertThat(ack.getStatus()).isIn(AckStatus.ACK_STATUS_ACCEPTED,
            AckStatus.ACK_STATUS_DUPLICATE);
        if (acked.containsKey(ack.getEventId())) {
          assertThat(ack.getStatus()).as("resent after acknowledgement: %s", ack.getEventId())
              .isEqualTo(AckStatus.ACK_STATUS_DUPLICATE);
        }
        acked.putIfAbsent(ack.getEventId(), ack.getStatus());
      }
    }
    assertThat(acked).hasSize(events.size());
    await("every account's profile holds its " + perAccount + " events", 180, () -> {
      for (int a = 0; a < accounts; a++) {
        if (profileVersion(EntityType.ENTITY_TYPE_ACCOUNT, "e2e-k" + a) < perAccount) {
          return false;
        }
      }
      return true;
    });
    Thread.sleep(5_000); // anything counted twice would show by now
    for (int a = 0; a < accounts; a++) {
      String account = "e2e-k" + a;
      assertThat(profileVersion(EntityType.ENTITY_TYPE_ACCOUNT, account)).as(account)
          .isEqualTo(perAccount);
      assertThat(feature(EntityType.ENTITY_TYPE_ACCOUNT, account, "acct_txn_count_24h"))
          .as(account).isEqualTo(perAccount);
    }
  }

  // ---- helpers ----------------------------------------------------------------------------

  static Event txn(String id, long at, String account, String device, long cents) {
    return new Event(id, at, account, "c-" + account, new Event.Transaction(
        new Event.Money(cents, "USD"), Event.Direction.DEBIT, Event.Channel.CARD_PRESENT,
        "m-e2e", "5411", "US", device, ""));
  }

  /** The streaming job's committed offsets on the events topic, summed over partitions. */
  private long committedOffsets() {
    try {
      return kafka.committedOffsets("vigil-profile-job", "vigil.events");
    } catch (Exception e) {
      return 0;
    }
  }

  private void awaitServing() throws Exception {
    await("the service reports SERVING", 180, () -> {
      if (!service.alive()) {
        throw new AssertionError("the service exited\n" + service.tail());
      }
      return Calls.serving(channel);
    });
  }

  private void await(String what, int seconds, BooleanSupplier condition) throws Exception {
    Calls.await(what, seconds, condition, job, service);
  }

  private List<PublishAck> publish(List<Event> events) throws Exception {
    var acks = publishUntilFailure(events);
    assertThat(acks).hasSize(events.size());
    return acks;
  }

  private List<PublishAck> publishUntilFailure(List<Event> events) throws Exception {
    return Calls.publishUntilFailure(channel, events);
  }

  private long profileVersion(EntityType type, String id) {
    return Calls.profileVersion(channel, type, id);
  }

  private double feature(EntityType type, String id, String feature) {
    try {
      return ProfileServiceGrpc.newBlockingStub(channel).getProfile(GetProfileRequest.newBuilder()
          .setEntityType(type).setEntityId(id).setAsOf(EventCodec.timestamp(now)).build())
          .getFeaturesOrDefault(feature, -1);
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
        return -1;
      }
      throw e;
    }
  }

  private AuditRecord audit(String auditId) throws Exception {
    return AuditRecord.parseFrom(kafka.awaitValue("vigil.decisions", auditId,
        java.time.Duration.ofSeconds(30)));
  }
}
