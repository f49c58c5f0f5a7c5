package dev.vigil.scoring.policy;

import static dev.vigil.scoring.policy.PolicyTest.REQUEST;
import static dev.vigil.scoring.policy.PolicyTest.bundled;
import static dev.vigil.scoring.policy.PolicyTest.zeros;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.features.profile.FeatureCatalogue;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.proto.v1.ModelResult;
import dev.vigil.scoring.score.Assessor;
import dev.vigil.scoring.score.Assessor.Assessment;
import dev.vigil.scoring.score.Pipeline;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What the policy reads as {@code roll_probability}: the roll model's probability for a past-due
 * account; NaN, so that no comparison holds (not even {@code < 0.5}), when no roll model served,
 * when it failed, and for a current account whatever is passed.
 */
class RollProbabilityTest {
  /** The bundled delinquency rules with one rule first that holds on any low roll probability. */
  private static Policy.Rules<Segment> lowRollFirst() throws Exception {
    return Policy.parse(bundled().replace("    - name: hardship\n",
        "    - name: low-roll\n      when: roll_probability < 0.5\n      decision: SELF_CURE\n"
            + "    - name: hardship\n")).delinquency();
  }

  private static Assessment cure(Map<String, Double> features, ModelResult roll) {
    double[] values = new double[FeatureCatalogue.CURE.names().size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = features.get(FeatureCatalogue.CURE.names().get(i));
    }
    var a = new Assessment(Task.CURE, null, values, features, null, 0.9, 900, null, List.of(),
        List.of(), null, null);
    return roll == null ? a : a.withRoll(roll);
  }

  @Test
  void aLowRollHoldsOnlyWhenARollModelAnsweredForAPastDueAccount() throws Exception {
    var rules = lowRollFirst();
    var pastDue = CureProbabilityTest.pastDue(12);
    var answered = ModelResult.newBuilder().setRole("roll").setModelVersion("v1")
        .setProbability(0.2).setScore(200).build();
    assertThat(Pipeline.outcome(rules, cure(pastDue, answered), REQUEST, r -> { }).rule())
        .isEqualTo("low-roll");

    // no roll model serving: recorded as the roll's error, NaN to the policy
    ModelResult none = Assessor.roll(null, new double[FeatureCatalogue.CURE.names().size()]);
    assertThat(none.getRole()).isEqualTo("roll");
    assertThat(none.getError()).isEqualTo("no roll model serving");
    Assessment without = cure(pastDue, none);
    assertThat(without.rollProbability()).isNaN();
    assertThat(Pipeline.outcome(rules, without, REQUEST, r -> { }).rule())
        .isEqualTo("unlikely-to-cure");

    // a roll model that failed: its probability field is 0, but the policy reads NaN
    var failed = ModelResult.newBuilder().setRole("roll").setModelVersion("v2")
        .setError("java.lang.IllegalStateException").build();
    assertThat(Pipeline.outcome(rules, cure(pastDue, failed), REQUEST, r -> { }).rule())
        .isEqualTo("unlikely-to-cure");
    // no roll at all (an assessment by another model)
    assertThat(Pipeline.outcome(rules, cure(pastDue, null), REQUEST, r -> { }).rule())
        .isEqualTo("unlikely-to-cure");

    // a current account never sees a roll probability, whatever is passed
    var current = zeros(Task.DELINQUENCY);
    current.put("inflow_30d_to_avg_90d", 1.0);
    assertThat(rules.decide(10, 0.01, 0.2, current, REQUEST, r -> { }).rule())
        .isNotEqualTo("low-roll");
  }
}
