package dev.vigil.scoring.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.EventCodec;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.registry.ModelRegistry;
import dev.vigil.proto.v1.AuditRecord;
import dev.vigil.proto.v1.ScoreCheckDepositRequest;
import dev.vigil.proto.v1.ScoreStreamRequest;
import dev.vigil.proto.v1.ScoreStreamResponse;
import dev.vigil.proto.v1.ScoreTransactionRequest;
import dev.vigil.proto.v1.ScoringServiceGrpc;
import dev.vigil.scoring.TestService;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model that fails on every request (a Tribuo model that knows none of the catalogue's features,
 * filed under the current schema's fingerprint, as a mislabelled registry entry would be): as
 * the shadow it never touches the champion's answer; as the champion, ScoreStream answers its
 * requests with the policy's stand-in decision and goes on.
 */
class FailingModelTest {
  private static TestService.Stack stack;
  private static Path registryDir;
  private static String broken;
  @TempDir static Path dir;

  @BeforeAll
  static void start() throws Exception {
    stack = TestService.Stack.start(dir, 1, env -> {
      registryDir = Path.of(env.get("VIGIL_MODELS_REGISTRY"));
      var registry = new ModelRegistry(registryDir);
      broken = TestService.publishModelThatFails(registry);
      registry.setShadow(Task.FRAUD, broken);
    });
  }

  @AfterAll
  static void stop() throws Exception {
    stack.close();
  }

  static Event purchase(String id) {
    return new Event(id, TestService.NOW.toEpochMilli() - 1000, "a-f", "c-f",
        new Event.Transaction(new Event.Money(2_000, "USD"), Event.Direction.DEBIT,
            Event.Channel.CARD_PRESENT, "m-1", "5411", "US", "d-1", ""));
  }

  @Test
  void aFailingShadowIsRecordedAndCountedAndTheChampionAnswers() throws Exception {
    var scoring = ScoringServiceGrpc.newBlockingStub(stack.channel);
    var r = scoring.scoreTransaction(ScoreTransactionRequest.newBuilder()
        .setEvent(EventCodec.toProto(purchase("f-1"))).build());
    assertThat(r.getScore().getModelVersion()).isEqualTo("v1");
    AuditRecord audit = AuditRecord.parseFrom(stack.kafka.awaitValue("vigil.decisions",
        r.getScore().getAuditId(), Duration.ofSeconds(30)));
    assertThat(audit.getOthersList()).singleElement().satisfies(shadow -> {
      assertThat(shadow.getRole()).isEqualTo("shadow");
      assertThat(shadow.getModelVersion()).isEqualTo(broken);
      assertThat(shadow.getError()).isNotEmpty();
    });
    String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
        "http://127.0.0.1:" + stack.server.metricsPort() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    assertThat(metrics).contains(
        "vigil_model_failures_total{role=\"shadow\",task=\"fraud\"} 1.0");
  }

  /**
   * A roll champion that fails: the cure model still answers the past-due account (not a
   * stand-in), roll_probability is 0 in the answer and NaN to the policy (the about-to-roll rule
   * cannot hold), the record keeps the error and the failure is counted.
   */
  @Test
  void aFailingRollModelLeavesTheCureAnswerStandingRecordedAndCounted() throws Exception {
    var registry = new ModelRegistry(registryDir);
    var book = new dev.vigil.features.profile.ProfileBook(
        dev.vigil.features.profile.ProfileSettings.DEFAULT);
    long now = TestService.NOW.toEpochMilli();
    book.fold(new Event("st-r", now - 3 * 86_400_000L, "a-roll", "c-roll",
        new Event.AccountStatus(25, new Event.Money(250_000, "USD"), now - 400 * 86_400_000L)));
    TestService.publish(stack.kafka, stack.server, book);
    String brokenRoll = TestService.publishModelThatFails(registry, Task.ROLL);
    registry.activate(Task.ROLL, brokenRoll);
    stack.server.models().refresh();
    try {
      var r = ScoringServiceGrpc.newBlockingStub(stack.channel).scoreDelinquency(
          dev.vigil.proto.v1.ScoreDelinquencyRequest.newBuilder().setAccountId("a-roll")
              .setCustomerId("c-roll").setTimeZone("America/Chicago").build());
      assertThat(r.getModel()).isEqualTo(dev.vigil.proto.v1.DelinquencyModel
          .DELINQUENCY_MODEL_CURE);
      assertThat(r.getScore().getStandIn()).isFalse();
      assertThat(r.getCureProbability()).isPositive();
      assertThat(r.hasRollProbability()).isFalse();
      AuditRecord audit = AuditRecord.parseFrom(stack.kafka.awaitValue("vigil.decisions",
          r.getScore().getAuditId(), Duration.ofSeconds(30)));
      assertThat(audit.getRoll().getRole()).isEqualTo("roll");
      assertThat(audit.getRoll().getModelVersion()).isEqualTo(brokenRoll);
      assertThat(audit.getRoll().getError()).isNotEmpty();
      assertThat(audit.getPolicyRule()).isNotEqualTo("about-to-roll");
      String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
          "http://127.0.0.1:" + stack.server.metricsPort() + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      assertThat(metrics).contains(
          "vigil_model_failures_total{role=\"roll\",task=\"cure\"} 1.0");
    } finally {
      registry.activate(Task.ROLL, "v1");
      stack.server.models().refresh();
    }
  }

  @Test
  void aStreamAnswersAFailingChampionsRequestsWithTheStandInAndGoesOn() throws Exception {
    var registry = new ModelRegistry(registryDir);
    registry.activate(Task.FRAUD, broken);
    stack.server.models().refresh();
    try {
      var responses = new TestService.Responses<ScoreStreamResponse>();
      var requests = ScoringServiceGrpc.newStub(stack.channel).scoreStream(responses);
      requests.onNext(ScoreStreamRequest.newBuilder().setTransaction(ScoreTransactionRequest
          .newBuilder().setRequestId("s-fails").setEvent(EventCodec.toProto(purchase("f-2"))))
          .build());
      requests.onNext(ScoreStreamRequest.newBuilder().setCheckDeposit(ScoreCheckDepositRequest
          .newBuilder().setRequestId("s-deposit").setEvent(EventCodec.toProto(new Event("f-3",
              TestService.NOW.toEpochMilli() - 1000, "a-f", "c-f", new Event.CheckDeposit(
                  "dep-f", new Event.Money(5_000, "USD"), "021000021", "payer-f", "1001", "",
                  Event.Endorsement.RESTRICTIVE, "d-1"))))).build());
      requests.onCompleted();
      var all = responses.await(Duration.ofSeconds(30));
      assertThat(all).extracting(ScoreStreamResponse::getRequestId)
          .containsExactly("s-fails", "s-deposit");
      assertThat(all.get(0).hasError()).isFalse();
      assertThat(all.get(0).getTransaction().getScore().getStandIn()).isTrue();
      assertThat(all.get(1).hasCheckDeposit()).isTrue();
    } finally {
      registry.activate(Task.FRAUD, "v1");
      stack.server.models().refresh();
    }
  }
}
