package dev.vigil.models.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.vigil.features.profile.FeatureCatalogue;
import dev.vigil.history.training.TrainingSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class HandbookComparisonTest {
  @Test
  void theHandbookSetKeepsEachChosenColumnUnderItsOwnName() {
    var all = FeatureCatalogue.FRAUD;
    double[] values = new double[all.names().size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = 100 + i;
    }
    var set = new TrainingSet(FeatureCatalogue.Task.FRAUD, all,
        List.of(new TrainingSet.Row("t-1", 5, "a-1", values, 1)));

    var handbook = HandbookComparison.project(set,
        all.only(HandbookComparison.HANDBOOK_FEATURES));

    assertThat(handbook.features().names())
        .containsExactlyElementsOf(HandbookComparison.HANDBOOK_FEATURES);
    TrainingSet.Row row = handbook.rows().get(0);
    for (int i = 0; i < row.values().length; i++) {
      assertThat(row.values()[i]).as(handbook.features().names().get(i))
          .isEqualTo(100 + all.names().indexOf(handbook.features().names().get(i)));
    }
    assertThat(row.label()).isEqualTo(1);
    assertThat(row.accountId()).isEqualTo("a-1");
    // a subset is another schema: the service would refuse a model trained on it
    assertThat(handbook.features().fingerprint()).isNotEqualTo(all.fingerprint());
  }

  @Test
  void aFraudShowsASignByItsAmountItsTerminalsReportsOrItsSizeAgainstTheCardsMean() {
    var all = FeatureCatalogue.FRAUD;
    assertThat(HandbookComparison.visible(vector(all, "txn_amount", 22_000))).isFalse();
    assertThat(HandbookComparison.visible(vector(all, "txn_amount", 22_001))).isTrue();
    assertThat(HandbookComparison.visible(vector(all, "txn_amount_to_mean_30d", 1.99))).isFalse();
    assertThat(HandbookComparison.visible(vector(all, "txn_amount_to_mean_30d", 2))).isTrue();
    for (String window : List.of("1d", "7d", "30d")) {
      assertThat(HandbookComparison.visible(vector(all, "merchant_fraud_rate_" + window, 0.01)))
          .as(window).isTrue();
    }
    // the terminal's volume and the card's velocity are no sign
    assertThat(HandbookComparison.visible(vector(all, "merchant_txn_count_7d", 500))).isFalse();
    assertThat(HandbookComparison.visible(vector(all, "acct_txn_count_24h", 9))).isFalse();
  }

  @Test
  void theCeilingRanksTheFraudsWithASignFirstAndTheRestAtRandom() {
    var f = new HandbookComparison.Figures(1, "vigil", null, 1_000, 100, 0.86, 0.6, 0.3, 25,
        0.98, 0.52);
    assertThat(f.ceiling()).isEqualTo(0.875);
    // the AUC of a group against the legitimate ones, against every pair counted by hand
    var frauds = List.of(0.9, 0.5, 0.2, 0.5);
    var legitimate = List.of(0.1, 0.5, 0.3, 0.95, 0.2);
    double pairs = 0;
    for (double p : frauds) {
      for (double q : legitimate) {
        pairs += p > q ? 1 : p == q ? 0.5 : 0;
      }
    }
    assertThat(HandbookComparison.auc(frauds, legitimate))
        .isCloseTo(pairs / (frauds.size() * legitimate.size()), within(1e-12));
    assertThat(HandbookComparison.auc(List.of(), legitimate)).isNaN();
  }

  private static double[] vector(FeatureCatalogue.FeatureSet set, String name, double value) {
    double[] v = new double[set.names().size()];
    v[set.handle(name).index()] = value;
    return v;
  }

  @Test
  void aFeatureOutsideTheSetIsRefusedByName() {
    assertThatThrownBy(() -> FeatureCatalogue.FRAUD.only(List.of("txn_amount", "no_such")))
        .hasMessageContaining("no_such");
  }
}
