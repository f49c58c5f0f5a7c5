package dev.vigil.scoring.score;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.EventCodec;
import dev.vigil.features.profile.EntityKey;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.registry.ModelRegistry;
import dev.vigil.proto.v1.AuditRecord;
import dev.vigil.proto.v1.DepositDecision;
import dev.vigil.proto.v1.ProfileRecord;
import dev.vigil.proto.v1.ScoreCheckDepositRequest;
import dev.vigil.proto.v1.ScoreDelinquencyRequest;
import dev.vigil.proto.v1.ScoreTransactionRequest;
import dev.vigil.proto.v1.ScoreTransactionResponse;
import dev.vigil.proto.v1.ScoringServiceGrpc;
import dev.vigil.proto.v1.Segment;
import dev.vigil.proto.v1.TransactionDecision;
import dev.vigil.scoring.TestService;
import dev.vigil.scoring.store.ProfileStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When no score can be computed, the caller gets the policy's stand-in decision, marked and
 * audited, instead of an error: the profiles cannot be read (a stored profile that does not
 * decode), the champion fails (a registry model that knows none of the catalogue's features), or
 * the call's deadline leaves less than the margin (set to 10 minutes here, so that a call with a
 * one-minute deadline stands in and one without a deadline is scored: no race with the clock).
 */
class StandInTest {
  private static TestService.Stack stack;
  private static ModelRegistry registry;
  private static String broken;
  @TempDir static Path dir;

  @BeforeAll
  static void start() throws Exception {
    stack = TestService.Stack.start(dir, 1, env -> {
      env.put("VIGIL_SCORING_STAND_IN_MARGIN_MS", Long.toString(TimeUnit.MINUTES.toMillis(10)));
      registry = new ModelRegistry(Path.of(env.get("VIGIL_MODELS_REGISTRY")));
      broken = TestService.publishModelThatFails(registry);
    });
  }

  @AfterAll
  static void stop() throws Exception {
    stack.close();
  }

  private static ScoringServiceGrpc.ScoringServiceBlockingStub scoring() {
    return ScoringServiceGrpc.newBlockingStub(stack.channel);
  }

  private static ScoreTransactionRequest purchase(String id, String account) {
    return ScoreTransactionRequest.newBuilder().setRequestId(id).setEvent(EventCodec.toProto(
        new Event(id, TestService.NOW.toEpochMilli() - 1000, account, "c-s",
            new Event.Transaction(new Event.Money(2_000, "USD"), Event.Direction.DEBIT,
                Event.Channel.CARD_PRESENT, "m-1", "5411", "US", "d-1", "")))).build();
  }

  private static AuditRecord audit(String auditId) throws Exception {
    return AuditRecord.parseFrom(stack.kafka.awaitValue("vigil.decisions", auditId,
        Duration.ofSeconds(30)));
  }

  private static String metrics() throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
        "http://127.0.0.1:" + stack.server.metricsPort() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  private static void assertStandIn(ScoreTransactionResponse r, String cause) throws Exception {
    assertThat(r.getDecision()).isEqualTo(TransactionDecision.TRANSACTION_DECISION_REVIEW);
    assertThat(r.getScore().getStandIn()).isTrue();
    assertThat(r.getScore().getModelVersion()).isEmpty();
    assertThat(r.getScore().getReasons(0).getCode()).isEqualTo("STAND_IN");
    AuditRecord audit = audit(r.getScore().getAuditId());
    assertThat(audit.getDecision()).isEqualTo("REVIEW");
    assertThat(audit.getPolicyRule()).isEqualTo("stand_in: " + cause);
    assertThat(audit.getScore().getStandIn()).isTrue();
    assertThat(metrics()).containsPattern(
        "vigil_stand_in_total\\{cause=\"" + cause + "\",task=\"fraud\"} [1-9]");
  }

  @Test
  void aCallWithoutADeadlineIsScored() {
    var r = scoring().scoreTransaction(purchase("s-scored", "a-s"));
    assertThat(r.getScore().getStandIn()).isFalse();
    assertThat(r.getScore().getModelVersion()).isEqualTo("v1");
    assertThat(r.getScore().getReasonsList()).extracting(dev.vigil.proto.v1.Reason::getCode)
        .doesNotContain("STAND_IN");
  }

  @Test
  void aFailingChampionGetsTheStandInDecision() throws Exception {
    registry.activate(Task.FRAUD, broken);
    stack.server.models().refresh();
    try {
      assertStandIn(scoring().scoreTransaction(purchase("s-model", "a-s")), "model");
    } finally {
      registry.activate(Task.FRAUD, "v1");
      stack.server.models().refresh();
    }
  }

  @Test
  void aProfileThatCannotBeReadGetsTheStandInDecision() throws Exception {
    // a stored account profile whose state names no entity: it does not decode
    stack.server.store().apply("test", List.of(new ProfileStore.Update(
        EntityKey.account("a-unreadable"), ProfileRecord.newBuilder().setVersion(1).build())),
        Map.of());
    assertStandIn(scoring().scoreTransaction(purchase("s-store", "a-unreadable")), "store");
  }

  @Test
  void aDeadlineWithinTheMarginGetsEachTasksStandInInTime() throws Exception {
    var hurried = scoring().withDeadlineAfter(1, TimeUnit.MINUTES);
    assertStandIn(hurried.scoreTransaction(purchase("s-deadline", "a-s")), "deadline");

    var deposit = hurried.scoreCheckDeposit(ScoreCheckDepositRequest.newBuilder()
        .setEvent(EventCodec.toProto(new Event("s-dep", TestService.NOW.toEpochMilli() - 1000,
            "a-s", "c-s", new Event.CheckDeposit("dep-s", new Event.Money(5_000, "USD"),
                "021000021", "payer-s", "1001", "", Event.Endorsement.RESTRICTIVE, "d-1"))))
        .build());
    assertThat(deposit.getDecision()).isEqualTo(DepositDecision.DEPOSIT_DECISION_HOLD);
    assertThat(deposit.getHoldDays()).isEqualTo(5);
    assertThat(deposit.getScore().getStandIn()).isTrue();

    var delinquency = hurried.scoreDelinquency(ScoreDelinquencyRequest.newBuilder()
        .setAccountId("a-s").build());
    assertThat(delinquency.getSegment()).isEqualTo(Segment.SEGMENT_HIGH_RISK);
    assertThat(delinquency.getScore().getStandIn()).isTrue();
    assertThat(delinquency.hasTreatment()).as("no contact planned without the profile").isFalse();
  }
}
