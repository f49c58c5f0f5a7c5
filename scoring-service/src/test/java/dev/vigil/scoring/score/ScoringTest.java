package dev.vigil.scoring.score;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.Event.Channel;
import dev.vigil.features.event.Event.CheckDeposit;
import dev.vigil.features.event.Event.ContactChannel;
import dev.vigil.features.event.Event.Direction;
import dev.vigil.features.event.Event.Endorsement;
import dev.vigil.features.event.Event.Money;
import dev.vigil.features.event.Event.Transaction;
import dev.vigil.features.event.EventCodec;
import dev.vigil.features.profile.FeatureCatalogue;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.features.profile.ProfileBook;
import dev.vigil.features.profile.ProfileSettings;
import dev.vigil.proto.v1.AuditRecord;
import static dev.vigil.proto.v1.ContactChannel.CONTACT_CHANNEL_EMAIL;
import static dev.vigil.proto.v1.ContactChannel.CONTACT_CHANNEL_LETTER;
import dev.vigil.proto.v1.DelinquencyModel;
import dev.vigil.proto.v1.DepositDecision;
import dev.vigil.proto.v1.Reason;
import dev.vigil.proto.v1.ScoreCheckDepositRequest;
import dev.vigil.proto.v1.ScoreDelinquencyRequest;
import dev.vigil.proto.v1.ScoreStreamRequest;
import dev.vigil.proto.v1.ScoreStreamResponse;
import dev.vigil.proto.v1.ScoreTransactionRequest;
import dev.vigil.proto.v1.ScoreTransactionResponse;
import dev.vigil.proto.v1.ScoringServiceGrpc;
import dev.vigil.proto.v1.Segment;
import dev.vigil.proto.v1.TransactionDecision;
import dev.vigil.proto.v1.TreatmentAction;
import dev.vigil.registry.ModelRegistry;
import dev.vigil.scoring.TestService;
import dev.vigil.scoring.policy.PolicyVersions;
import dev.vigil.scoring.reason.ReasonCatalogue;
import dev.vigil.scoring.replay.DecisionReplay;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The score RPCs over a real port, on profiles materialised from a real Kafka topic into the real
 * RocksDB store, with the seeded default models from the registry and the default policy.
 */
class ScoringTest {
  private static final long MINUTE = 60_000L;
  private static TestService.Stack stack;
  private static ScoringServiceGrpc.ScoringServiceBlockingStub scoring;
  private static final long NOW = TestService.NOW.toEpochMilli();
  @TempDir static Path dir;

  @BeforeAll
  static void start() throws Exception {
    stack = TestService.Stack.start(dir, 2);
    scoring = ScoringServiceGrpc.newBlockingStub(stack.channel);

    var book = new ProfileBook(ProfileSettings.DEFAULT);
    // five card transactions within a minute on a-vel, all from device d-home
    for (int i = 0; i < 5; i++) {
      book.fold(txn("v-" + i, NOW - 5 * MINUTE + i * 10_000L, "a-vel", "d-home", 2_500));
    }
    // a check deposited on a-first; the same check later comes to a-second
    book.fold(new Event("dep-1", NOW - 60 * MINUTE, "a-first", "c-first",
        deposit("dep-1", "d-phone-1")));
    // a delinquent account whose customer consented to email only
    book.fold(new Event("st-1", NOW - 3 * 86_400_000L, "a-late", "c-late",
        new Event.AccountStatus(45, new Money(250_000, "USD"), NOW - 400 * 86_400_000L)));
    book.fold(new Event("cc-1", NOW - 30 * 86_400_000L, "a-late", "c-late",
        new Event.ConsentChange(ContactChannel.EMAIL, true)));
    // the same, for a customer whose core system sent their time zone
    book.fold(new Event("cd-2", NOW - 30 * 86_400_000L, "a-zoned", "c-zoned",
        new Event.CustomerDetails(ZoneId.of("America/New_York"))));
    book.fold(new Event("st-2", NOW - 3 * 86_400_000L, "a-zoned", "c-zoned",
        new Event.AccountStatus(45, new Money(250_000, "USD"), NOW - 400 * 86_400_000L)));
    book.fold(new Event("cc-2", NOW - 30 * 86_400_000L, "a-zoned", "c-zoned",
        new Event.ConsentChange(ContactChannel.EMAIL, true)));
    // a current account: a statement paid in full, nothing past due
    book.fold(new Event("st-3", NOW - 40 * 86_400_000L, "a-current", "c-current",
        new Event.AccountStatus(0, new Money(80_000, "USD"), NOW - 700 * 86_400_000L)));
    book.fold(new Event("sm-3", NOW - 35 * 86_400_000L, "a-current", "c-current",
        new Event.Statement(new Money(80_000, "USD"), new Money(2_500, "USD"),
            NOW - 10 * 86_400_000L, new Money(500_000, "USD"))));
    book.fold(new Event("pa-3", NOW - 20 * 86_400_000L, "a-current", "c-current",
        new Event.Payment("pa-3", new Money(80_000, "USD"), false, "")));
    TestService.publish(stack.kafka, stack.server, book);
  }

  @AfterAll
  static void stop() throws Exception {
    stack.close();
  }

  static Event txn(String id, long at, String account, String device, long cents) {
    return new Event(id, at, account, "c-" + account, new Transaction(new Money(cents, "USD"),
        Direction.DEBIT, Channel.CARD_PRESENT, "m-1", "5411", "US", device, ""));
  }

  static CheckDeposit deposit(String id, String device) {
    return new CheckDeposit(id, new Money(120_000, "USD"), "021000021", "payer-77", "1001",
        "img-abc", Endorsement.RESTRICTIVE, device);
  }

  private static ScoreTransactionRequest burst(String requestId) {
    return ScoreTransactionRequest.newBuilder().setRequestId(requestId)
        .setEvent(EventCodec.toProto(txn("v-6", NOW - 4 * MINUTE + 10_000, "a-vel", "d-new",
            2_500))).build();
  }

  @Test
  void aBurstFromANewDeviceSeesTheFiveEarlierTransactionsAndSpeaksOfVelocity() throws Exception {
    ScoreTransactionResponse r = scoring.scoreTransaction(burst("req-burst"));
    assertThat(r.getRequestId()).isEqualTo("req-burst");
    assertThat(r.getDecision()).isIn(TransactionDecision.TRANSACTION_DECISION_REVIEW,
        TransactionDecision.TRANSACTION_DECISION_DECLINE);
    assertThat(r.getScore().getReasonsList()).extracting(Reason::getCode)
        .anyMatch(code -> code.contains("VELOCITY"));
    assertThat(r.getScore().getReasonsCount()).isBetween(1, 4);
    assertThat(r.getScore().getModelVersion()).isEqualTo("v1");
    assertThat(r.getScore().getPolicyVersion()).isEqualTo("2026-12-07.5");
    assertThat(r.getScore().getScore()).isBetween(0, 999);
    assertThat(r.getScore().getProfileAsOf().getSeconds() * 1000)
        .isEqualTo((NOW - 5 * MINUTE + 40_000L) / 1000 * 1000);

    AuditRecord audit = auditOf(r.getScore().getAuditId());
    assertThat(audit.getFeaturesMap()).containsEntry("acct_txn_count_1h", 5.0)
        .containsEntry("device_new_90d", 1.0).containsEntry("txn_amount", 2_500.0);
    // keyed tokens, never the ids: the key is the one the service created in its state directory
    var tokens = dev.vigil.scoring.audit.EntityTokens.fromKeyFile(
        dir.resolve("state").resolve("audit-token.key"));
    assertThat(audit.getTokenKeyId()).isEqualTo(tokens.keyId());
    assertThat(java.nio.file.Files.getPosixFilePermissions(dir.resolve("state")
        .resolve("audit-token.key"))).isEqualTo(
            java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    assertThat(audit.getEntitiesList()).contains(tokens.token("ACCOUNT/a-vel"),
        tokens.token("DEVICE/d-new")).allMatch(e -> e.matches("[A-Z]+/[0-9a-f]{64}"));
    String raw = new String(audit.toByteArray(), java.nio.charset.StandardCharsets.ISO_8859_1);
    assertThat(raw).doesNotContain("a-vel").doesNotContain("d-new");
    assertThat(audit.getInputHash()).isEqualTo(tokens.hash(burst("req-burst").toByteArray()))
        .isNotEqualTo(java.util.HexFormat.of().formatHex(java.security.MessageDigest
            .getInstance("SHA-256").digest(burst("req-burst").toByteArray())));
    assertThat(audit.getDecision()).isEqualTo(r.getDecision().name()
        .substring("TRANSACTION_DECISION_".length()));
    assertThat(audit.getScore()).isEqualTo(r.getScore());
    assertThat(audit.getInputHash()).hasSize(64);
  }

  @Test
  void aMobileDepositWithoutTheRestrictiveEndorsementIsRefusedWithAReasonTheCustomerCanActOn() {
    for (var endorsement : List.of(Endorsement.MISSING, Endorsement.SIGNATURE_ONLY)) {
      var r = scoring.scoreCheckDeposit(ScoreCheckDepositRequest.newBuilder().setEvent(
          EventCodec.toProto(new Event("dep-e-" + endorsement, NOW - MINUTE, "a-endorse",
              "c-endorse", new CheckDeposit("dep-e-" + endorsement, new Money(4_000, "USD"),
                  "021000021", "payer-e", "78", "img-e-" + endorsement, endorsement,
                  "d-phone-e")))).build());
      assertThat(r.getDecision()).as("%s", endorsement)
          .isEqualTo(DepositDecision.DEPOSIT_DECISION_REJECT);
      assertThat(r.getScore().getReasons(0).getCode()).as("%s", endorsement)
          .isEqualTo(endorsement == Endorsement.MISSING ? "ENDORSEMENT_MISSING"
              : "ENDORSEMENT_NOT_RESTRICTIVE");
      assertThat(r.getScore().getReasons(0).getText()).contains("For mobile deposit only")
          .contains("deposit it again");
    }
  }

  @Test
  void theSameCheckOnASecondAccountIsRejectedAsADuplicate() {
    var request = ScoreCheckDepositRequest.newBuilder().setRequestId("req-dup")
        .setEvent(EventCodec.toProto(new Event("dep-2", NOW - MINUTE, "a-second", "c-second",
            deposit("dep-2", "d-phone-2")))).build();
    var r = scoring.scoreCheckDeposit(request);
    assertThat(r.getDecision()).isEqualTo(DepositDecision.DEPOSIT_DECISION_REJECT);
    assertThat(r.getScore().getReasons(0).getCode()).isEqualTo("DUPLICATE_PRESENTMENT");
    // a code is given once, though the policy's rule and the check's features both name it
    assertThat(r.getScore().getReasonsList()).extracting(Reason::getCode).doesNotHaveDuplicates();
    assertThat(r.getHoldDays()).isZero();

    // a fresh check on a fresh account is not rejected
    var fresh = ScoreCheckDepositRequest.newBuilder().setEvent(EventCodec.toProto(new Event(
        "dep-3", NOW - MINUTE, "a-third", "c-third", new CheckDeposit("dep-3",
            new Money(4_000, "USD"), "021000021", "payer-9", "77", "img-new",
            Endorsement.RESTRICTIVE, "d-phone-3")))).build();
    assertThat(scoring.scoreCheckDeposit(fresh).getDecision())
        .isNotEqualTo(DepositDecision.DEPOSIT_DECISION_REJECT);
  }

  @Test
  void aDelinquentAccountGetsASegmentAndATreatmentOnAConsentedChannelInConvenientHours() {
    var r = scoring.scoreDelinquency(ScoreDelinquencyRequest.newBuilder().setAccountId("a-late")
        .setCustomerId("c-late").setTimeZone("America/Chicago").build());
    assertThat(r.getSegment()).isIn(Segment.SEGMENT_SELF_CURE, Segment.SEGMENT_NEEDS_HELP,
        Segment.SEGMENT_HIGH_RISK);
    assertThat(r.getTreatment().getAction()).isNotEqualTo(TreatmentAction.TREATMENT_ACTION_NONE);
    // consent to email only: never a call or a text
    assertThat(r.getTreatment().getChannel()).isIn(CONTACT_CHANNEL_EMAIL, CONTACT_CHANNEL_LETTER);
    var local = Instant.ofEpochSecond(r.getTreatment().getEarliestContactTime().getSeconds())
        .atZone(ZoneId.of("America/Chicago")).toLocalTime();
    assertThat(local.getHour()).isBetween(8, 20);
    assertThat(r.getTreatment().getRationale()).isNotEmpty();
    assertThat(r.getScore().getReasonsList()).extracting(Reason::getCode)
        .doesNotContain("CONSENT_EMAIL").allMatch(code -> !code.equals("-"));
  }

  /**
   * A delinquency call is answered by the model that fits the account's state: the cure model
   * (its champion, its probability, reasons from its features) for an account past due, the
   * early-warning model for a current one; the answer says which, and the audit record is the
   * answering model's task.
   */
  @Test
  void aPastDueAccountGetsTheCureModelAndACurrentOneTheEarlyWarningModel() throws Exception {
    var registry = new ModelRegistry(dir.resolve("models"));
    String cureChampion = registry.roles(Task.CURE).champion();
    String earlyWarningChampion = registry.roles(Task.DELINQUENCY).champion();
    assertThat(cureChampion).isNotNull();

    var late = scoring.scoreDelinquency(ScoreDelinquencyRequest.newBuilder().setAccountId("a-late")
        .setCustomerId("c-late").setTimeZone("America/Chicago").build());
    assertThat(late.getModel()).isEqualTo(DelinquencyModel.DELINQUENCY_MODEL_CURE);
    assertThat(late.getScore().getModelId()).isEqualTo("cure");
    assertThat(late.getScore().getModelVersion()).isEqualTo(cureChampion);
    assertThat(late.getCureProbability()).isCloseTo(1 - late.getScore().getProbability(),
        within(1e-12)).isBetween(0.0, 1.0);
    assertThat(late.getScore().getStandIn()).isFalse();
    // its features and reasons are the cure model's: the audit record holds the cure set's
    // values, and replaying it with the cure champion gives the answer's reasons exactly
    assertThat(late.getScore().getReasonsList())
        .allMatch(r -> FeatureCatalogue.CURE.names().contains(r.getFeature()));
    AuditRecord record = auditOf(late.getScore().getAuditId());
    assertThat(record.getTask()).isEqualTo(Task.CURE.wire());
    assertThat(record.getFeaturesMap().keySet())
        .containsExactlyInAnyOrderElementsOf(FeatureCatalogue.CURE.names());
    var replay = new DecisionReplay(dir.resolve("models"),
        PolicyVersions.open(dir.resolve("state").resolve("policies")), ReasonCatalogue.load());
    assertThat(replay.replay(record)).isInstanceOf(DecisionReplay.Identical.class);
    // beside it the roll champion, on the same recorded values: in the answer and the record
    String rollChampion = registry.roles(Task.ROLL).champion();
    var roll = new dev.vigil.scoring.model.ServedModel(rollChampion,
        registry.load(Task.ROLL, rollChampion), FeatureCatalogue.ROLL);
    double[] values = FeatureCatalogue.ROLL.names().stream()
        .mapToDouble(n -> record.getFeaturesMap().get(n)).toArray();
    assertThat(late.hasRollProbability()).isTrue();
    assertThat(late.getRollProbability()).isEqualTo(roll.probability(values)).isBetween(0.0, 1.0);
    assertThat(record.getRoll().getRole()).isEqualTo("roll");
    assertThat(record.getRoll().getModelVersion()).isEqualTo(rollChampion);
    assertThat(record.getRoll().getProbability()).isEqualTo(late.getRollProbability());
    assertThat(record.getRoll().getError()).isEmpty();
    // replay scores the roll again: a record whose roll was not what that model says differs
    var tampered = record.toBuilder().setRoll(record.getRoll().toBuilder()
        .setProbability(record.getRoll().getProbability() / 2)).build();
    assertThat(replay.replay(tampered)).isInstanceOfSatisfying(DecisionReplay.Differs.class,
        d -> assertThat(d.differences()).extracting(DecisionReplay.Difference::field)
            .contains("roll.probability"));

    var current = scoring.scoreDelinquency(ScoreDelinquencyRequest.newBuilder()
        .setAccountId("a-current").setCustomerId("c-current").setTimeZone("America/Chicago")
        .build());
    assertThat(current.getModel()).isEqualTo(DelinquencyModel.DELINQUENCY_MODEL_EARLY_WARNING);
    assertThat(current.getScore().getModelId()).isEqualTo("delinquency");
    assertThat(current.getScore().getModelVersion()).isEqualTo(earlyWarningChampion);
    assertThat(current.getCureProbability()).isZero();
    assertThat(current.hasRollProbability()).isFalse();
    assertThat(auditOf(current.getScore().getAuditId()).hasRoll()).isFalse();
    assertThat(current.getSegment()).isIn(Segment.SEGMENT_CURRENT_LOW_RISK,
        Segment.SEGMENT_PRE_DELINQUENT);
    assertThat(current.getScore().getReasonsList())
        .allMatch(r -> FeatureCatalogue.DELINQUENCY.names().contains(r.getFeature()));
  }

  @Test
  void convenientHoursAreJudgedInTheZoneTheCustomersProfileHoldsBeforeTheRequests() {
    for (String requested : List.of("", "Asia/Tokyo")) {
      var r = scoring.scoreDelinquency(ScoreDelinquencyRequest.newBuilder()
          .setAccountId("a-zoned").setCustomerId("c-zoned").setTimeZone(requested)
          .build()); // as of NOW: 10:00 in New York, midnight in Tokyo
      assertThat(r.getTreatment().getTimeZone()).as("asked with '%s'", requested)
          .isEqualTo("America/New_York");
      var local = Instant.ofEpochSecond(r.getTreatment().getEarliestContactTime().getSeconds())
          .atZone(ZoneId.of("America/New_York")).toLocalTime();
      assertThat(local.getHour()).isBetween(8, 20);
      // judged in Tokyo, the contact would wait for 08:00 there (23:00 UTC): in New York, now
      assertThat(r.getTreatment().getEarliestContactTime().getSeconds() * 1000).isEqualTo(NOW);
    }
    // the request's zone stands in for a customer whose zone Vigil does not know
    var unknown = scoring.scoreDelinquency(ScoreDelinquencyRequest.newBuilder()
        .setAccountId("a-late").setCustomerId("c-late").setTimeZone("Asia/Tokyo").build());
    assertThat(unknown.getTreatment().getTimeZone()).isEqualTo("Asia/Tokyo");
    assertThat(unknown.getTreatment().getEarliestContactTime().getSeconds() * 1000)
        .isEqualTo(java.time.Instant.parse("2026-11-24T23:00:00Z").toEpochMilli());
  }

  @Test
  void eachInvalidFieldIsNamed() {
    var good = burst("req-bad").getEvent();
    assertInvalid(() -> scoring.scoreTransaction(ScoreTransactionRequest.getDefaultInstance()),
        "event");
    assertInvalid(() -> scoring.scoreTransaction(ScoreTransactionRequest.newBuilder()
        .setEvent(good.toBuilder().setTransaction(good.getTransaction().toBuilder()
            .setAmount(good.getTransaction().getAmount().toBuilder().setCurrency("DOLLARS"))))
        .build()), "event.transaction.amount.currency");
    assertInvalid(() -> scoring.scoreTransaction(ScoreTransactionRequest.newBuilder()
        .setEvent(good.toBuilder().setEventId("")).build()), "event.event_id");
    assertInvalid(() -> scoring.scoreTransaction(ScoreTransactionRequest.newBuilder()
        .setEvent(good.toBuilder().setEventTime(EventCodec.timestamp(NOW + 86_400_000L)))
        .build()), "event.event_time");
    assertInvalid(() -> scoring.scoreCheckDeposit(ScoreCheckDepositRequest.newBuilder()
        .setEvent(good).build()), "event.check_deposit");
    assertInvalid(() -> scoring.scoreDelinquency(ScoreDelinquencyRequest.newBuilder()
        .setTimeZone("UTC").build()), "account_id");
    assertInvalid(() -> scoring.scoreDelinquency(ScoreDelinquencyRequest.newBuilder()
        .setAccountId("a-late").build()), "time_zone");
    assertInvalid(() -> scoring.scoreDelinquency(ScoreDelinquencyRequest.newBuilder()
        .setAccountId("a-late").setTimeZone("Mars/Olympus").build()), "time_zone");
  }

  @Test
  void aStreamAnswersEachRequestInOrderAndAnErrorDoesNotEndIt() throws Exception {
    var responses = new TestService.Responses<ScoreStreamResponse>();
    var requests = ScoringServiceGrpc.newStub(stack.channel).scoreStream(responses);
    requests.onNext(ScoreStreamRequest.newBuilder().setTransaction(burst("s-1")).build());
    requests.onNext(ScoreStreamRequest.newBuilder().setDelinquency(ScoreDelinquencyRequest
        .newBuilder().setRequestId("s-2").setAccountId("a-late")).build());
    requests.onNext(ScoreStreamRequest.newBuilder().setDelinquency(ScoreDelinquencyRequest
        .newBuilder().setRequestId("s-3").setAccountId("a-late").setTimeZone("Europe/Paris"))
        .build());
    requests.onCompleted();
    var all = responses.await(java.time.Duration.ofSeconds(30));
    assertThat(all).extracting(ScoreStreamResponse::getRequestId)
        .containsExactly("s-1", "s-2", "s-3");
    assertThat(all.get(0).hasTransaction()).isTrue();
    assertThat(all.get(1).getError().getCode()).isEqualTo("INVALID_ARGUMENT");
    assertThat(all.get(1).getError().getField()).isEqualTo("time_zone");
    assertThat(all.get(2).getDelinquency().getSegment()).isNotEqualTo(
        Segment.SEGMENT_UNSPECIFIED);
  }

  @Test
  void metricsExposeLatencyDecisionsModelsAndFreshness() throws Exception {
    scoring.scoreTransaction(burst("req-metrics"));
    String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + stack.server.metricsPort() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    assertThat(body).contains(
        "vigil_rpc_duration_seconds_count{code=\"OK\",method=\"ScoreTransaction\"}")
        .containsPattern("vigil_decisions_total\\{decision=\"(REVIEW|DECLINE)\",task=\"fraud\"}")
        .contains("vigil_model_serving{role=\"champion\",task=\"fraud\",version=\"v1\"} 1.0")
        .contains("vigil_feature_freshness_seconds_count{task=\"fraud\"}")
        .contains("vigil_store_profiles{entity_type=\"ACCOUNT\"}")
        .containsPattern("vigil_store_hot_profiles \\d");
  }

  static AuditRecord auditOf(String auditId) throws Exception {
    return AuditRecord.parseFrom(stack.kafka.awaitValue("vigil.decisions", auditId,
        java.time.Duration.ofSeconds(30)));
  }

  static void assertInvalid(org.assertj.core.api.ThrowableAssert.ThrowingCallable call,
      String field) {
    assertThatThrownBy(call).isInstanceOf(StatusRuntimeException.class)
        .satisfies(e -> {
          Status s = ((StatusRuntimeException) e).getStatus();
          assertThat(s.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(s.getDescription()).startsWith(field + ": ");
        });
  }

  static List<String> codes(List<Reason> reasons) {
    return reasons.stream().map(Reason::getCode).toList();
  }
}
