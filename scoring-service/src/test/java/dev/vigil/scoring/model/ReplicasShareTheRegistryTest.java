package dev.vigil.scoring.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.EventCodec;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.proto.v1.ActivateModelRequest;
import dev.vigil.proto.v1.ModelAdminGrpc;
import dev.vigil.proto.v1.RollbackModelRequest;
import dev.vigil.proto.v1.ScoreTransactionRequest;
import dev.vigil.proto.v1.ScoringServiceGrpc;
import dev.vigil.registry.ModelRegistry;
import dev.vigil.scoring.ScoringServer;
import dev.vigil.scoring.ServiceConfig;
import dev.vigil.scoring.TestService;
import dev.vigil.testkit.EmbeddedKafka;
import io.grpc.ManagedChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two replicas, each a ScoringServer on its own port with its own state directory, over one
 * registry directory (as replicas mounting one file system are): an activation and a rollback
 * made through ModelAdmin on one are served by the other within its poll of the registry.
 */
class ReplicasShareTheRegistryTest {
  /** Each replica's poll of the registry ({@code vigil.models.poll-ms}). */
  private static final String POLL_MS = "300";
  private static EmbeddedKafka kafka;
  private static ScoringServer a;
  private static ScoringServer b;
  private static ManagedChannel toA;
  private static ManagedChannel toB;
  @TempDir static Path dir;

  @BeforeAll
  static void start() throws Exception {
    kafka = new EmbeddedKafka();
    kafka.createTopic("vigil.events", 1, false);
    kafka.createTopic("vigil.profiles", 1, true);
    kafka.createTopic("vigil.decisions", 1, false);
    Path shared = TestService.registryCopy(Files.createDirectories(dir.resolve("registry")));
    var registry = new ModelRegistry(shared);
    var v1 = registry.load(Task.FRAUD, "v1"); // a second fraud version: v1 published again
    assertThat(registry.publish(Task.FRAUD, v1.model(), v1.card())).isEqualTo("v2");
    a = ScoringServer.start(ServiceConfig.load(null, replica("a", shared)), TestService.CLOCK);
    b = ScoringServer.start(ServiceConfig.load(null, replica("b", shared)), TestService.CLOCK);
    toA = TestService.channel(a.port(), "admin");
    toB = TestService.channel(b.port(), "admin");
  }

  /** A replica's environment: its own state and ports, the shared registry. */
  private static Map<String, String> replica(String name, Path registry) throws Exception {
    var env = TestService.env(kafka, Files.createDirectories(dir.resolve(name)));
    env.put("VIGIL_MODELS_REGISTRY", registry.toString());
    env.put("VIGIL_MODELS_POLL_MS", POLL_MS);
    return env;
  }

  @AfterAll
  static void stop() throws Exception {
    for (ManagedChannel c : new ManagedChannel[] {toA, toB}) {
      if (c != null) {
        c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
    for (ScoringServer s : new ScoringServer[] {a, b}) {
      if (s != null) {
        s.close();
      }
    }
    kafka.close();
  }

  private static final AtomicLong requests = new AtomicLong();

  /** The model version a replica scores a fraud transaction with now. */
  private static String served(ManagedChannel replica) {
    long i = requests.incrementAndGet();
    var request = ScoreTransactionRequest.newBuilder().setRequestId("r-" + i).setEvent(
        EventCodec.toProto(new Event("replica-" + i, TestService.NOW.toEpochMilli() - 1000,
            "a-" + i % 7, "c-1", new Event.Transaction(new Event.Money(2_500, "USD"),
                Event.Direction.DEBIT, Event.Channel.ECOMMERCE, "m-1", "5411", "US", "d-1",
                "")))).build();
    return ScoringServiceGrpc.newBlockingStub(replica).withDeadlineAfter(5, TimeUnit.SECONDS)
        .scoreTransaction(request).getScore().getModelVersion();
  }

  /** Polls {@code replica} until it serves {@code version}; how long that took. */
  private static Duration awaitServed(ManagedChannel replica, String version) throws Exception {
    long start = System.nanoTime();
    long deadline = start + Duration.ofSeconds(30).toNanos();
    String seen = served(replica);
    while (!seen.equals(version)) {
      assertThat(System.nanoTime()).as("served %s within 30 s (still %s)", version, seen)
          .isLessThan(deadline);
      Thread.sleep(50);
      seen = served(replica);
    }
    return Duration.ofNanos(System.nanoTime() - start);
  }

  @Test
  void anActivationAndARollbackOnOneReplicaAreServedByTheOther() throws Exception {
    assertThat(served(toA)).isEqualTo("v1");
    assertThat(served(toB)).isEqualTo("v1");
    var adminA = ModelAdminGrpc.newBlockingStub(toA).withDeadlineAfter(30, TimeUnit.SECONDS);

    adminA.activateModel(ActivateModelRequest.newBuilder()
        .setTask(dev.vigil.proto.v1.Task.TASK_FRAUD).setVersion("v2").build());
    assertThat(served(toA)).as("the replica that made the change, at once").isEqualTo("v2");
    Duration activation = awaitServed(toB, "v2");

    ModelAdminGrpc.newBlockingStub(toA).withDeadlineAfter(30, TimeUnit.SECONDS)
        .rollbackModel(RollbackModelRequest.newBuilder()
            .setTask(dev.vigil.proto.v1.Task.TASK_FRAUD).build());
    assertThat(served(toA)).isEqualTo("v1");
    Duration rollback = awaitServed(toB, "v1");
    System.out.printf("the other replica served the activation after %d ms and the rollback"
        + " after %d ms (poll %s ms)%n", activation.toMillis(), rollback.toMillis(), POLL_MS);
  }
}
