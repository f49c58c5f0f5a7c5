package dev.vigil.scoring.policy;

import static dev.vigil.scoring.policy.PolicyTest.REQUEST;
import static dev.vigil.scoring.policy.PolicyTest.bundled;
import static dev.vigil.scoring.policy.PolicyTest.zeros;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.features.profile.FeatureCatalogue.Task;
import org.junit.jupiter.api.Test;

/**
 * A delinquency condition's {@code cure_probability}: for an account past due (the cure model
 * answered, its probability the adverse outcome) 1 minus the probability, higher is better; for a
 * current one NaN, so that no comparison with it holds. The default policy segments past-due
 * accounts on it.
 */
class CureProbabilityTest {
  @Test
  void aPastDueAccountIsSegmentedOnItsChanceOfCuringAndACurrentOneNeverOnIt() throws Exception {
    var rules = Policy.parse(bundled()).delinquency();
    var pastDue = pastDue(12);
    // probability: not back to current within 30 days
    assertThat(rules.decide(50, 0.05, pastDue, REQUEST, r -> { }).decision())
        .isEqualTo(Segment.SELF_CURE); // 95% cure
    assertThat(rules.decide(300, 0.30, pastDue, REQUEST, r -> { }).decision())
        .isEqualTo(Segment.NEEDS_HELP); // 70%: a payment plan
    assertThat(rules.decide(800, 0.80, pastDue, REQUEST, r -> { }).decision())
        .isEqualTo(Segment.HIGH_RISK); // 20%: an agent's call

    // a current account: cure_probability is NaN, so "cure_probability < 0.5" never holds
    var current = zeros(Task.DELINQUENCY);
    current.put("inflow_30d_to_avg_90d", 1.0);
    var unlikely = Policy.parse(bundled().replace("    - name: hardship\n",
        "    - name: unlikely\n      when: cure_probability < 0.5\n      decision: HIGH_RISK\n"
            + "    - name: hardship\n"));
    assertThat(unlikely.delinquency().decide(10, 0.01, current, REQUEST, r -> { }).decision())
        .isEqualTo(Segment.CURRENT_LOW_RISK);
    assertThat(unlikely.delinquency().decide(900, 0.9, pastDue, REQUEST, r -> { }).rule())
        .isEqualTo("unlikely");
  }

  /**
   * {@code roll_probability}: the bundled policy calls an account likely to roll into the next
   * bucket first, even one likely to cure; without a roll answer (NaN) the cure segments decide;
   * a current account never sees a roll probability, whatever is passed.
   */
  @Test
  void anAccountLikelyToRollFirstGetsACallEvenWhenItWouldCure() throws Exception {
    var rules = Policy.parse(bundled()).delinquency();
    var pastDue = pastDue(27);
    var rolls = rules.decide(50, 0.05, 0.85, pastDue, REQUEST, r -> { });
    assertThat(rolls.decision()).isEqualTo(Segment.HIGH_RISK);
    assertThat(rolls.rule()).isEqualTo("about-to-roll");
    assertThat(rolls.reason().code()).isEqualTo("LIKELY_TO_ROLL");
    assertThat(rules.decide(50, 0.05, 0.79, pastDue, REQUEST, r -> { }).decision())
        .isEqualTo(Segment.SELF_CURE);
    assertThat(rules.decide(50, 0.05, Double.NaN, pastDue, REQUEST, r -> { }).decision())
        .isEqualTo(Segment.SELF_CURE);
    assertThat(rules.holding(50, 0.05, 0.85, pastDue, REQUEST))
        .startsWith("about-to-roll").contains("likely-self-cure");

    var current = zeros(Task.DELINQUENCY);
    current.put("inflow_30d_to_avg_90d", 1.0);
    assertThat(rules.decide(10, 0.01, 0.99, current, REQUEST, r -> { }).decision())
        .isEqualTo(Segment.CURRENT_LOW_RISK);
  }

  /** A past-due account's features: {@code dpd} days past due, nothing else adverse. */
  static java.util.Map<String, Double> pastDue(double dpd) {
    var features = zeros(Task.CURE);
    features.put("past_due", 1.0);
    features.put("dpd_current", dpd);
    features.put("inflow_30d_to_avg_90d", 1.0);
    return features;
  }
}
