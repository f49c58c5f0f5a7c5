package dev.vigil.models.training;

import dev.vigil.history.training.TrainingSet;
import dev.vigil.models.evaluation.Metrics;
import dev.vigil.models.training.ModelTrainer.Algorithm;
import dev.vigil.models.training.ModelTrainer.Hyperparameters;
import dev.vigil.models.training.ModelTrainer.Scaling;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Hyper-parameter search within a budget, judged on a validation period the test period never
 * sees: candidates drawn at random (seeded) from a grid around the defaults, the defaults always
 * first, each trained on the validation's training rows and scored on its validation rows by
 * average precision (the ranking measure for rare outcomes; AUC breaks ties). The caller then
 * trains the winner on the real training rows and tests it on the real test rows, once.
 *
 * <p>The defaults are kept unless a candidate beats them beyond the validation's noise: a candidate
 * can displace them only when its average precision is higher than theirs in at least {@link
 * #CONFIDENCE} of {@link #RESAMPLES} paired bootstrap resamples of the validation rows (the same
 * rows drawn for both). With a few dozen outcomes in validation, one row's rank moves average
 * precision by more than settings do, and choosing by the point figure alone chose by noise.
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

  /** The least share of resamples in which a candidate must beat the defaults to replace them. */
  public static final double CONFIDENCE = 0.9;
  /** Paired bootstrap resamples of the validation rows. */
  public static final int RESAMPLES = 200;
  /** Seeds the resamples: the same rows and scores give the same choice. */
  static final long RESAMPLE_SEED = 20_261_130L;

  private Tuning() {}

  /**
   * One candidate and how it did on the validation rows.
   *
   * @param beatsDefaults the share of resamples in which its average precision is above the
   *     first candidate's (the defaults'); NaN for the first itself
   */
  public record Trial(Hyperparameters settings, double averagePrecision, double auc,
      double beatsDefaults) {}

  /** The candidates tried, in the order tried, and the one chosen. */
  public record Outcome(List<Trial> trials, Trial chosen) {
    /** One line for the model card: how many were tried, the chosen one's validation figures. */
    public String summary(Algorithm algorithm) {
      String how = chosen == trials.get(0)
          ? trials.size() == 1 ? "" : String.format(Locale.ROOT, ", the defaults kept:"
              + " no candidate beat them in %.0f%% of %d resamples of the validation rows",
              CONFIDENCE * 100, RESAMPLES)
          : String.format(Locale.ROOT, ", beating the defaults in %.0f%% of %d"
              + " resamples of the validation rows", chosen.beatsDefaults() * 100, RESAMPLES);
      return trials.size() + " candidates, chosen by validation average precision "
          + String.format(Locale.ROOT, "%.4f (AUC %.4f)", chosen.averagePrecision(),
              chosen.auc()) + how + ": " + chosen.settings().describe(algorithm);
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
   * validation}. The first (the defaults) is chosen unless others beat it in at least {@link
   * #CONFIDENCE} of the paired resamples; of those, the best by average precision, then AUC,
   * then the earlier ({@link #choose}).
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
    double[] defaults = null;
    for (Hyperparameters h : candidates) {
      var model = ModelTrainer.train(algorithm, set, fit, balanceClasses, h);
      var scores = Workflow.scored(model, set, validation);
      double[] p = scores.probabilities();
      int[] y = scores.labels();
      var t = new Trial(h, Metrics.averagePrecision(p, y), Metrics.aucRoc(p, y),
          defaults == null ? Double.NaN : shareBeating(defaults, p, y, RESAMPLES, RESAMPLE_SEED));
      if (defaults == null) {
        defaults = p;
      }
      trials.add(t);
      System.err.printf(Locale.ROOT, "tuning %d/%d: validation average precision %.4f,"
          + " AUC %.4f%s  %s%n", trials.size(), candidates.size(), t.averagePrecision(), t.auc(),
          Double.isNaN(t.beatsDefaults()) ? " (the defaults)"
              : String.format(Locale.ROOT, ", above the defaults in %.0f%% of"
                  + " resamples", t.beatsDefaults() * 100), h.describe(algorithm));
    }
    return new Outcome(List.copyOf(trials), choose(trials));
  }

  /**
   * The first trial (the defaults) unless later ones beat it in at least {@link #CONFIDENCE} of
   * the resamples; of those, the best by average precision, then AUC, then the earlier.
   *
   * @throws IllegalArgumentException if {@code trials} is empty
   */
  static Trial choose(List<Trial> trials) {
    if (trials.isEmpty()) {
      throw new IllegalArgumentException("no trials to choose from");
    }
    Trial best = null;
    for (Trial t : trials.subList(1, trials.size())) {
      if (!(t.beatsDefaults() >= CONFIDENCE)) {
        continue;
      }
      if (best == null || t.averagePrecision() > best.averagePrecision()
          || (t.averagePrecision() == best.averagePrecision() && t.auc() > best.auc())) {
        best = t;
      }
    }
    return best == null ? trials.get(0) : best;
  }

  /**
   * The share of {@code resamples} paired bootstrap resamples (rows drawn with replacement,
   * seeded) in which {@code challenger}'s average precision is strictly above {@code
   * incumbent}'s; resamples without a positive row count as not above.
   *
   * @param incumbent the defaults' scores of the validation rows
   * @param challenger another candidate's scores of the same rows, in the same order
   * @param labels the rows' outcomes (1 bad)
   */
  static double shareBeating(double[] incumbent, double[] challenger, int[] labels,
      int resamples, long seed) {
    if (incumbent.length != challenger.length || incumbent.length != labels.length) {
      throw new IllegalArgumentException("scores and labels must be of one length: "
          + incumbent.length + ", " + challenger.length + ", " + labels.length);
    }
    int n = labels.length;
    int[] byIncumbent = Metrics.descending(incumbent);
    int[] byChallenger = Metrics.descending(challenger);
    var random = new SplittableRandom(seed);
    int[] drawn = new int[n];
    int above = 0;
    for (int r = 0; r < resamples; r++) {
      Arrays.fill(drawn, 0);
      for (int i = 0; i < n; i++) {
        drawn[random.nextInt(n)]++;
      }
      double challengerAp = Metrics.averagePrecision(byChallenger, challenger, labels, drawn);
      if (challengerAp > Metrics.averagePrecision(byIncumbent, incumbent, labels, drawn)) {
        above++; // NaN (no bad row drawn) is never above
      }
    }
    return (double) above / resamples;
  }

  private static int pick(int[] values, Random random) {
    return values[random.nextInt(values.length)];
  }

  private static double pick(double[] values, Random random) {
    return values[random.nextInt(values.length)];
  }
}
