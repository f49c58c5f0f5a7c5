package dev.vigil.models.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.vigil.features.event.Event;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.history.simulator.Simulator;
import dev.vigil.history.training.TrainingSet;
import dev.vigil.registry.Prediction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Probabilities asked in batches (one native matrix per batch for XGBoost) are the ones asked row
 * by row, in the rows' order, across batch boundaries, for both kinds of model.
 */
class BatchPredictionTest {
  @Test
  void batchesGiveEachRowItsOwnProbability() {
    var history = new ArrayList<Event>();
    var config = Simulator.Config.of(23, 300, 60);
    new Simulator(config).run(history::add);
    var split = new TimeSplit(config.start().plus(Duration.ofDays(37)), Duration.ofDays(14),
        Duration.ofDays(2), Duration.ofDays(5));
    TrainingSet set = Workflow.trainingSet(Task.FRAUD, history, split, Duration.ofDays(30));
    String[] names = set.features().names().toArray(new String[0]);
    // more rows than two batches, each row different: the set's rows, some scaled
    List<double[]> rows = new ArrayList<>();
    for (int k = 0; rows.size() < 2 * 4096 + 17; k++) {
      for (TrainingSet.Row r : set.rows()) {
        double[] v = r.values().clone();
        v[k % v.length] *= 1 + k * 0.37;
        rows.add(v);
      }
    }
    for (var algorithm : ModelTrainer.Algorithm.values()) {
      var model = Workflow.train(algorithm, Task.FRAUD, set, split, false).model();
      double[] batched = Prediction.probabilities(model, names, rows);
      assertThat(batched).hasSize(rows.size());
      int differing = 0;
      for (int i = 0; i < rows.size(); i++) {
        double one = Prediction.probability(model, names, rows.get(i));
        assertThat(batched[i]).as("%s row %d", algorithm, i).isCloseTo(one, within(1e-7));
        if (i > 0 && batched[i] != batched[i - 1]) {
          differing++;
        }
      }
      // not one probability repeated: the comparison is not vacuous
      assertThat(differing).as(algorithm.id).isGreaterThan(rows.size() / 10);
    }
  }
}
