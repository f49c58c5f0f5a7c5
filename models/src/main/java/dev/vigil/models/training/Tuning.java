package dev.vigil.models.training;

import dev.vigil.features.training.TrainingSet;
import dev.vigil.models.evaluation.Metrics;
import dev.vigil.models.training.ModelTrainer.Algorithm;
import dev.vigil.models.training.ModelTrainer.Hyperparameters;
import dev.vigil.models.training.ModelTrainer.Scaling;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Hyper-parameter search within a budget, judged on a validation period the test period never
 * sees: candidates drawn at random (seeded) from a grid around the defaults, the defaults always
 * first, each trained on the validation's training rows and scored on its validation rows by
 * average precision (the ranking measure for rare outcomes; AUC breaks ties). The caller then
 * trains the winner on the real training rows and tests it on the real test rows, once.
 *
 * <p>Where the validation rows come from is the caller's ({@link Workflow}): for a time split,
 * the Fraud Detection Handbook's protocol (validation = the real training period, learnt from the
 * period one gap and one training length before it); for an entity split, a seeded share of the
 * training accounts.
 */
public final class Tuning {
  private static final int[] TREES = {100, 200, 400};
  private static final double[] ETA = {0.05, 0.1, 0.3};
  private static final int[] DEPTH = {3, 4, 6, 8};
  private static final double[] MIN_CHILD_WEIGHT = {1, 5};
  private static final double[] SUBSAMPLE = {0.8, 1.0};
  private static final double[] COLSAMPLE = {0.6, 0.8, 1.0};
  private static final double[] LAMBDA = {1, 10};
  private static final int[] EPOCHS = {3, 5, 10, 20};
  private static final double[] LEARNING_RATE = {0.1, 0.3, 1.0, 3.0};

  private Tuning() {}

  /** One candidate and how it did on the validation rows. */
  public record Trial(Hyperparameters settings, double averagePrecision, double auc) {}

  /** The candidates tried, in the order tried, and the one chosen. */
  public record Outcome(List<Trial> trials, Trial chosen) {
    /** One line for the model card: how many were tried, the chosen one's validation figures. */
    public String summary(Algorithm algorithm) {
      return trials.size() + " candidates, chosen by validation average precision "
          + String.format(java.util.Locale.ROOT, "%.4f (AUC %.4f): ", chosen.averagePrecision(),
              chosen.auc()) + chosen.settings().describe(algorithm);
    }
  }

  /**
   * The first {@code budget} candidates for {@code algorithm}: the defaults (with {@code
   * scaling}), then distinct settings drawn from the grid with {@code seed}.
   *
   * @throws IllegalArgumentException if {@code budget} is below 1
   */
  public static List<Hyperparameters> candidates(Algorithm algorithm, Scaling scaling,
      int budget, long seed) {
    if (budget < 1) {
      throw new IllegalArgumentException("the tuning budget must be at least 1, not " + budget);
    }
    var random = new Random(seed);
    Set<Hyperparameters> chosen = new LinkedHashSet<>();
    chosen.add(Hyperparameters.defaults(scaling));
    int gridSize = algorithm == Algorithm.XGBOOST
        ? TREES.length * ETA.length * DEPTH.length * MIN_CHILD_WEIGHT.length * SUBSAMPLE.length
            * COLSAMPLE.length * LAMBDA.length
        : EPOCHS.length * LEARNING_RATE.length * Scaling.values().length;
    var d = Hyperparameters.DEFAULT;
    while (chosen.size() < Math.min(budget, gridSize)) {
      chosen.add(algorithm == Algorithm.XGBOOST
          ? new Hyperparameters(pick(TREES, random), pick(ETA, random), pick(DEPTH, random),
              pick(MIN_CHILD_WEIGHT, random), pick(SUBSAMPLE, random), pick(COLSAMPLE, random),
              pick(LAMBDA, random), d.epochs(), d.learningRate(), scaling)
          : new Hyperparameters(d.trees(), d.eta(), d.maxDepth(), d.minChildWeight(),
              d.subsample(), d.colsample(), d.lambda(), pick(EPOCHS, random),
              pick(LEARNING_RATE, random),
              Scaling.values()[random.nextInt(Scaling.values().length)]));
    }
    return new ArrayList<>(chosen);
  }

  /**
   * Tries {@code candidates} in order: each trained on {@code fit} and scored on {@code
   * validation}; the best by average precision, then AUC, then the earlier, is chosen.
   *
   * @throws IllegalArgumentException if either row list lacks an outcome
   */
  public static Outcome search(Algorithm algorithm, TrainingSet set,
      List<TrainingSet.Row> fit, List<TrainingSet.Row> validation, boolean balanceClasses,
      List<Hyperparameters> candidates) {
    long bad = validation.stream().filter(r -> r.label() == 1).count();
    if (bad == 0 || bad == validation.size()) {
      throw new IllegalArgumentException("the validation rows (" + validation.size() + ", "
          + bad + " bad) need both outcomes to choose between candidates");
    }
    var trials = new ArrayList<Trial>();
    Trial best = null;
    for (Hyperparameters h : candidates) {
      var model = ModelTrainer.train(algorithm, set, fit, balanceClasses, h);
      var scores = Workflow.scored(model, set, validation);
      var t = new Trial(h, Metrics.averagePrecision(scores.probabilities(), scores.labels()),
          Metrics.aucRoc(scores.probabilities(), scores.labels()));
      trials.add(t);
      if (best == null || t.averagePrecision() > best.averagePrecision()
          || (t.averagePrecision() == best.averagePrecision() && t.auc() > best.auc())) {
        best = t;
      }
      System.err.printf("tuning %d/%d: validation average precision %.4f, AUC %.4f  %s%n",
          trials.size(), candidates.size(), t.averagePrecision(), t.auc(),
          h.describe(algorithm));
    }
    return new Outcome(List.copyOf(trials), best);
  }

  private static int pick(int[] values, Random random) {
    return values[random.nextInt(values.length)];
  }

  private static double pick(double[] values, Random random) {
    return values[random.nextInt(values.length)];
  }
}
