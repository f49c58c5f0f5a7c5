package dev.vigil.scoring.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.vigil.features.event.Event;
import dev.vigil.features.profile.FeatureCatalogue;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.history.simulator.Simulator;
import dev.vigil.history.training.TrainingSet;
import dev.vigil.models.training.ModelTrainer;
import dev.vigil.models.training.TimeSplit;
import dev.vigil.models.training.Workflow;
import dev.vigil.registry.ModelRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reasons are only as good as the contributions behind them: for both model kinds the
 * contributions, measured against the training population, must add up with the base (the log-odds
 * of the population's typical row) to the log-odds of the probability the model itself gives, on
 * real simulated rows and on rows generated from them; and every reason given must be adverse and
 * true of its value.
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
  void scorecardContributionsAddUpToTheModelsLogOddsFromThePopulationsBase() throws Exception {
    ServedModel model = publishAndServe(ModelTrainer.Algorithm.LOGISTIC_REGRESSION);
    var scorecard = new ServedModel.Scorecard(
        ((org.tribuo.transform.TransformedModel<org.tribuo.classification.Label>)
            modelOf(model)).getTransformerMap(),
        (org.tribuo.common.sgd.AbstractLinearSGDModel<org.tribuo.classification.Label>)
            ((org.tribuo.transform.TransformedModel<org.tribuo.classification.Label>)
                modelOf(model)).getInnerModel(),
        FeatureCatalogue.FRAUD.names().toArray(new String[0]));
    // brute force: the base is the intercept plus each feature's mean points over the card's
    // reference rows (the training population)
    List<double[]> reference = model.card().reference();
    assertThat(reference).isNotEmpty()
        .hasSizeLessThanOrEqualTo(dev.vigil.registry.ModelCard.REFERENCE_ROWS);
    double base = scorecard.intercept();
    for (double[] r : reference) {
      for (double points : scorecard.contributions(r, Double.NaN)) {
        base += points / reference.size();
      }
    }
    for (TrainingSet.Row row : sample) {
      ServedModel.Scored s = model.score(row.values());
      assertThat(s.base()).isCloseTo(base, within(1e-9));
      double sum = s.base();
      for (double c : s.contributions()) {
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
    // brute force: the population's expected contributions, from the card's reference rows
    double expected = 0;
    for (double[] r : model.card().reference()) {
      for (double c : trees.contributions(r, Double.NaN)) {
        expected += c / model.card().reference().size();
      }
    }
    for (TrainingSet.Row row : sample) {
      ServedModel.Scored s = model.score(row.values());
      double sum = 0;
      for (double c : s.contributions()) {
        sum += c;
      }
      // the biases (last column of each class block) and the expectation complete the log-odds
      float[] raw = trees.contributionRow(rowOf(model, row.values(), width));
      int stride = raw.length / 2;
      int bad = bad(model);
      double bias = raw[(bad + 1) * stride - 1] - raw[(2 - bad) * stride - 1];
      assertThat(s.base()).isCloseTo(bias + expected, within(1e-3));
      assertThat(sum + s.base()).isCloseTo(ServedModel.logit(s.probability()), within(1e-3));
      // and the served probability is Tribuo's own (XGBoost computes in floats)
      assertThat(s.probability()).isCloseTo(model.probability(row.values()), within(1e-5));
    }
  }

  /**
   * Over rows generated from the simulated ones (each feature from a random row, some scaled up
   * or down), for both kinds of model: the contributions add up; every reason given raises the
   * score above the population's and lies in the population's tail on its text's adverse side
   * (beyond the 90th percentile); a row scored below the population's base gets none.
   */
  @Test
  void everyReasonOnGeneratedRowsIsAdverseAndTrueOfItsValue() throws Exception {
    var catalogue = dev.vigil.scoring.reason.ReasonCatalogue.load();
    var random = new java.util.Random(7);
    int n = FeatureCatalogue.FRAUD.names().size();
    int withReasons = 0;
    int without = 0;
    for (var algorithm : ModelTrainer.Algorithm.values()) {
      ServedModel model = publishAndServe(algorithm);
      ServedModel.Tails tails = model.tails(0.9);
      for (int k = 0; k < 300; k++) {
        double[] row = new double[n];
        for (int i = 0; i < n; i++) {
          row[i] = sample.get(random.nextInt(sample.size())).values()[i]
              * (random.nextInt(4) == 0 ? random.nextDouble() * 3 : 1);
        }
        ServedModel.Scored s = model.score(row);
        double above = 0;
        for (double c : s.contributions()) {
          above += c;
        }
        assertThat(above + s.base()).as("%s row %d", algorithm, k)
            .isCloseTo(ServedModel.logit(s.probability()), within(1e-3));
        var reasons = catalogue.principal(FeatureCatalogue.FRAUD, row, s.contributions(),
            model.directions(), tails, 4);
        if (above <= 0) {
          assertThat(reasons).as("%s row %d scored below the population", algorithm, k)
              .isEmpty();
        }
        for (var reason : reasons) {
          int i = FeatureCatalogue.FRAUD.names().indexOf(reason.getFeature());
          assertThat(s.contributions()[i]).as("%s %s", algorithm, reason.getCode())
              .isGreaterThan(0);
          assertThat(reason.getValue()).isEqualTo(row[i]);
          if (reason.getText().contains("than is typical") && tails.known(i)) {
            // "more"/"higher" texts in the high tail, "less"/"fewer" ones in the low tail
            boolean lower = reason.getText().startsWith("Less")
                || reason.getText().startsWith("Fewer")
                || reason.getText().startsWith("Account opened more recently");
            assertThat(lower ? row[i] < tails.low()[i] : row[i] > tails.high()[i])
                .as("%s %s = %s, tails %s-%s", algorithm, reason.getText(), row[i],
                    tails.low()[i], tails.high()[i])
                .isTrue();
          }
        }
        if (reasons.isEmpty()) {
          without++;
        } else {
          withReasons++;
        }
      }
    }
    // both cases occur: the property is not vacuous
    assertThat(withReasons).isPositive();
    assertThat(without).isPositive();
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
