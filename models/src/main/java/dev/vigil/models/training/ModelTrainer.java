package dev.vigil.models.training;

import dev.vigil.features.training.TrainingSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.sgd.linear.LogisticRegressionTrainer;
import org.tribuo.classification.xgboost.XGBoostClassificationTrainer;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.transform.Transformation;
import org.tribuo.transform.TransformationMap;
import org.tribuo.transform.TransformTrainer;
import org.tribuo.transform.transformations.LinearScalingTransformation;
import org.tribuo.transform.transformations.SimpleTransform;

/**
 * Trains Tribuo models on point-in-time training sets. The feature transformations (log for
 * non-negative features, then scaling to [0, 1]) are fitted on the training period and live inside
 * the model, so the service applies exactly what training did.
 */
public final class ModelTrainer {
  /** The bad outcome's label ({@link dev.vigil.registry.Prediction#BAD}). */
  public static final String BAD = dev.vigil.registry.Prediction.BAD;
  /** The good outcome's label. */
  public static final String GOOD = dev.vigil.registry.Prediction.GOOD;
  private static final LabelFactory LABELS = dev.vigil.registry.Prediction.LABELS;
  /**
   * Tribuo's SGD trainers log their progress at INFO every thousand examples: thousands of lines
   * per model in the command line's output, the service's log and CI's. Held here so that the
   * level stays set (java.util.logging keeps loggers only weakly).
   */
  private static final java.util.logging.Logger SGD_PROGRESS =
      java.util.logging.Logger.getLogger("org.tribuo.common.sgd.AbstractSGDTrainer");

  static {
    SGD_PROGRESS.setLevel(java.util.logging.Level.WARNING);
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

  /** How logistic regression's inputs are scaled before fitting (trees need no scaling). */
  public enum Scaling {
    /**
     * {@code log(1 + x)} for features never negative in training, then min-max to [0, 1]: tames
     * heavy-tailed amounts and counts. The default; on Vigil's simulated book it ranks better.
     */
    LOG_MINMAX("log-minmax"),
    /**
     * Min-max to [0, 1] only, an affine map like the Fraud Detection Handbook's standard scaling:
     * keeps the model linear in the raw amount, which suits hard amount thresholds.
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
    java.util.Arrays.fill(min, Double.POSITIVE_INFINITY);
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
      // trees need no scaling: 200 trees of depth 6, row and column sampling 0.8, seeded
      return new XGBoostClassificationTrainer(200, 0.1, 0, 6, 1, 0.8, 0.8, 1, 0, 2, true, 42)
          .train(dataset);
    }
    Map<String, List<Transformation>> perFeature = new HashMap<>();
    for (int i = 0; i < names.length; i++) {
      List<Transformation> steps = min[i] >= 0 && scaling == Scaling.LOG_MINMAX
          ? List.of(SimpleTransform.add(1), SimpleTransform.log(), new LinearScalingTransformation())
          : List.of(new LinearScalingTransformation());
      perFeature.put(names[i], steps);
    }
    var trainer = new TransformTrainer<>(new LogisticRegressionTrainer(),
        new TransformationMap(perFeature), true);
    return trainer.train(dataset);
  }

  /** The model's probability of the bad outcome for one feature vector. */
  public static double probability(Model<Label> model, String[] names, double[] values) {
    return dev.vigil.registry.Prediction.probability(model, names, values);
  }


  /** The constant whose id is {@code given}; else an error naming {@code what} and the choices. */
  private static <E extends Enum<E>> E byId(E[] values, java.util.function.Function<E, String> id,
      String what, String given) {
    for (E e : values) {
      if (id.apply(e).equals(given)) {
        return e;
      }
    }
    throw new IllegalArgumentException(what + " must be " + java.util.Arrays.stream(values)
        .map(id).collect(java.util.stream.Collectors.joining(" or ")) + ", not '" + given + "'");
  }
}
