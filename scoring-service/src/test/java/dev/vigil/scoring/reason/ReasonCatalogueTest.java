package dev.vigil.scoring.reason;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.features.profile.FeatureCatalogue;
import dev.vigil.features.profile.FeatureCatalogue.History;
import dev.vigil.proto.v1.Reason;
import dev.vigil.scoring.model.ServedModel.Tails;
import dev.vigil.scoring.policy.Policy;
import dev.vigil.scoring.policy.ReasonRule;
import dev.vigil.scoring.policy.TransactionAction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class ReasonCatalogueTest {
  private final ReasonCatalogue catalogue = ReasonCatalogue.load();
  private final FeatureCatalogue.FeatureSet fraud = FeatureCatalogue.FRAUD;

  /** No population known for any feature. */
  private static Tails unknown(int n) {
    double[] nan = new double[n];
    Arrays.fill(nan, Double.NaN);
    return new Tails(0.9, nan, nan.clone());
  }

  /** Every feature's tails at [low, high]. */
  private static Tails between(int n, double low, double high) {
    double[] l = new double[n];
    double[] h = new double[n];
    Arrays.fill(l, low);
    Arrays.fill(h, high);
    return new Tails(0.9, l, h);
  }

  private int at(String feature) {
    return fraud.names().indexOf(feature);
  }

  private double[] contributions(String... features) {
    double[] c = new double[fraud.names().size()];
    for (int i = 0; i < features.length; i++) {
      c[at(features[i])] = 10 - i;
    }
    return c;
  }

  @Test
  void mostAdverseFirstAtMostFourAndNeverANonReason() {
    double[] c = contributions("acct_txn_count_1h", "device_new_90d", "txn_amount",
        "country_new_90d", "txn_night");
    var reasons = catalogue.principal(fraud, c, c, null, unknown(c.length), 4);
    assertThat(reasons).extracting(Reason::getCode)
        .containsExactly("VELOCITY_1H", "NEW_DEVICE", "AMOUNT", "NEW_COUNTRY");
    var delinquency = FeatureCatalogue.DELINQUENCY;
    double[] d = new double[delinquency.names().size()];
    d[delinquency.names().indexOf("calls_7d")] = 5;
    d[delinquency.names().indexOf("consent_sms")] = 4;
    assertThat(catalogue.principal(delinquency, d, d, null, unknown(d.length), 4))
        .isEmpty();
  }

  @Test
  void aScoreNotAboveTheTypicalOneHasNoReasonsAndAValueShortOfTheTailIsNeverOne() {
    double[] c = contributions("acct_txn_count_1h", "device_new_90d");
    double[] values = new double[c.length];
    values[at("acct_txn_count_1h")] = 3;
    values[at("device_new_90d")] = 1;
    Tails tails = between(c.length, 0, 0);
    // adverse contributions outweighed by the rest: the score is below the typical customer's
    double[] below = c.clone();
    below[at("txn_amount")] = -25;
    assertThat(catalogue.principal(fraud, values, below, null, tails, 4)).isEmpty();
    // "more transactions than is typical" is not said of a count at or short of the 90th
    // percentile, however far past the median it is
    tails.high()[at("acct_txn_count_1h")] = 3;
    assertThat(catalogue.principal(fraud, values, c, null, tails, 4))
        .extracting(Reason::getCode).containsExactly("NEW_DEVICE");
    tails.high()[at("acct_txn_count_1h")] = 2;
    assertThat(catalogue.principal(fraud, values, c, null, tails, 4))
        .extracting(Reason::getCode).containsExactly("VELOCITY_1H", "NEW_DEVICE");
    // an "either" feature in neither tail is no reason; in either tail it is
    double[] mean = contributions("acct_txn_mean_30d");
    double[] v = new double[mean.length];
    v[at("acct_txn_count_30d")] = 30;
    v[at("acct_txn_mean_30d")] = 3_500;
    Tails usual = between(mean.length, 2_000, 6_000);
    assertThat(catalogue.principal(fraud, v, mean, null, usual, 4)).isEmpty();
    v[at("acct_txn_mean_30d")] = 1_999;
    assertThat(catalogue.principal(fraud, v, mean, null, usual, 4))
        .extracting(Reason::getCode).containsExactly("AVERAGE_SPEND_30D");
    v[at("acct_txn_mean_30d")] = 6_001;
    assertThat(catalogue.principal(fraud, v, mean, null, usual, 4))
        .extracting(Reason::getCode).containsExactly("AVERAGE_SPEND_30D");
  }

  @Test
  void anEmptyWindowsDefaultIsNeverAReason() {
    double[] c = contributions("acct_txn_mean_30d", "merchant_txn_count_30d",
        "txn_amount_zscore_30d", "merchant_fraud_rate_30d");
    Tails tails = between(c.length, 1, 2);
    tails.high()[at("merchant_fraud_rate_30d")] = 0.1;
    double[] v = new double[c.length];
    // no debits in 30 days: a mean of 0 is the window's default, not a low average; a merchant
    // with no transactions in the window; a z-score of 0 with fewer than two debits
    v[at("acct_txn_count_30d")] = 0;
    v[at("acct_txn_mean_30d")] = 0;
    v[at("merchant_txn_count_30d")] = 0;
    v[at("txn_amount_zscore_30d")] = 5;
    v[at("merchant_fraud_rate_30d")] = 0.5;
    assertThat(catalogue.principal(fraud, v, c, null, tails, 4)).isEmpty();
    // with history each is measured, and a reason
    v[at("acct_txn_count_30d")] = 2;
    v[at("merchant_txn_count_30d")] = 9;
    assertThat(catalogue.principal(fraud, v, c, null, tails, 4)).extracting(Reason::getCode)
        .containsExactly("AVERAGE_SPEND_30D", "MERCHANT_VOLUME_30D", "AMOUNT_UNUSUAL",
            "MERCHANT_FRAUD_30D");
    // one debit: a mean, but no z-score (it needs two)
    v[at("acct_txn_count_30d")] = 1;
    assertThat(catalogue.principal(fraud, v, c, null, tails, 4)).extracting(Reason::getCode)
        .containsExactly("AVERAGE_SPEND_30D", "MERCHANT_VOLUME_30D", "MERCHANT_FRAUD_30D");
  }

  @Test
  void aReasonWhoseTextContradictsTheModelsDirectionIsLeftOut() {
    double[] c = contributions("merchant_fraud_rate_30d", "acct_txn_count_1h");
    int[] directions = new int[c.length];
    Arrays.fill(directions, 1);
    // the scorecard gives a low merchant fraud rate points: "Fraud reported at this merchant"
    // would misstate why, so it is not a reason
    directions[at("merchant_fraud_rate_30d")] = -1;
    double[] values = c.clone();
    values[at("merchant_txn_count_30d")] = 100;
    assertThat(catalogue.principal(fraud, values, c, directions, unknown(c.length), 4))
        .extracting(Reason::getCode).containsExactly("VELOCITY_1H");
    // "Account opened more recently than is typical" is adverse when low, as declared
    var deposit = FeatureCatalogue.DEPOSIT;
    double[] d = new double[deposit.names().size()];
    d[deposit.names().indexOf("account_age_days")] = 3;
    int[] down = new int[d.length];
    Arrays.fill(down, -1);
    assertThat(catalogue.principal(deposit, d, d, down, unknown(d.length), 4))
        .extracting(Reason::getCode)
        .containsExactly("NEW_ACCOUNT");
  }

  @Test
  void theModelsReasonsAreGivenOnlyOnTheDecisionsThePolicyNames() {
    var rule = new ReasonRule(Set.of("REVIEW", "DECLINE"), 0.9);
    assertThat(rule.givenFor(TransactionAction.APPROVE)).isFalse();
    assertThat(rule.givenFor(TransactionAction.REVIEW)).isTrue();
    // the rule's own reason first, each code once, at most four
    var model = new ArrayList<Reason>();
    for (String code : List.of("AMOUNT", "NEW_DEVICE", "AMOUNT", "NEW_COUNTRY", "NIGHT_TIME")) {
      model.add(Reason.newBuilder().setCode(code).build());
    }
    assertThat(ReasonCatalogue.answer(new Policy.RuleReason("NEW_DEVICE", "t"), model))
        .extracting(Reason::getCode)
        .containsExactly("NEW_DEVICE", "AMOUNT", "NEW_COUNTRY", "NIGHT_TIME");
    assertThat(ReasonCatalogue.answer(null, List.of())).isEmpty();
  }

  /**
   * Against the definition: none unless the contributions add up above zero; else the eligible
   * features (a code, material, the model's direction agreeing with the text, the value in the
   * population's tail on the text's side, measured rather than its window's default) sorted by
   * contribution, stable, first {@code limit}.
   */
  @Property(tries = 300)
  void theChosenReasonsAreTheLargestEligibleContributionsInOrder(@ForAll long seed,
      @ForAll @IntRange(min = 0, max = 6) int limit) {
    var random = new Random(seed);
    int n = fraud.names().size();
    double[] c = new double[n];
    double[] values = new double[n];
    double[] low = new double[n];
    double[] high = new double[n];
    int[] directions = random.nextBoolean() ? null : new int[n];
    double total = 0;
    for (int i = 0; i < n; i++) {
      // few distinct values, so ties happen; some zero, tiny or negative
      c[i] = random.nextInt(4) == 0 ? -random.nextInt(3) : random.nextInt(5) * 0.5
          + (random.nextInt(8) == 0 ? 0.005 : 0);
      total += c[i];
      values[i] = random.nextInt(4);
      low[i] = random.nextInt(5) == 0 ? Double.NaN : random.nextInt(3);
      high[i] = Double.isNaN(low[i]) ? Double.NaN : low[i] + random.nextInt(2);
      if (directions != null) {
        directions[i] = random.nextBoolean() ? 1 : -1;
      }
    }
    var expected = new ArrayList<Integer>();
    for (int i = 0; i < n && total > 0; i++) {
      String name = fraud.names().get(i);
      var fact = fraud.features().get(i).reason();
      int side = catalogue.directionOf(name);
      boolean adverseTail = Double.isNaN(high[i]) ? side <= 0 || values[i] > 0
          : side > 0 ? values[i] > high[i] : side < 0 ? values[i] < low[i]
          : values[i] > high[i] || values[i] < low[i];
      History history = fact == null ? null : fact.history();
      boolean measured = history == null
          || values[fraud.names().indexOf(history.count())] >= history.least();
      if (c[i] > 0.01 && catalogue.codeOf(name) != null && adverseTail && measured
          && (directions == null || side == 0 || side == directions[i])) {
        expected.add(i);
      }
    }
    expected.sort((a, b) -> Double.compare(c[b], c[a])); // stable: ties keep feature order
    var want = expected.subList(0, Math.min(limit, expected.size())).stream()
        .map(i -> fraud.names().get(i)).toList();

    assertThat(catalogue.principal(fraud, values, c, directions, new Tails(0.9, low, high),
        limit)).extracting(Reason::getFeature).containsExactlyElementsOf(want);
  }
}
