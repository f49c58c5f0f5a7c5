package dev.vigil.features.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.features.profile.FeatureCatalogue.FeatureSet;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Typed handles on features: resolved by name once, read by position or by name. */
class FeatureHandleTest {
  @Test
  void aHandleReadsItsOwnFeatureFromAVectorAndFromAMap() {
    for (FeatureSet set : new FeatureSet[] {FeatureCatalogue.FRAUD, FeatureCatalogue.DEPOSIT,
        FeatureCatalogue.DELINQUENCY}) {
      double[] vector = new double[set.names().size()];
      for (int i = 0; i < vector.length; i++) {
        vector[i] = i * 10 + 1;
      }
      for (int i = 0; i < vector.length; i++) {
        var handle = set.handle(set.names().get(i));
        assertThat(handle.in(vector)).isEqualTo(i * 10 + 1);
        assertThat(handle.in(Map.of(set.names().get(i), 7.0), -1)).isEqualTo(7.0);
        assertThat(handle.in(Map.of(), -1)).isEqualTo(-1);
      }
    }
  }

  @Test
  void aNameNotInTheSetIsRefusedWhenTheHandleIsTaken() {
    assertThatThrownBy(() -> FeatureCatalogue.DELINQUENCY.handle("promises_brokn_180d"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("promises_brokn_180d").hasMessageContaining("DELINQUENCY");
    // a feature of another task is not this set's
    assertThatThrownBy(() -> FeatureCatalogue.DELINQUENCY.handle("txn_amount"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
