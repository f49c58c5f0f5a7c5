package dev.vigil.scoring.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.EventCodec;
import dev.vigil.proto.v1.ScoreTransactionRequest;
import dev.vigil.proto.v1.ScoringServiceGrpc;
import dev.vigil.scoring.ScoringServer;
import dev.vigil.scoring.ServiceConfig;
import dev.vigil.scoring.TestService;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service never trains models, and never starts unable to decide: a task without a champion
 * stops the start, named, before anything is opened, unless the demo setting allows it.
 */
class MissingChampionTest {
  @TempDir Path dir;

  @Test
  void aTaskWithoutAChampionStopsTheStartAndIsNamed() throws Exception {
    var env = new HashMap<String, String>();
    env.put("VIGIL_STATE_DIR", dir.resolve("state").toString());
    TestService.useTls(env, TestService.tls());
    // an empty registry: a path that is wrong or not mounted
    env.put("VIGIL_MODELS_REGISTRY", Files.createDirectories(dir.resolve("empty")).toString());
    assertThatThrownBy(() -> ScoringServer.start(ServiceConfig.load(null, env),
        TestService.CLOCK)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no champion model for fraud, deposit, delinquency")
        .hasMessageContaining("./vigil models defaults");
    // one task's champion gone: that task alone is named
    Path registry = TestService.registryCopy(Files.createDirectories(dir.resolve("partial")));
    Files.delete(registry.resolve("delinquency").resolve("roles.json"));
    env.put("VIGIL_MODELS_REGISTRY", registry.toString());
    assertThatThrownBy(() -> ScoringServer.start(ServiceConfig.load(null, env),
        TestService.CLOCK)).hasMessageContaining("no champion model for delinquency in");
    // nothing was opened, nothing trained
    assertThat(dir.resolve("state").resolve("profiles")).doesNotExist();
    assertThat(dir.resolve("empty")).isEmptyDirectory();
  }

  @Test
  void theDemoSettingStartsWithoutAndAnswersFailedPreconditionForThatTask() throws Exception {
    try (var stack = TestService.Stack.start(dir, 1, env -> {
      env.put("VIGIL_MODELS_REGISTRY", Files.createDirectories(dir.resolve("none")).toString());
      env.put("VIGIL_MODELS_ALLOW_MISSING", "true");
    })) {
      long now = TestService.NOW.toEpochMilli();
      var request = ScoreTransactionRequest.newBuilder().setEvent(EventCodec.toProto(new Event(
          "mc-1", now - 1_000, "mc-a", "mc-c", new Event.Transaction(new Event.Money(1_000,
              "USD"), Event.Direction.DEBIT, Event.Channel.CARD_PRESENT, "mc-m", "5411", "US",
              "mc-d", "")))).build();
      assertThatThrownBy(() -> ScoringServiceGrpc.newBlockingStub(stack.channel)
          .withDeadlineAfter(30, TimeUnit.SECONDS).scoreTransaction(request))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
            assertThat(e.getStatus().getDescription()).contains("no fraud model is serving");
          });
    }
  }
}
