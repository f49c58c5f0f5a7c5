package dev.vigil.tools.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.features.profile.FeatureCatalogue;
import dev.vigil.scoring.policy.Policy;
import dev.vigil.scoring.policy.RequestFacts;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Hits per rule rest on {@code Policy.Rules.holding}: every rule whose condition is true, in the
 * policy's order, the first of them the one {@code decide} names; a rule that fails holds not.
 */
class RulesHoldingTest {
  private static Map<String, Double> features(double count1h, double newDevice) {
    var f = new HashMap<String, Double>();
    for (String name : FeatureCatalogue.FRAUD.names()) {
      f.put(name, 0.0);
    }
    f.put("acct_txn_count_1h", count1h);
    f.put("device_new_90d", newDevice);
    return f;
  }

  @Test
  void everyRuleThatHoldsIsNamedAndTheFirstDecides() throws Exception {
    Policy policy = Policy.parse(PolicyCommand.defaultPolicy());
    var facts = RequestFacts.transaction("USD", null, "US", "5411");
    var rules = policy.transaction();
    Map<String, Double> burst = features(6, 1);
    assertThat(rules.holding(950, 0.99, burst, facts)).containsExactly(
        "decline-very-high-risk", "review-high-risk", "review-burst-on-new-device");
    assertThat(rules.decide(950, 0.99, burst, facts, r -> { }).rule())
        .isEqualTo("decline-very-high-risk");
    assertThat(rules.holding(500, 0.5, features(0, 0), facts))
        .containsExactly("review-high-risk");
    assertThat(rules.holding(10, 0.01, features(0, 0), facts)).isEmpty();
  }

  @Test
  void aRuleThatFailsDoesNotHold() throws Exception {
    String text = PolicyCommand.defaultPolicy();
    Policy policy = Policy.parse(text.substring(0, text.indexOf("transaction:")) + """
        transaction:
          default: APPROVE
          rules:
            - name: divides-by-zero
              when: score >= 900 && score / (score - score) > 1
              decision: DECLINE
            - name: high
              when: score >= 900
              decision: REVIEW

        """ + text.substring(text.indexOf("deposit:")));
    assertThat(policy.transaction().holding(950, 0.99, features(0, 0),
        RequestFacts.transaction("USD", null, "US", "5411"))).isEqualTo(List.of("high"));
  }
}
