package dev.vigil.scoring.reason;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.features.profile.FeatureCatalogue;
import dev.vigil.proto.v1.Reason;
import org.junit.jupiter.api.Test;

class ReasonCatalogueTest {
  private final ReasonCatalogue catalogue = ReasonCatalogue.load();
  private final FeatureCatalogue.FeatureSet fraud = FeatureCatalogue.FRAUD;

  /** No typical value known for any feature. */
  private static double[] unknownTypical(int n) {
    double[] t = new double[n];
    java.util.Arrays.fill(t, Double.NaN);
    return t;
  }

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
    var reasons = catalogue.principal(fraud, c, c, null, unknownTypical(c.length), 4);
    assertThat(reasons).extracting(Reason::getCode)
        .containsExactly("VELOCITY_1H", "NEW_DEVICE", "AMOUNT", "NEW_COUNTRY");
    var delinquency = FeatureCatalogue.DELINQUENCY;
    double[] d = new double[delinquency.names().size()];
    d[delinquency.names().indexOf("calls_7d")] = 5;
    d[delinquency.names().indexOf("consent_sms")] = 4;
    assertThat(catalogue.principal(delinquency, d, d, null, unknownTypical(d.length), 4))
        .isEmpty();
  }

  @Test
  void aScoreNotAboveTheTypicalOneHasNoReasonsAndAValueOnTheGoodSideIsNeverOne() {
    double[] c = contributions("acct_txn_count_1h", "device_new_90d");
    double[] values = c.clone();
    double[] typical = new double[c.length];
    // adverse contributions outweighed by the rest: the score is below the typical customer's
    double[] below = c.clone();
    below[fraud.names().indexOf("txn_amount")] = -25;
    assertThat(catalogue.principal(fraud, values, below, null, typical, 4)).isEmpty();
    // "more transactions than is typical" is not said of a count at or below the typical one
    typical[fraud.names().indexOf("acct_txn_count_1h")] = values[fraud.names()
        .indexOf("acct_txn_count_1h")];
    assertThat(catalogue.principal(fraud, values, c, null, typical, 4))
        .extracting(Reason::getCode).containsExactly("NEW_DEVICE");
  }

  @Test
  void aReasonWhoseTextContradictsTheModelsDirectionIsLeftOut() {
    double[] c = contributions("merchant_fraud_rate_30d", "acct_txn_count_1h");
    int[] directions = new int[c.length];
    java.util.Arrays.fill(directions, 1);
    // the scorecard gives a low merchant fraud rate points: "Fraud reported at this merchant"
    // would misstate why, so it is not a reason
    directions[fraud.names().indexOf("merchant_fraud_rate_30d")] = -1;
    assertThat(catalogue.principal(fraud, c, c, directions, unknownTypical(c.length), 4))
        .extracting(Reason::getCode).containsExactly("VELOCITY_1H");
    // "Account opened more recently than is typical" is adverse when low, as declared
    var deposit = FeatureCatalogue.DEPOSIT;
    double[] d = new double[deposit.names().size()];
    d[deposit.names().indexOf("account_age_days")] = 3;
    int[] down = new int[d.length];
    java.util.Arrays.fill(down, -1);
    assertThat(catalogue.principal(deposit, d, d, down, unknownTypical(d.length), 4))
        .extracting(Reason::getCode)
        .containsExactly("NEW_ACCOUNT");
  }

  /**
   * Against the definition: none unless the contributions add up above zero; else the eligible
   * features (a code, material, the model's direction agreeing with the text, the value on the
   * text's side of typical) sorted by contribution, stable, first {@code limit}.
   */
  @net.jqwik.api.Property(tries = 300)
  void theChosenReasonsAreTheLargestEligibleContributionsInOrder(
      @net.jqwik.api.ForAll long seed, @net.jqwik.api.ForAll @net.jqwik.api.constraints.IntRange(
          min = 0, max = 6) int limit) {
    var random = new java.util.Random(seed);
    int n = fraud.names().size();
    double[] c = new double[n];
    double[] values = new double[n];
    double[] typical = new double[n];
    int[] directions = random.nextBoolean() ? null : new int[n];
    double total = 0;
    for (int i = 0; i < n; i++) {
      // few distinct values, so ties happen; some zero, tiny or negative
      c[i] = random.nextInt(4) == 0 ? -random.nextInt(3) : random.nextInt(5) * 0.5
          + (random.nextInt(8) == 0 ? 0.005 : 0);
      total += c[i];
      values[i] = random.nextInt(4);
      typical[i] = random.nextInt(5) == 0 ? Double.NaN : random.nextInt(4);
      if (directions != null) {
        directions[i] = random.nextBoolean() ? 1 : -1;
      }
    }
    var expected = new java.util.ArrayList<Integer>();
    for (int i = 0; i < n && total > 0; i++) {
      String name = fraud.names().get(i);
      int side = catalogue.directionOf(name);
      boolean adverseSide = Double.isNaN(typical[i]) ? side <= 0 || values[i] > 0
          : side > 0 ? values[i] > typical[i] : side < 0 ? values[i] < typical[i]
          : values[i] != typical[i];
      if (c[i] > 0.01 && catalogue.codeOf(name) != null && adverseSide && (directions == null
          || side == 0 || side == directions[i])) {
        expected.add(i);
      }
    }
    expected.sort((a, b) -> Double.compare(c[b], c[a])); // stable: ties keep feature order
    var want = expected.subList(0, Math.min(limit, expected.size())).stream()
        .map(i -> fraud.names().get(i)).toList();

    assertThat(catalogue.principal(fraud, values, c, directions, typical, limit))
        .extracting(Reason::getFeature).containsExactlyElementsOf(want);
  }
}
