package dev.vigil.scoring.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.Event.Channel;
import dev.vigil.features.event.Event.CheckDeposit;
import dev.vigil.features.event.Event.Direction;
import dev.vigil.features.event.Event.Endorsement;
import dev.vigil.features.event.Event.Money;
import dev.vigil.features.event.Event.Transaction;
import dev.vigil.features.event.EventCodec;
import dev.vigil.features.profile.ProfileBook;
import dev.vigil.features.profile.ProfileSettings;
import dev.vigil.proto.v1.AuditRecord;
import dev.vigil.proto.v1.PolicyRef;
import dev.vigil.proto.v1.ScoreCheckDepositRequest;
import dev.vigil.proto.v1.ScoreDelinquencyRequest;
import dev.vigil.proto.v1.ScoreDelinquencyResponse;
import dev.vigil.proto.v1.ScoreTransactionRequest;
import dev.vigil.proto.v1.ScoringServiceGrpc;
import dev.vigil.proto.v1.StrategyArm;
import dev.vigil.proto.v1.StrategyAssignment;
import dev.vigil.proto.v1.Task;
import dev.vigil.scoring.TestService;
import dev.vigil.scoring.audit.AuditChain;
import dev.vigil.scoring.collections.StrategyArms;
import dev.vigil.scoring.policy.Policy;
import dev.vigil.scoring.policy.PolicyVersions;
import dev.vigil.scoring.reason.ReasonCatalogue;
import dev.vigil.scoring.replay.DecisionReplay.Differs;
import dev.vigil.scoring.replay.DecisionReplay.Identical;
import dev.vigil.scoring.replay.DecisionReplay.NotReplayable;
import dev.vigil.scoring.replay.DecisionReplay.Result;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exact replay: 1,000 decisions of the three tasks, made by a real service over its port on
 * profiles materialised from Kafka, read back from the decisions topic and recomputed from their
 * records alone (features, model version from the registry, policy version from the service's
 * kept versions) to the same probability, score, decision, rule and reasons. A record whose
 * policy or model version is not available, or whose feature value was altered, is named.
 */
class DecisionReplayTest {
  private static final long NOW = TestService.NOW.toEpochMilli();
  private static final long MINUTE = 60_000L;
  private static final long DAY = 86_400_000L;
  private static final int DECISIONS = 1_000;
  private static final int ACCOUNTS = 60;
  @TempDir static Path dir;
  static final String CHALLENGER = """

      delinquency_challenger:
        name: plans-not-calls
        experiment: replay-test
        share: 0.5
        default: CURRENT_LOW_RISK
        rules:
          - name: strained
            when: features.dpd_current > 0.0 && probability >= 0.3
            decision: NEEDS_HELP
          - name: past-due-self-cure
            when: features.dpd_current > 0.0
            decision: SELF_CURE
        treatments:
          HIGH_RISK: PAYMENT_PLAN_OFFER
      """;
  private static TestService.Stack stack;
  private static List<AuditRecord> records;
  /** Each delinquency answer by its request id, with the account it was for. */
  private static final Map<String, Map.Entry<String, ScoreDelinquencyResponse>> answers =
      new HashMap<>();

  @BeforeAll
  static void scoreAThousand() throws Exception {
    // a collections strategy test: half the accounts decided by a challenger's own rules
    stack = TestService.Stack.start(dir, 2, env -> {
      Path policy = dir.resolve("policy.yaml");
      try (var in = Policy.class.getResourceAsStream("default-policy.yaml")) {
        Files.writeString(policy, new String(in.readAllBytes(), StandardCharsets.UTF_8)
            + CHALLENGER);
      }
      env.put("VIGIL_POLICY_FILE", policy.toString());
    });
    var random = new Random(30);
    var book = new ProfileBook(ProfileSettings.DEFAULT);
    for (int a = 0; a < ACCOUNTS; a++) {
      String account = "r-" + a;
      // a month of ordinary purchases, some accounts with a burst in the last hour
      for (int d = 30; d >= 1; d--) {
        book.fold(txn(account + "-h" + d, NOW - d * DAY, account, "d-" + a,
            1_000 + random.nextInt(9_000), Channel.CARD_PRESENT, "US"));
      }
      if (a % 4 == 0) {
        for (int i = 0; i < 6; i++) {
          book.fold(txn(account + "-b" + i, NOW - 50 * MINUTE + i * MINUTE, account,
              "d-burst-" + a, 20_000 + random.nextInt(50_000), Channel.ECOMMERCE, "GB"));
        }
      }
      if (a % 3 == 0) {
        book.fold(new Event(account + "-dep", NOW - 2 * DAY, account, "c-" + account,
            deposit(account + "-dep", Integer.toString(1_000 + a), 50_000,
                Endorsement.RESTRICTIVE)));
      }
      // collections: days past due, broken promises, returned payments on some
      book.fold(new Event(account + "-st", NOW - 3 * DAY, account, "c-" + account,
          new Event.AccountStatus(a % 5 == 0 ? 0 : 10 * (a % 7), new Money(100_000 + a * 5_000,
              "USD"), NOW - (20 + 30L * a) * DAY)));
      if (a % 6 == 1) {
        book.fold(new Event(account + "-pp", NOW - 20 * DAY, account, "c-" + account,
            new Event.PromiseToPay(new Money(10_000, "USD"), NOW - 10 * DAY)));
      }
      if (a % 5 == 2) {
        book.fold(new Event(account + "-pay", NOW - 15 * DAY, account, "c-" + account,
            new Event.Payment(account + "-pay", new Money(5_000, "USD"), true, "NSF")));
      }
    }
    TestService.publish(stack.kafka, stack.server, book);

    var scoring = ScoringServiceGrpc.newBlockingStub(stack.channel);
    var endorsements = Endorsement.values();
    var channels = new Channel[] {Channel.CARD_PRESENT, Channel.ECOMMERCE, Channel.ATM};
    for (int i = 0; i < DECISIONS; i++) {
      int a = random.nextInt(ACCOUNTS);
      String account = "r-" + a;
      var call = scoring.withDeadlineAfter(30, TimeUnit.SECONDS);
      switch (i % 3) {
        case 0 -> call.scoreTransaction(ScoreTransactionRequest.newBuilder()
            .setRequestId("rt-" + i).setEvent(EventCodec.toProto(txn("q-" + i,
                NOW - random.nextInt(30) * 1_000L, account,
                random.nextInt(4) == 0 ? "d-new-" + i : "d-" + a,
                random.nextInt(8) == 0 ? 500_000 + random.nextInt(2_000_000)
                    : 500 + random.nextInt(20_000),
                channels[random.nextInt(channels.length)],
                random.nextInt(5) == 0 ? "BR" : "US"))).build());
        case 1 -> {
          // a third of the checks were deposited before (duplicate presentment)
          String check = Integer.toString(random.nextInt(3) == 0
              ? 1_000 + random.nextInt(ACCOUNTS / 3) * 3 : 50_000 + i);
          call.scoreCheckDeposit(ScoreCheckDepositRequest.newBuilder().setRequestId("rd-" + i)
              .setEvent(EventCodec.toProto(new Event("qd-" + i, NOW - random.nextInt(30) * 1_000L,
                  account, "c-" + account, deposit("qd-" + i, check,
                      random.nextInt(6) == 0 ? 700_000 + random.nextInt(500_000)
                          : 2_000 + random.nextInt(80_000),
                      endorsements[random.nextInt(endorsements.length)])))).build());
        }
        default -> answers.put("rq-" + i, Map.entry(account,
            call.scoreDelinquency(ScoreDelinquencyRequest.newBuilder()
                .setRequestId("rq-" + i).setAccountId(account).setCustomerId("c-" + account)
                .setTimeZone("America/Chicago").setAsOf(EventCodec.timestamp(NOW)).build())));
      }
    }
    records = decisions(DECISIONS);
  }

  @AfterAll
  static void stop() throws Exception {
    stack.close();
  }

  /** The decisions' records on the decisions topic, once all {@code expected} have arrived. */
  static List<AuditRecord> decisions(int expected) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      var found = new ArrayList<AuditRecord>();
      for (var r : AuditChain.records(stack.kafka.bootstrapServers(), new Properties(),
          "vigil.decisions")) {
        AuditRecord record = AuditRecord.parseFrom(r.value());
        if (DecisionReplay.isDecision(record)) {
          found.add(record);
        }
      }
      if (found.size() >= expected || System.nanoTime() > deadline) {
        return found;
      }
      Thread.sleep(200);
    }
  }

  private static DecisionReplay replay() throws Exception {
    return new DecisionReplay(dir.resolve("models"),
        PolicyVersions.open(dir.resolve("state").resolve("policies")), ReasonCatalogue.load());
  }

  @Test
  void aThousandLiveDecisionsOfTheThreeTasksReplayIdentically() throws Exception {
    assertThat(records).hasSize(DECISIONS);
    DecisionReplay replay = replay();
    var byTask = new EnumMap<Task, Integer>(Task.class);
    var decisions = new HashMap<String, Integer>();
    var notIdentical = new ArrayList<Result>();
    for (AuditRecord record : records) {
      Result result = replay.replay(record);
      if (!(result instanceof Identical)) {
        notIdentical.add(result);
      }
      byTask.merge(record.getTask(), 1, Integer::sum);
      decisions.merge(record.getDecision(), 1, Integer::sum);
    }
    assertThat(notIdentical).isEmpty();
    // a delinquency call is answered by the early-warning model (a current account: a fifth of
    // them) or the cure model (a past-due one): both replayed
    assertThat(byTask.get(Task.TASK_DELINQUENCY)).isGreaterThanOrEqualTo(DECISIONS / 30);
    assertThat(byTask.get(Task.TASK_CURE)).isGreaterThanOrEqualTo(DECISIONS / 30);
    byTask.merge(Task.TASK_DELINQUENCY, byTask.remove(Task.TASK_CURE), Integer::sum);
    assertThat(byTask.values()).allMatch(n -> n >= DECISIONS / 3);
    // the decisions are not all one: rules, defaults and reasons of every kind were replayed
    assertThat(decisions.keySet()).contains("APPROVE", "ACCEPT", "REJECT");
    assertThat(decisions.keySet().stream().filter(d -> !List.of("APPROVE", "REVIEW", "DECLINE",
        "ACCEPT", "HOLD", "REJECT").contains(d)).count()).isGreaterThanOrEqualTo(2);
    assertThat(records.stream().filter(r -> r.getScore().getReasonsCount() > 0).count())
        .isGreaterThan(DECISIONS / 10);
    assertThat(records.stream().map(AuditRecord::getPolicy).collect(Collectors.toSet()))
        .singleElement().satisfies(p -> assertThat(p.getVersion()).isEqualTo(1));
    // both arms of the strategy test decided, and each replayed with its own rules
    assertThat(records.stream().filter(r -> r.getTask() == Task.TASK_DELINQUENCY)
        .map(r -> r.getCollections().getStrategy().getStrategy()).collect(Collectors.toSet()))
        .containsExactlyInAnyOrder("champion", "plans-not-calls");
  }

  @Test
  void everyDelinquencyAnswerNamesItsAccountsArmAsItsRecordDoes() throws Exception {
    Policy policy;
    try (var in = Files.newInputStream(dir.resolve("policy.yaml"))) {
      policy = Policy.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
    assertThat(answers).hasSizeGreaterThan(DECISIONS / 4);
    var byRequest = new HashMap<String, AuditRecord>();
    records.forEach(r -> byRequest.put(r.getRequestId(), r));
    for (var answer : answers.entrySet()) {
      String account = answer.getValue().getKey();
      StrategyAssignment strategy = answer.getValue().getValue().getStrategy();
      assertThat(strategy).as(answer.getKey())
          .isEqualTo(StrategyArms.assign(policy, account).wire())
          .isEqualTo(byRequest.get(answer.getKey()).getCollections().getStrategy());
      assertThat(strategy.getExperiment()).isEqualTo("replay-test");
    }
  }

  @Test
  void aDelinquencyDecisionReplayedWithTheOtherArmDiffers() throws Exception {
    // a past-due account's (answered by the cure model), decided by a rule only the challenger has
    AuditRecord record = records.stream().filter(r -> r.getTask() == Task.TASK_CURE
        && r.getCollections().getStrategy().getArm() == StrategyArm.STRATEGY_ARM_CHALLENGER
        && (r.getPolicyRule().equals("strained")
            || r.getPolicyRule().equals("past-due-self-cure")))
        .findFirst().orElseThrow();
    var champion = record.getCollections().getStrategy().toBuilder()
        .setArm(StrategyArm.STRATEGY_ARM_CHAMPION).build();
    Result result = replay().replay(record.toBuilder().setCollections(record.getCollections()
        .toBuilder().setStrategy(champion)).build());
    assertThat(result).isInstanceOfSatisfying(DecisionReplay.Differs.class, d ->
        assertThat(d.differences()).extracting(DecisionReplay.Difference::field)
            .contains("policy_rule", "strategy"));
  }

  @Test
  void aPolicyVersionNotKeptIsNamedAsTheCause() throws Exception {
    AuditRecord record = records.get(0);
    AuditRecord changed = record.toBuilder().setPolicy(record.getPolicy().toBuilder()
        .setSha256("0".repeat(64))).build();
    AuditRecord missing = record.toBuilder().setPolicy(PolicyRef.newBuilder().setVersion(7)
        .setSha256("1".repeat(64))).build();
    DecisionReplay replay = replay();
    assertThat(replay.replay(changed)).isInstanceOfSatisfying(NotReplayable.class,
        r -> {
          assertThat(r.kind()).isEqualTo("policy not kept");
          assertThat(r.cause()).contains("policy version 1 is kept").contains("0".repeat(64));
        });
    assertThat(replay.replay(missing)).isInstanceOfSatisfying(NotReplayable.class,
        r -> assertThat(r.cause()).contains("policy version 7").contains("is not kept"));
    assertThat(replay.replay(record)).isInstanceOf(Identical.class);
  }

  @Test
  void aModelVersionNotInTheRegistryIsNamedAsTheCause() throws Exception {
    AuditRecord record = records.stream().filter(r -> !r.getScore().getStandIn()).findFirst()
        .orElseThrow();
    AuditRecord gone = record.toBuilder().setScore(record.getScore().toBuilder()
        .setModelVersion("v99")).build();
    assertThat(replay().replay(gone)).isInstanceOfSatisfying(NotReplayable.class,
        r -> {
          assertThat(r.kind()).isEqualTo("model not available");
          assertThat(r.cause()).contains("v99").contains("not available");
        });
  }

  @Test
  void aFeatureValueAlteredInTheRecordIsADifferenceNamingTheField() throws Exception {
    AuditRecord record = records.stream().filter(r -> r.getTask() == Task.TASK_FRAUD)
        .findFirst().orElseThrow();
    Map<String, Double> features = new HashMap<>(record.getFeaturesMap());
    features.put("txn_amount", features.get("txn_amount") * 1_000 + 1);
    AuditRecord altered = record.toBuilder().clearFeatures().putAllFeatures(features).build();
    assertThat(replay().replay(altered)).isInstanceOfSatisfying(Differs.class,
        r -> assertThat(r.differences()).extracting(DecisionReplay.Difference::field)
            .contains("probability"));
  }

  static Event txn(String id, long at, String account, String device, long cents,
      Channel channel, String country) {
    return new Event(id, at, account, "c-" + account, new Transaction(new Money(cents, "USD"),
        Direction.DEBIT, channel, "m-" + (cents % 7), "5411", country, device, ""));
  }

  static CheckDeposit deposit(String id, String check, long cents, Endorsement endorsement) {
    return new CheckDeposit(id, new Money(cents, "USD"), "021000021", "payer-" + check, check,
        "img-" + id, endorsement, "d-phone");
  }
}
