package dev.vigil.models.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.features.profile.FeatureCatalogue;
import dev.vigil.features.training.TrainingSet;
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
  void aFeatureOutsideTheSetIsRefusedByName() {
    assertThatThrownBy(() -> FeatureCatalogue.FRAUD.only(List.of("txn_amount", "no_such")))
        .hasMessageContaining("no_such");
  }
}
