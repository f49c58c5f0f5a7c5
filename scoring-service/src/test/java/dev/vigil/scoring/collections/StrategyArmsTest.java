package dev.vigil.scoring.collections;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.features.profile.FeatureCatalogue;
import dev.vigil.scoring.collections.StrategyArms.Arm;
import dev.vigil.scoring.policy.Policy;
import dev.vigil.scoring.policy.RequestFacts;
import dev.vigil.scoring.policy.Segment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.assertj.core.data.Offset;

/**
 * Accounts are assigned to a strategy's arms by a stable hash: the same account in the same arm
 * whatever the call, and the challenger's share held over many accounts.
 */
class StrategyArmsTest {
  static String bundled() throws IOException {
    try (var in = Policy.class.getResourceAsStream("default-policy.yaml")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  static Policy withChallenger(String experiment, double share) throws IOException {
    return Policy.parse(bundled() + """

        delinquency_challenger:
          name: plans-not-calls
          experiment: %s
          share: %s
          default: CURRENT_LOW_RISK
          rules:
            - name: strained
              when: features.dpd_current > 0.0 && probability >= 0.3
              decision: NEEDS_HELP
          treatments:
            HIGH_RISK: PAYMENT_PLAN_OFFER
        """.formatted(experiment, share));
  }

  @Provide
  Arbitrary<String> accounts() {
    return Arbitraries.strings().withCharRange('!', '~').ofMinLength(1).ofMaxLength(40);
  }

  @Property(tries = 200)
  void anAccountStaysInItsArmAcrossPolicyLoads(@ForAll("accounts") String account,
      @ForAll @DoubleRange(min = 0.01, max = 0.5) double share) throws IOException {
    // two loads of the same text: as two replicas, or one before and after a restart
    Arm first = StrategyArms.assign(withChallenger("exp-1", share), account).arm();
    Arm again = StrategyArms.assign(withChallenger("exp-1", share), account).arm();
    assertThat(again).isEqualTo(first);
    assertThat(first == Arm.CHALLENGER)
        .isEqualTo(StrategyArms.bucket("exp-1", account) < share);
  }

  @Property(tries = 20)
  void theSharesHoldOverManyAccounts(@ForAll @DoubleRange(min = 0.05, max = 0.5) double share,
      @ForAll @IntRange(min = 0, max = 1_000_000) int firstAccount) throws IOException {
    Policy policy = withChallenger("exp-" + firstAccount % 7, share);
    int n = 20_000;
    int challengers = 0;
    for (int i = 0; i < n; i++) {
      if (StrategyArms.assign(policy, "a-" + (firstAccount + i)).arm() == Arm.CHALLENGER) {
        challengers++;
      }
    }
    // binomial: 5 standard deviations of the share over n accounts
    double tolerance = 5 * Math.sqrt(share * (1 - share) / n);
    assertThat(challengers / (double) n).isCloseTo(share,
        Offset.offset(tolerance));
  }

  @Property(tries = 50)
  void aNewExperimentDrawsTheArmsAnew(@ForAll @IntRange(min = 0, max = 1_000_000) int first) {
    // the same accounts in two experiments: their buckets are independent, not the same
    int n = 2_000;
    int both = 0;
    for (int i = 0; i < n; i++) {
      String account = "a-" + (first + i);
      if (StrategyArms.bucket("one", account) < 0.5 && StrategyArms.bucket("two", account) < 0.5) {
        both++;
      }
    }
    assertThat(both / (double) n).isBetween(0.25 - 0.06, 0.25 + 0.06);
  }

  @Example
  void withoutAChallengerEveryAccountIsTheChampions() throws IOException {
    var strategy = StrategyArms.assign(Policy.parse(bundled()), "a-1");
    assertThat(strategy.arm()).isEqualTo(Arm.CHAMPION);
    assertThat(strategy.wire().getStrategy()).isEqualTo("champion");
    assertThat(strategy.wire().getExperiment()).isEmpty();
  }

  @Example
  void theChallengersRulesAndTreatmentsAreItsOwn() throws IOException {
    Policy policy = withChallenger("exp-1", 0.5);
    var challenger = StrategyArms.of(policy, Arm.CHALLENGER);
    assertThat(challenger.name()).isEqualTo("plans-not-calls");
    assertThat(challenger.treatments()).containsEntry(Segment.HIGH_RISK,
        TreatmentAction.PAYMENT_PLAN_OFFER);
    var f = new HashMap<String, Double>();
    FeatureCatalogue.DELINQUENCY.names().forEach(n -> f.put(n, 0.0));
    f.put("dpd_current", 12.0);
    f.put("past_due", 1.0); // the cure model's account: probability 0.6, a cure probability of 0.4
    f.put("inflow_30d_to_avg_90d", 1.0); // no sign of hardship for the champion's rules
    var facts = new RequestFacts("USD", null, "", "", null);
    assertThat(challenger.rules().decide(600, 0.6, f, facts, r -> { }).decision())
        .isEqualTo(Segment.NEEDS_HELP);
    assertThat(StrategyArms.of(policy, Arm.CHAMPION).rules().decide(600, 0.6, f, facts, r -> { })
        .decision()).isEqualTo(Segment.HIGH_RISK);
  }

  @Example
  void aChallengerWithTreatmentsOnlySegmentsWithTheChampionsRules() throws IOException {
    Policy policy = Policy.parse(bundled() + """

        delinquency_challenger:
          name: plans-not-calls
          experiment: exp-2
          treatments:
            HIGH_RISK: PAYMENT_PLAN_OFFER
        """);
    var challenger = policy.delinquencyChallenger().orElseThrow();
    assertThat(challenger.rules()).isSameAs(policy.delinquency());
    assertThat(challenger.share()).isEqualTo(0.10); // the default share
    assertThat(challenger.treatments()).containsExactly(
        Map.entry(Segment.HIGH_RISK, TreatmentAction.PAYMENT_PLAN_OFFER));
  }

  @Example
  void aBadChallengerIsRefusedNamingTheField() throws IOException {
    assertThatThrownBy(() -> withChallenger("exp-1", 0.7))
        .hasMessageContaining("delinquency_challenger.share").hasMessageContaining("0.7");
    assertThatThrownBy(() -> Policy.parse(bundled() + """

        delinquency_challenger:
          name: x
          experiment: e
          default: CURRENT_LOW_RISK
          treatments:
            HIGH_RISK: PHONE_THEM
        """)).hasMessageContaining("delinquency_challenger.treatments.HIGH_RISK")
        .hasMessageContaining("PHONE_THEM");
    assertThatThrownBy(() -> Policy.parse(bundled() + """

        delinquency_challenger:
          name: x
          experiment: e
          default: CURRENT_LOW_RISK
          rules:
            - name: r
              when: features.no_such_feature > 1.0
              decision: NEEDS_HELP
        """)).hasMessageContaining("delinquency_challenger.rules[r].when");
    assertThatThrownBy(() -> StrategyArms.of(Policy.parse(bundled()), Arm.CHALLENGER))
        .hasMessageContaining("no delinquency_challenger");
  }
}
