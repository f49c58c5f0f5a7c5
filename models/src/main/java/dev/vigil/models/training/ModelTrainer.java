package dev.vigil.models.training;

import dev.vigil.features.profile.FeatureCatalogue;
import dev.vigil.history.training.TrainingSet;
import dev.vigil.registry.Prediction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.classification.xgboost.XGBoostClassificationTrainer;
import org.tribuo.impl.ArrayExample;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.transform.TransformTrainer;
import org.tribuo.transform.Transformation;
import org.tribuo.transform.TransformationMap;
import org.tribuo.transform.transformations.LinearScalingTransformation;
import org.tribuo.transform.transformations.SimpleTransform;

/**
 * Trains Tribuo models on point-in-time training sets. The feature transformations (log for
 * non-negative features, then scaling to [0, 1]) are fitted on the training period and live inside
 * the model, so the service applies exactly what training did.
 */
public final class ModelTrainer {
  /** The bad outcome's label ({@link dev.vigil.registry.Prediction#BAD}). */
  public static final String BAD = Prediction.BAD;
  /** The good outcome's label. */
  public static final String GOOD = Prediction.GOOD;
  private static final LabelFactory LABELS = Prediction.LABELS;
  /**
   * Tribuo's SGD trainers log their progress at INFO every thousand examples: thousands of lines
   * per model in the command line's output, the service's log and CI's. Held here so that the
   * level stays set (java.util.logging keeps loggers only weakly).
   */
  private static final Logger SGD_PROGRESS =
      Logger.getLogger("org.tribuo.common.sgd.AbstractSGDTrainer");

  static {
    SGD_PROGRESS.setLevel(Level.WARNING);
  }

  private ModelTrainer() {}

  /** The rows of a training set that fall in [from, to). */
  public static List<TrainingSet.Row> rows(TrainingSet set, long from, long to) {
    var rows = new ArrayList<TrainingSet.Row>();
    for (TrainingSet.Row r : set.rows()) {
      if (r.asOfMillis() >= from && r.asOfMillis() < to) {
        rows.add(r);
      }
    }
    return rows;
  }

  /** The algorithms `train` offers. */
  public enum Algorithm {
    /** Scorecard style; the default for delinquency. */
    LOGISTIC_REGRESSION("logistic-regression"),
    /** Gradient-boosted trees (Tribuo's XGBoost). */
    XGBOOST("xgboost");

    public final String id;

    Algorithm(String id) {
      this.id = id;
    }

    public static Algorithm of(String id) {
      return byId(values(), a -> a.id, "algorithm", id);
    }
  }

  /**
   * The algorithm {@code train} uses for {@code task} unless told otherwise: the winner, by average
   * precision, of every option across Vigil's book, the Handbook-shaped world and the credit world
   * (docs/models.md, "Defaults, chosen by evidence"): XGBoost for fraud, logistic regression for
   * deposits and delinquency.
   */
  public static Algorithm defaultAlgorithm(FeatureCatalogue.Task task) {
    return task == FeatureCatalogue.Task.FRAUD
        ? Algorithm.XGBOOST : Algorithm.LOGISTIC_REGRESSION;
  }

  /** Logistic regression's scaling unless told otherwise: min-max won on average on every task. */
  public static final Scaling DEFAULT_SCALING = Scaling.MINMAX;

  /** How logistic regression's inputs are scaled before fitting (trees need no scaling). */
  public enum Scaling {
    /**
     * {@code log(1 + x)} for features never negative in training, then min-max to [0, 1]: tames
     * heavy-tailed amounts and counts. The default until the comparison across worlds, where
     * min-max alone ranked better on average on every task.
     */
    LOG_MINMAX("log-minmax"),
    /**
     * Min-max to [0, 1] only, an affine map like the Fraud Detection Handbook's standard scaling:
     * keeps the model linear in the raw amount, which suits hard amount thresholds. The default
     * ({@link #DEFAULT_SCALING}).
     */
    MINMAX("minmax");

    public final String id;

    Scaling(String id) {
      this.id = id;
    }

    public static Scaling of(String id) {
      return byId(values(), s -> s.id, "scaling", id);
    }
  }

  /**
   * An algorithm's settings: what {@code train --tune} searches over. The defaults are what
   * {@code train} uses without it.
   *
   * @param trees XGBoost: boosting rounds
   * @param eta XGBoost: learning rate (shrinkage per tree)
   * @param maxDepth XGBoost: depth of each tree
   * @param minChildWeight XGBoost: the least hessian weight in a leaf
   * @param subsample XGBoost: share of rows each tree samples
   * @param colsample XGBoost: share of features each tree samples
   * @param lambda XGBoost: L2 penalty on leaf weights
   * @param epochs logistic regression: passes over the training rows
   * @param learningRate logistic regression: AdaGrad's initial learning rate
   * @param scaling logistic regression: input scaling
   */
  public record Hyperparameters(int trees, double eta, int maxDepth, double minChildWeight,
      double subsample, double colsample, double lambda, int epochs, double learningRate,
      Scaling scaling) {
    /**
     * The settings without {@code --tune}, and the first candidate with it; scaling log-min-max
     * here, which {@code train}'s command line replaces with its {@code --scaling} (min-max).
     */
    public static final Hyperparameters DEFAULT =
        new Hyperparameters(200, 0.1, 6, 1, 0.8, 0.8, 1, 5, 1.0, Scaling.LOG_MINMAX);

    public Hyperparameters {
      if (trees < 1 || maxDepth < 1 || epochs < 1 || !(eta > 0) || !(learningRate > 0)
          || !(subsample > 0 && subsample <= 1) || !(colsample > 0 && colsample <= 1)
          || minChildWeight < 0 || lambda < 0) {
        throw new IllegalArgumentException("hyperparameters out of range: " + this);
      }
      Objects.requireNonNull(scaling, "scaling");
    }

    /** The defaults with logistic regression's scaling set to {@code s}. */
    public static Hyperparameters defaults(Scaling s) {
      return DEFAULT.withScaling(s);
    }

    public Hyperparameters withScaling(Scaling s) {
      return new Hyperparameters(trees, eta, maxDepth, minChildWeight, subsample, colsample,
          lambda, epochs, learningRate, s);
    }

    /** What the model card records of them for {@code algorithm}. */
    public Map<String, String> describe(Algorithm algorithm) {
      var m = new LinkedHashMap<String, String>();
      if (algorithm == Algorithm.XGBOOST) {
        m.put("trees", Integer.toString(trees));
        m.put("eta", Double.toString(eta));
        m.put("max_depth", Integer.toString(maxDepth));
        m.put("min_child_weight", Double.toString(minChildWeight));
        m.put("subsample", Double.toString(subsample));
        m.put("colsample", Double.toString(colsample));
        m.put("lambda", Double.toString(lambda));
        m.put("seed", "42");
      } else {
        m.put("trainer", "logistic regression, SGD with AdaGrad");
        m.put("epochs", Integer.toString(epochs));
        m.put("learning_rate", Double.toString(learningRate));
        m.put("transforms", scaling == Scaling.LOG_MINMAX
            ? "log(1+x) for non-negative features, then min-max scaling" : "min-max scaling");
      }
      return m;
    }
  }

  /** As {@link #train(Algorithm, TrainingSet, List, boolean, Scaling)}, log-min-max scaling. */
  public static Model<Label> train(Algorithm algorithm, TrainingSet set,
      List<TrainingSet.Row> rows, boolean balanceClasses) {
    return train(algorithm, set, rows, balanceClasses, Scaling.LOG_MINMAX);
  }

  /**
   * Trains {@code algorithm} on {@code rows}.
   *
   * @param balanceClasses weight each bad example by the ratio of good to bad, so that a rare bad
   *     class shapes the model as much as the common good one. Probabilities are then far too
   *     high in absolute terms (on simulated fraud, logistic regression: Brier 0.067 against 0.007
   *     unweighted, for the same AUC), so it is off by default; ranking metrics (AUC, average
   *     precision, precision at a review budget) judge a model on imbalanced data either way.
   */
  public static Model<Label> train(Algorithm algorithm, TrainingSet set,
      List<TrainingSet.Row> rows, boolean balanceClasses, Scaling scaling) {
    return train(algorithm, set, rows, balanceClasses, Hyperparameters.defaults(scaling));
  }

  /**
   * Trains {@code algorithm} on {@code rows} with {@code settings}.
   *
   * @throws IllegalArgumentException if the rows lack either outcome
   */
  public static Model<Label> train(Algorithm algorithm, TrainingSet set,
      List<TrainingSet.Row> rows, boolean balanceClasses, Hyperparameters settings) {
    Scaling scaling = settings.scaling();
    String[] names = set.features().names().toArray(new String[0]);
    long positives = rows.stream().filter(r -> r.label() == 1).count();
    if (positives == 0 || positives == rows.size()) {
      throw new IllegalArgumentException(
          "the training period needs both outcomes; it has " + positives + " bad of " + rows.size());
    }
    float positiveWeight = (float) ((double) (rows.size() - positives) / positives);
    var dataset = new MutableDataset<Label>(
        new SimpleDataSourceProvenance("vigil " + set.task() + " training set", LABELS), LABELS);
    double[] min = new double[names.length];
    Arrays.fill(min, Double.POSITIVE_INFINITY);
    for (TrainingSet.Row r : rows) {
      var example = new ArrayExample<>(new Label(r.label() == 1 ? BAD : GOOD), names, r.values());
      if (r.label() == 1 && balanceClasses) {
        example.setWeight(positiveWeight);
      }
      dataset.add(example);
      for (int i = 0; i < names.length; i++) {
        min[i] = Math.min(min[i], r.values()[i]);
      }
    }
    if (algorithm == Algorithm.XGBOOST) {
      // trees need no scaling; by default 200 trees of depth 6, row and column sampling 0.8
      return new XGBoostClassificationTrainer(settings.trees(), settings.eta(), 0,
          settings.maxDepth(), settings.minChildWeight(), settings.subsample(),
          settings.colsample(), settings.lambda(), 0, 2, true, 42).train(dataset);
    }
    Map<String, List<Transformation>> perFeature = new HashMap<>();
    for (int i = 0; i < names.length; i++) {
      List<Transformation> steps = min[i] >= 0 && scaling == Scaling.LOG_MINMAX
          ? List.of(SimpleTransform.add(1), SimpleTransform.log(), new LinearScalingTransformation())
          : List.of(new LinearScalingTransformation());
      perFeature.put(names[i], steps);
    }
    // LogisticRegressionTrainer's objective and optimiser, with the epochs and rate chosen
    var logistic = new LinearSGDTrainer(
        new LogMulticlass(),
        new AdaGrad(settings.learningRate(), 0.1), settings.epochs(),
        12345L);
    var trainer = new TransformTrainer<>(logistic, new TransformationMap(perFeature), true);
    return trainer.train(dataset);
  }

  /** The model's probability of the bad outcome for one feature vector. */
  public static double probability(Model<Label> model, String[] names, double[] values) {
    return Prediction.probability(model, names, values);
  }


  /** The constant whose id is {@code given}; else an error naming {@code what} and the choices. */
  private static <E extends Enum<E>> E byId(E[] values, Function<E, String> id,
      String what, String given) {
    for (E e : values) {
      if (id.apply(e).equals(given)) {
        return e;
      }
    }
    throw new IllegalArgumentException(what + " must be " + Arrays.stream(values)
        .map(id).collect(Collectors.joining(" or ")) + ", not '" + given + "'");
  }
}
