package dev.vigil.scoring.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.features.profile.FeatureCatalogue;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.scoring.TestService;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PolicyTest {
  static String bundled() throws IOException {
    try (var in = Policy.class.getResourceAsStream("default-policy.yaml")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  static Map<String, Double> zeros(Task task) {
    var f = new HashMap<String, Double>();
    FeatureCatalogue.of(task).names().forEach(n -> f.put(n, 0.0));
    return f;
  }

  static final RequestFacts REQUEST = new RequestFacts("USD", null, "", "", null);

  @Test
  void theBundledPolicyDecidesDepositsInRuleOrder() throws IOException {
    Policy p = Policy.parse(bundled());
    var f = zeros(Task.DEPOSIT);
    f.put("account_age_days", 400.0);
    assertThat(p.deposit().decide(10, 0.01, f, REQUEST, r -> { }).decision())
        .isEqualTo(DepositAction.ACCEPT);
    f.put("check_seen_other_account", 1.0);
    var dup = p.deposit().decide(10, 0.01, f, REQUEST, r -> { });
    assertThat(dup.decision()).isEqualTo(DepositAction.REJECT);
    assertThat(dup.rule()).isEqualTo("duplicate-presentment");
    assertThat(dup.reason().code()).isEqualTo("DUPLICATE_PRESENTMENT");
    // a new account depositing far more than its history: Regulation CC new-account hold
    f.put("check_seen_other_account", 0.0);
    f.put("account_age_days", 12.0);
    f.put("deposit_history_count_90d", 2.0);
    f.put("deposit_amount_to_mean_90d", 6.0);
    f.put("deposit_amount", 90_000.0);
    var hold = p.deposit().decide(10, 0.01, f, REQUEST, r -> { });
    assertThat(hold.decision()).isEqualTo(DepositAction.HOLD);
    assertThat(hold.holdDays()).isEqualTo(5);
    assertThat(hold.holdReason()).isEqualTo("NEW_ACCOUNT");
  }

  @Test
  void aBadPolicyIsRefusedNamingWhereAndWhy() throws IOException {
    String good = bundled();
    assertThatThrownBy(() -> Policy.parse(good.replace("features.acct_txn_count_1h",
        "features.acct_txn_cnt_1h")))
        .isInstanceOf(Policy.InvalidPolicyException.class)
        .hasMessageContaining("transaction.rules[review-burst-on-new-device].when")
        .hasMessageContaining("acct_txn_cnt_1h");
    assertThatThrownBy(() -> Policy.parse(good.replace("when: score >= 900\n      decision: DECLINE",
        "when: score >=\n      decision: DECLINE")))
        .hasMessageContaining("transaction.rules[decline-very-high-risk].when");
    assertThatThrownBy(() -> Policy.parse(good.replace("when: score >= 400", "when: score")))
        .hasMessageContaining("review-high-risk].when");
    assertThatThrownBy(() -> Policy.parse(good.replace("hold_reason: NEW_ACCOUNT",
        "hold_reason: BECAUSE")))
        .hasMessageContaining("deposit.rules[new-account-outsized-deposit].hold_reason");
    assertThatThrownBy(() -> Policy.parse(good.replace("decision: DECLINE", "decision: BLOCK")))
        .hasMessageContaining("decision: must be one of [APPROVE, DECLINE, REVIEW]");
    assertThatThrownBy(() -> Policy.parse(good.replace("version: \"2026-12-07.5\"", "")))
        .hasMessageContaining("version: is required");
    assertThatThrownBy(() -> Policy.parse("transaction: [1, 2"))
        .hasMessageContaining("not valid YAML");
    // a condition's size bounds its cost: refused at load beyond the bounds
    String terms = "score >= 400" + " || score == 1".repeat(100); // 1,512 characters, 403 terms
    assertThat(terms.length()).isLessThan(Policy.MAX_CONDITION_CHARS);
    assertThatThrownBy(() -> Policy.parse(good.replace("when: score >= 400",
        "when: " + terms))).hasMessageContaining("review-high-risk].when: has")
        .hasMessageContaining("terms, more than 400");
    assertThatThrownBy(() -> Policy.parse(good.replace("when: score >= 400",
        "when: score >= 400" + " || score == 1".repeat(150))))
        .hasMessageContaining("review-high-risk].when: is longer than 2000 characters");
    Policy.parse(good.replace("when: score >= 400", "when: score >= 400"
        + " || score == 1".repeat(40))); // well within both bounds
  }

  @Test
  void aDecisionIsParsedByItsTasksEnumAndRefusedNamingFieldAndValue() throws IOException {
    String good = bundled();
    assertThatThrownBy(() -> Policy.parse(good.replace("decision: DECLINE", "decision: BLOCK")))
        .isInstanceOf(Policy.InvalidPolicyException.class)
        .hasMessageContaining("].decision: must be one of [APPROVE, DECLINE, REVIEW], not BLOCK");
    // a deposit's decision is not a transaction's
    assertThatThrownBy(() -> Policy.parse(good.replace("decision: DECLINE", "decision: ACCEPT")))
        .hasMessageContaining("decision: must be one of [APPROVE, DECLINE, REVIEW], not ACCEPT");
    assertThatThrownBy(() -> Policy.parse(good.replace("default: ACCEPT", "default: HOLD")))
        .hasMessageContaining("deposit.default: HOLD needs hold_days and a reason");
    Policy p = Policy.parse(good);
    assertThat(p.delinquency().standIn("store").decision()).isEqualTo(Segment.HIGH_RISK);
    var hold = p.deposit().standIn("deadline");
    assertThat(hold.decision()).isEqualTo(DepositAction.HOLD);
    assertThat(hold.holdDays()).isEqualTo(5);
    assertThat(hold.rule()).isEqualTo("stand_in: deadline");
  }

  @Test
  void aNullRuleOrAnyOtherStrangeShapeIsRefusedNotThrownAsABug() throws IOException {
    String good = bundled();
    assertThatThrownBy(() -> Policy.parse(good.replace("  rules:\n    - name: decline-very-high-risk",
        "  rules:\n    -\n    - name: decline-very-high-risk")))
        .isInstanceOf(Policy.InvalidPolicyException.class)
        .hasMessageContaining("transaction.rules[0]: is empty");
    for (String strange : new String[] {"", "~", "- 1\n- 2", "version: 1\ntransaction: 5",
        "version: \"x\"\ntransaction: {rules: [~]}"}) {
      assertThatThrownBy(() -> Policy.parse(strange)).as("%s", strange)
          .isInstanceOf(Policy.InvalidPolicyException.class);
    }
  }

  static final RequestFacts USD_REQUEST = new RequestFacts("USD", null, "", "", null);

  /** Every fraud feature, at 0. */
  static Map<String, Double> zeroFraudFeatures() {
    var features = new HashMap<String, Double>();
    for (String name : FeatureCatalogue.FRAUD.names()) {
      features.put(name, 0.0);
    }
    return features;
  }

  /** A policy whose first transaction rule divides by zero at score 500, then approves. */
  static String failingFirstRule(String onError) {
    return """
        version: "t-1"
        transaction:
          default: APPROVE
        %s  rules:
            - name: decline-odd
              when: score / (score - 500) > 1
              decision: DECLINE
            - name: approve-the-rest
              when: "true"
              decision: APPROVE
        deposit: { default: ACCEPT }
        delinquency: { default: CURRENT_LOW_RISK }
        """.formatted(onError);
  }

  @Test
  void aRuleThatFailsAtRunTimeTakesTheSafeOutcomeNotTheNextRule() {
    var failed = new java.util.ArrayList<String>();
    Policy p = Policy.parse(failingFirstRule(""));
    var features = zeroFraudFeatures();
    RequestFacts request = USD_REQUEST;
    var outcome = p.transaction().decide(500, 0.5, features, request, failed::add);
    assertThat(outcome.decision()).as("not the lenient rule after it")
        .isEqualTo(TransactionAction.REVIEW);
    assertThat(outcome.reason()).isEqualTo(Policy.RULE_FAILED);
    assertThat(outcome.rule()).startsWith("decline-odd");
    assertThat(failed).containsExactly("decline-odd");
    // the rule evaluates at every other score: no fallback there
    assertThat(p.transaction().decide(501, 0.5, features, request, failed::add).decision())
        .isEqualTo(TransactionAction.DECLINE);
    assertThat(p.transaction().decide(499, 0.5, features, request, failed::add).decision())
        .isEqualTo(TransactionAction.APPROVE);
    // the risk team chooses its own
    Policy strict = Policy.parse(failingFirstRule("  on_error: { decision: DECLINE }\n"));
    assertThat(strict.transaction().decide(500, 0.5, features, request, failed::add).decision())
        .isEqualTo(TransactionAction.DECLINE);
    assertThatThrownBy(() -> Policy.parse(failingFirstRule("  on_error: { decision: HOLD }\n")))
        .hasMessageContaining("transaction.on_error.decision");
    assertThatThrownBy(() -> Policy.parse(failingFirstRule("").replace(
        "deposit: { default: ACCEPT }", "deposit: { default: ACCEPT, on_error: { decision: HOLD } }")))
        .hasMessageContaining("deposit.on_error.hold_days");
  }

  @Test
  void anAmountInMinorUnitsIsComparedAsWrittenWithAnInteger() {
    // USD 500.00 is 50000 minor units; features are doubles, the literal an integer
    Policy p = Policy.parse(failingFirstRule("").replace("score / (score - 500) > 1",
        "features.txn_amount > 50000"));
    var failed = new java.util.ArrayList<String>();
    var features = new HashMap<>(zeroFraudFeatures());
    features.put("txn_amount", 50_000.0);
    assertThat(p.transaction().decide(10, 0.01, features, USD_REQUEST, failed::add).decision())
        .isEqualTo(TransactionAction.APPROVE);
    features.put("txn_amount", 50_001.0);
    assertThat(p.transaction().decide(10, 0.01, features, USD_REQUEST, failed::add).decision())
        .isEqualTo(TransactionAction.DECLINE);
    assertThat(failed).isEmpty();
  }

  @Test
  void aConditionThatIteratesWithoutEndIsStopped() {
    var features = zeroFraudFeatures();
    // every pair of features: 31 x 31 = 961 iterations fit, every triple does not
    String pairs = "features.all(a, features.all(b, features[a] + features[b] >= 0.0))";
    String triples = "features.all(a, features.all(b, features.all(c, features[c] >= 0.0)))";
    RequestFacts request = USD_REQUEST;
    var failed = new java.util.ArrayList<String>();
    Policy p = Policy.parse(failingFirstRule("").replace("score / (score - 500) > 1",
        "score > 2000 && " + pairs));
    assertThat(p.transaction().decide(2001, 0.5, features, request, failed::add).decision())
        .isEqualTo(TransactionAction.DECLINE);
    assertThatThrownBy(() -> Policy.parse(failingFirstRule("").replace(
        "score / (score - 500) > 1", triples))).isInstanceOf(Policy.InvalidPolicyException.class)
        .hasMessageContaining("decline-odd");
  }

  @Test
  void theWatcherSurvivesAnyFileAndLoadsTheNextGoodOne(@org.junit.jupiter.api.io.TempDir
      java.nio.file.Path dir) throws Exception {
    var file = dir.resolve("policy.yaml");
    String good = bundled();
    java.nio.file.Files.writeString(file, good);
    var reloads = new java.util.concurrent.LinkedBlockingQueue<LivePolicy.Reload>();
    try (var live = new LivePolicy(file, 20,
        PolicyVersions.open(file.resolveSibling("policies")), TestService.CLOCK, reloads::add)) {
      write(file, good.replace("  rules:\n    - name: decline-very",
          "  rules:\n    -\n    - name: decline-very"), 1);
      var refused = reloads.poll(30, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(refused).isNotNull();
      assertThat(refused.loaded()).isFalse();
      assertThat(live.current().version()).isEqualTo("2026-12-07.5");
      // the watcher is still there: the next good file serves
      write(file, good.replace("2026-12-07.5", "2026-12-01.1"), 2);
      var loaded = reloads.poll(30, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(loaded).isNotNull();
      assertThat(loaded.loaded()).isTrue();
      assertThat(live.current().version()).isEqualTo("2026-12-01.1");
    }
  }

  /** Writes {@code text} with a modification time of its own, however fast the writes come. */
  static void write(java.nio.file.Path file, String text, int generation) throws IOException {
    java.nio.file.Files.writeString(file, text);
    java.nio.file.Files.setLastModifiedTime(file,
        java.nio.file.attribute.FileTime.fromMillis(1_000_000L * generation));
  }

  @Test
  void reasonsAreGivenOnAdverseDecisionsByDefaultAndWhereThePolicySaysOtherwise()
      throws IOException {
    Policy p = Policy.parse(bundled());
    // by default: every decision but the clear one, beyond the 90th percentile
    assertThat(p.transaction().reasons().givenOn()).containsExactlyInAnyOrder("REVIEW", "DECLINE");
    assertThat(p.deposit().reasons().givenOn()).containsExactlyInAnyOrder("HOLD", "REJECT");
    assertThat(p.delinquency().reasons().givenOn()).doesNotContain("CURRENT_LOW_RISK")
        .hasSize(Segment.values().length - 1);
    assertThat(p.transaction().reasons().quantile()).isEqualTo(ReasonRule.DEFAULT_QUANTILE);
    for (var d : TransactionAction.values()) {
      assertThat(p.transaction().reasons().givenFor(d)).as("%s", d).isEqualTo(!d.favourable());
    }

    Policy written = Policy.parse(bundled().replace("transaction:\n", "transaction:\n"
        + "  reasons: { given_on: [APPROVE, DECLINE], beyond_quantile: 0.95 }\n"));
    assertThat(written.transaction().reasons().givenFor(TransactionAction.APPROVE)).isTrue();
    assertThat(written.transaction().reasons().givenFor(TransactionAction.REVIEW)).isFalse();
    assertThat(written.transaction().reasons().quantile()).isEqualTo(0.95);

    assertThatThrownBy(() -> Policy.parse(bundled().replace("deposit:\n", "deposit:\n"
        + "  reasons: { given_on: [HOLD, DECLINE] }\n")))
        .isInstanceOf(Policy.InvalidPolicyException.class)
        .hasMessageContaining("deposit.reasons.given_on[1]").hasMessageContaining("DECLINE");
    assertThatThrownBy(() -> Policy.parse(bundled().replace("transaction:\n", "transaction:\n"
        + "  reasons: { beyond_quantile: 0.3 }\n")))
        .isInstanceOf(Policy.InvalidPolicyException.class)
        .hasMessageContaining("transaction.reasons.beyond_quantile").hasMessageContaining("0.3");
  }
}
