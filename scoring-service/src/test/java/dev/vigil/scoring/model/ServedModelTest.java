package dev.vigil.scoring.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.vigil.features.event.Event;
import dev.vigil.features.profile.FeatureCatalogue;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.features.simulator.Simulator;
import dev.vigil.features.training.TrainingSet;
import dev.vigil.models.registry.ModelRegistry;
import dev.vigil.models.training.ModelTrainer;
import dev.vigil.models.training.TimeSplit;
import dev.vigil.models.training.Workflow;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reasons are only as good as the contributions behind them: for both model kinds the
 * contributions must add up, with the model's own constant, to the log-odds of the probability the
 * model itself gives, on real simulated rows.
 */
class ServedModelTest {
  private static TrainingSet set;
  private static TimeSplit split;
  private static List<TrainingSet.Row> sample;
  @TempDir static Path registryDir;

  @BeforeAll
  static void data() {
    var history = new ArrayList<Event>();
    new Simulator(Simulator.Config.of(11, 300, 60)).run(history::add);
    split = new TimeSplit(Simulator.Config.of(11, 300, 60).start().plus(Duration.ofDays(37)),
        Duration.ofDays(14), Duration.ofDays(2), Duration.ofDays(5));
    set = Workflow.trainingSet(Task.FRAUD, history, split, Duration.ofDays(30));
    var test = ModelTrainer.rows(set, split.testFrom(), split.testTo());
    sample = test.subList(0, Math.min(200, test.size()));
    assertThat(sample).hasSizeGreaterThan(100);
  }

  private static ServedModel publishAndServe(ModelTrainer.Algorithm algorithm) throws Exception {
    var result = Workflow.train(algorithm, Task.FRAUD, set, split, false);
    var registry = new ModelRegistry(registryDir);
    String version = registry.publish(Task.FRAUD, result.model(), result.card());
    return new ServedModel(version, registry.load(Task.FRAUD, version), FeatureCatalogue.FRAUD);
  }

  @Test
  void scorecardPointsAddUpToTheModelsLogOddsAndAreNeverNegative() throws Exception {
    ServedModel model = publishAndServe(ModelTrainer.Algorithm.LOGISTIC_REGRESSION);
    var scorecard = new ServedModel.Scorecard(
        ((org.tribuo.transform.TransformedModel<org.tribuo.classification.Label>)
            modelOf(model)).getTransformerMap(),
        (org.tribuo.common.sgd.AbstractLinearSGDModel<org.tribuo.classification.Label>)
            ((org.tribuo.transform.TransformedModel<org.tribuo.classification.Label>)
                modelOf(model)).getInnerModel(),
        FeatureCatalogue.FRAUD.names().toArray(new String[0]));
    for (TrainingSet.Row row : sample) {
      ServedModel.Scored s = model.score(row.values());
      double sum = scorecard.intercept();
      for (double c : s.contributions()) {
        assertThat(c).isGreaterThanOrEqualTo(-1e-9);
        sum += c;
      }
      assertThat(sum).isCloseTo(ServedModel.logit(s.probability()), within(1e-6));
      // and the served probability is Tribuo's own
      assertThat(s.probability()).isCloseTo(model.probability(row.values()), within(1e-9));
    }
  }

  @Test
  void treeContributionsAddUpToTheBoostersLogOdds() throws Exception {
    ServedModel model = publishAndServe(ModelTrainer.Algorithm.XGBOOST);
    @SuppressWarnings("unchecked")
    var trees = new ServedModel.TreeContributions(
        (org.tribuo.common.xgboost.XGBoostModel<org.tribuo.classification.Label>) modelOf(model),
        FeatureCatalogue.FRAUD.names().toArray(new String[0]));
    int width = FeatureCatalogue.FRAUD.names().size();
    for (TrainingSet.Row row : sample) {
      ServedModel.Scored s = model.score(row.values());
      double sum = 0;
      for (double c : s.contributions()) {
        sum += c;
      }
      // the biases (last column of each class block) complete the log-odds
      float[] raw = trees.contributionRow(rowOf(model, row.values(), width));
      int stride = raw.length / 2;
      int bad = bad(model);
      sum += raw[(bad + 1) * stride - 1] - raw[(2 - bad) * stride - 1];
      assertThat(sum).isCloseTo(ServedModel.logit(s.probability()), within(1e-3));
    }
  }

  private static org.tribuo.Model<?> modelOf(ServedModel m) throws Exception {
    var f = ServedModel.class.getDeclaredField("model");
    f.setAccessible(true);
    return (org.tribuo.Model<?>) f.get(m);
  }

  private static int bad(ServedModel m) throws Exception {
    @SuppressWarnings("unchecked")
    var model = (org.tribuo.Model<org.tribuo.classification.Label>) modelOf(m);
    return model.getOutputIDInfo().getID(new org.tribuo.classification.Label(ModelTrainer.BAD));
  }

  private static float[] rowOf(ServedModel m, double[] values, int width) throws Exception {
    var ids = modelOf(m).getFeatureIDMap();
    float[] row = new float[ids.size()];
    java.util.Arrays.fill(row, Float.NaN);
    for (int i = 0; i < width; i++) {
      int id = ids.getID(FeatureCatalogue.FRAUD.names().get(i));
      if (id >= 0) {
        row[id] = (float) values[i];
      }
    }
    return row;
  }
}
