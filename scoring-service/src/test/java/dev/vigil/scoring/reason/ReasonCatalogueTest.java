package dev.vigil.scoring.reason;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.features.profile.FeatureCatalogue;
import dev.vigil.proto.v1.Reason;
import org.junit.jupiter.api.Test;

class ReasonCatalogueTest {
  private final ReasonCatalogue catalogue = ReasonCatalogue.load();
  private final FeatureCatalogue.FeatureSet fraud = FeatureCatalogue.FRAUD;

  private double[] contributions(String... features) {
    double[] c = new double[fraud.names().size()];
    for (int i = 0; i < features.length; i++) {
      c[fraud.names().indexOf(features[i])] = 10 - i;
    }
    return c;
  }

  @Test
  void mostAdverseFirstAtMostFourAndNeverANonReason() {
    double[] c = contributions("acct_txn_count_1h", "device_new_90d", "txn_amount",
        "country_new_90d", "txn_night");
    var reasons = catalogue.principal(fraud, new double[c.length], c, null, 4);
    assertThat(reasons).extracting(Reason::getCode)
        .containsExactly("VELOCITY_1H", "NEW_DEVICE", "AMOUNT", "NEW_COUNTRY");
    var delinquency = FeatureCatalogue.DELINQUENCY;
    double[] d = new double[delinquency.names().size()];
    d[delinquency.names().indexOf("calls_7d")] = 5;
    d[delinquency.names().indexOf("consent_sms")] = 4;
    assertThat(catalogue.principal(delinquency, d, d, null, 4)).isEmpty();
  }

  @Test
  void aReasonWhoseTextContradictsTheModelsDirectionIsLeftOut() {
    double[] c = contributions("merchant_fraud_rate_30d", "acct_txn_count_1h");
    int[] directions = new int[c.length];
    java.util.Arrays.fill(directions, 1);
    // the scorecard gives a low merchant fraud rate points: "Fraud reported at this merchant"
    // would misstate why, so it is not a reason
    directions[fraud.names().indexOf("merchant_fraud_rate_30d")] = -1;
    assertThat(catalogue.principal(fraud, new double[c.length], c, directions, 4))
        .extracting(Reason::getCode).containsExactly("VELOCITY_1H");
    // "Account recently opened" is adverse when low, as the declared direction says
    var deposit = FeatureCatalogue.DEPOSIT;
    double[] d = new double[deposit.names().size()];
    d[deposit.names().indexOf("account_age_days")] = 3;
    int[] down = new int[d.length];
    java.util.Arrays.fill(down, -1);
    assertThat(catalogue.principal(deposit, d, d, down, 4)).extracting(Reason::getCode)
        .containsExactly("NEW_ACCOUNT");
  }

  /** Against the definition: eligible features sorted by contribution, stable, first four. */
  @net.jqwik.api.Property(tries = 300)
  void theChosenReasonsAreTheLargestEligibleContributionsInOrder(
      @net.jqwik.api.ForAll long seed, @net.jqwik.api.ForAll @net.jqwik.api.constraints.IntRange(
          min = 0, max = 6) int limit) {
    var random = new java.util.Random(seed);
    int n = fraud.names().size();
    double[] c = new double[n];
    int[] directions = random.nextBoolean() ? null : new int[n];
    for (int i = 0; i < n; i++) {
      // few distinct values, so ties happen; some zero or negative
      c[i] = random.nextInt(4) == 0 ? -random.nextInt(3) : random.nextInt(5) * 0.5;
      if (directions != null) {
        directions[i] = random.nextBoolean() ? 1 : -1;
      }
    }
    var expected = new java.util.ArrayList<Integer>();
    for (int i = 0; i < n; i++) {
      String name = fraud.names().get(i);
      if (c[i] > 1e-9 && catalogue.codeOf(name) != null && (directions == null
          || catalogue.directionOf(name) == 0 || catalogue.directionOf(name) == directions[i])) {
        expected.add(i);
      }
    }
    expected.sort((a, b) -> Double.compare(c[b], c[a])); // stable: ties keep feature order
    var want = expected.subList(0, Math.min(limit, expected.size())).stream()
        .map(i -> fraud.names().get(i)).toList();

    assertThat(catalogue.principal(fraud, c, c, directions, limit))
        .extracting(Reason::getFeature).containsExactlyElementsOf(want);
  }
}
