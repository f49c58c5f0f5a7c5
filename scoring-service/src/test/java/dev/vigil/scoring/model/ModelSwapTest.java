package dev.vigil.scoring.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.EventCodec;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.registry.ModelRegistry;
import dev.vigil.proto.v1.ActivateModelRequest;
import dev.vigil.proto.v1.ListModelsRequest;
import dev.vigil.proto.v1.ModelAdminGrpc;
import dev.vigil.proto.v1.ModelInfo;
import dev.vigil.proto.v1.ModelRole;
import dev.vigil.proto.v1.RollbackModelRequest;
import dev.vigil.proto.v1.ScoreTransactionRequest;
import dev.vigil.proto.v1.ScoringServiceGrpc;
import dev.vigil.proto.v1.SetChallengerRequest;
import dev.vigil.proto.v1.SetShadowRequest;
import dev.vigil.scoring.TestService;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Model administration over gRPC, and swapping champions while calls keep coming. */
class ModelSwapTest {
  private static TestService.Stack stack;
  private static Path registryDir;
  @TempDir static Path dir;

  @BeforeAll
  static void start() throws Exception {
    stack = TestService.Stack.start(dir, 1, env -> {
      registryDir = Path.of(env.get("VIGIL_MODELS_REGISTRY"));
      // a second fraud version: the same default model published again
      var registry = new ModelRegistry(registryDir);
      var v1 = registry.load(Task.FRAUD, "v1");
      registry.publish(Task.FRAUD, v1.model(), v1.card());
    });
  }

  @AfterAll
  static void stop() throws Exception {
    stack.close();
  }

  private static ScoreTransactionRequest request(long i) {
    return ScoreTransactionRequest.newBuilder().setRequestId("load-" + i).setEvent(
        EventCodec.toProto(new Event("swap-" + i, TestService.NOW.toEpochMilli() - 1000,
            "a-" + (i % 50), "c-" + (i % 50), new Event.Transaction(new Event.Money(1_000 + i,
                "USD"), Event.Direction.DEBIT, Event.Channel.ECOMMERCE, "m-1", "5411", "US",
                "d-1", "")))).build();
  }

  @Test
  void championsSwapUnderLoadWithoutAFailedCall() throws Exception {
    var admin = ModelAdminGrpc.newBlockingStub(stack.channel);
    var stop = new AtomicBoolean();
    var calls = new AtomicLong();
    var failures = new ConcurrentHashMap<String, String>();
    var versionsSeen = ConcurrentHashMap.<String>newKeySet();
    Thread[] load = new Thread[4];
    for (int t = 0; t < load.length; t++) {
      int id = t;
      load[t] = new Thread(() -> {
        var scoring = ScoringServiceGrpc.newBlockingStub(stack.channel);
        long i = id * 1_000_000L;
        while (!stop.get()) {
          try {
            versionsSeen.add(scoring.withDeadlineAfter(5, TimeUnit.SECONDS)
                .scoreTransaction(request(i++)).getScore().getModelVersion());
            calls.incrementAndGet();
          } catch (StatusRuntimeException e) {
            failures.put("call " + i, e.getStatus().toString());
          }
        }
      });
      load[t].start();
    }
    for (int swap = 0; swap < 10; swap++) {
      Thread.sleep(100);
      ModelInfo info = admin.activateModel(ActivateModelRequest.newBuilder()
          .setTask(dev.vigil.proto.v1.Task.TASK_FRAUD).setVersion(swap % 2 == 0 ? "v2" : "v1")
          .build());
      assertThat(info.getRole()).isEqualTo(ModelRole.MODEL_ROLE_CHAMPION);
    }
    Thread.sleep(200);
    stop.set(true);
    for (Thread t : load) {
      t.join();
    }
    assertThat(failures).isEmpty();
    assertThat(calls.get()).isGreaterThan(100);
    assertThat(versionsSeen).containsExactlyInAnyOrder("v1", "v2");
  }

  @Test
  void adminRolesListAndRefusals() throws Exception {
    var admin = ModelAdminGrpc.newBlockingStub(stack.channel);
    var fraud = dev.vigil.proto.v1.Task.TASK_FRAUD;
    admin.activateModel(ActivateModelRequest.newBuilder().setTask(fraud).setVersion("v1").build());
    admin.activateModel(ActivateModelRequest.newBuilder().setTask(fraud).setVersion("v2").build());
    assertThat(admin.rollbackModel(RollbackModelRequest.newBuilder().setTask(fraud).build())
        .getVersion()).isEqualTo("v1");
    assertThat(admin.setChallenger(SetChallengerRequest.newBuilder().setTask(fraud)
        .setVersion("v2").setTrafficShare(0.25).build()).getTrafficShare()).isEqualTo(0.25);
    admin.setShadow(SetShadowRequest.newBuilder().setTask(fraud).setVersion("v2").build());
    var listed = admin.listModels(ListModelsRequest.newBuilder().setTask(fraud).build());
    assertThat(listed.getModelsList()).extracting(ModelInfo::getVersion)
        .containsExactly("v1", "v2");
    assertThat(listed.getModels(0).getRole()).isEqualTo(ModelRole.MODEL_ROLE_CHAMPION);
    assertThat(listed.getModels(0).getMetricsMap()).containsKey("auc_roc");
    assertThat(stack.server.models().lineup(Task.FRAUD).shadow().version()).isEqualTo("v2");
    // the challenger and shadow never change the answer: it still comes from v1
    var scoring = ScoringServiceGrpc.newBlockingStub(stack.channel);
    for (int i = 0; i < 20; i++) {
      assertThat(scoring.scoreTransaction(request(i)).getScore().getModelVersion())
          .isEqualTo("v1");
    }
    admin.setChallenger(SetChallengerRequest.newBuilder().setTask(fraud).build());
    admin.setShadow(SetShadowRequest.newBuilder().setTask(fraud).build());

    assertThatThrownBy(() -> admin.activateModel(ActivateModelRequest.newBuilder()
        .setTask(fraud).setVersion("v9").build()))
        .satisfies(e -> assertThat(Status.fromThrowable(e).getCode())
            .isEqualTo(Status.Code.INVALID_ARGUMENT)).hasMessageContaining("version");
    assertThatThrownBy(() -> admin.activateModel(ActivateModelRequest.newBuilder()
        .setVersion("v1").build())).hasMessageContaining("task: is required");

    // a model trained on another feature schema is refused, and the champion keeps serving
    Path card = registryDir.resolve("fraud/v2/card.json");
    String original = Files.readString(card);
    try {
      Files.writeString(card, original.replaceFirst(
          "\"featureSchemaFingerprint\" : \"[0-9a-f]+\"",
          "\"featureSchemaFingerprint\" : \"000000000000000000000000\""));
      assertThatThrownBy(() -> admin.activateModel(ActivateModelRequest.newBuilder()
          .setTask(fraud).setVersion("v2").build()))
          .satisfies(e -> assertThat(Status.fromThrowable(e).getCode())
              .isEqualTo(Status.Code.FAILED_PRECONDITION))
          .hasMessageContaining("feature schema");
      assertThat(scoring.scoreTransaction(request(1)).getScore().getModelVersion())
          .isEqualTo("v1");
    } finally {
      Files.writeString(card, original);
    }
  }
}
