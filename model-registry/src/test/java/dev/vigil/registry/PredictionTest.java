package dev.vigil.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.sgd.linear.LogisticRegressionTrainer;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;

/** The serving contract's arithmetic: the score scale, and a registered model's prediction. */
class PredictionTest {
  /** Against the definition: floor(p x 1000), capped at 999, 0 for what is not a probability. */
  @Property(tries = 1000)
  void theScoreScaleIsAThousandthsFloorCappedAt999(@ForAll double p) {
    int expected = Double.isNaN(p) || p < 0 ? 0 : p >= 0.999 ? 999 : (int) Math.floor(p * 1000);
    assertThat(ScoreScale.of(p)).isEqualTo(expected);
  }

  @Test
  void theProbabilityIsTheBadLabelsScoreAndFollowsTheData() {
    var data = new MutableDataset<Label>(new SimpleDataSourceProvenance("test", Prediction.LABELS),
        Prediction.LABELS);
    String[] names = {"x"};
    for (int i = 0; i < 400; i++) {
      double x = i % 2 == 0 ? 1 + i % 7 * 0.1 : -1 - i % 5 * 0.1;
      data.add(new ArrayExample<>(new Label(x > 0 ? Prediction.BAD : Prediction.GOOD), names,
          new double[] {x}));
    }
    var model = new LogisticRegressionTrainer().train(data);
    double high = Prediction.probability(model, names, new double[] {2});
    double low = Prediction.probability(model, names, new double[] {-2});
    assertThat(high).isGreaterThan(0.9);
    assertThat(low).isLessThan(0.1);
    var scores = model.predict(new ArrayExample<>(Prediction.LABELS.getUnknownOutput(), names,
        new double[] {2})).getOutputScores();
    assertThat(high).isCloseTo(scores.get(Prediction.BAD).getScore(), within(1e-12));
    assertThat(high + scores.get(Prediction.GOOD).getScore()).isCloseTo(1, within(1e-9));
  }
}
