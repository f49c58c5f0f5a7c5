package dev.vigil.scoring.model;

import dev.vigil.features.profile.FeatureCatalogue.FeatureSet;
import dev.vigil.registry.ModelCard;
import dev.vigil.registry.ModelRegistry;
import dev.vigil.registry.Prediction;
import dev.vigil.registry.ScoreScale;
import java.util.Arrays;
import java.util.List;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoostError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuo.common.sgd.AbstractLinearSGDModel;
import org.tribuo.common.xgboost.XGBoostModel;
import org.tribuo.math.la.DenseMatrix;
import org.tribuo.transform.TransformedModel;
import org.tribuo.transform.Transformer;
import org.tribuo.transform.TransformerMap;

/**
 * A published model ready to serve: its probability for a feature vector, and each feature's
 * contribution to that probability in log-odds, computed the way the model itself computes and
 * measured against the training population (the model card's reference rows): a contribution is
 * how much the feature raises (positive) or lowers (negative) this score's log-odds compared with
 * the typical customer's, the population's expected contribution of that feature. The
 * contributions plus {@link Scored#base()} (the log-odds the model gives the population's
 * typical row) are the model's log-odds. This is, for a scorecard, the second method of
 * Regulation B's commentary (9(b)(2)-5): the factors on which the applicant fell furthest below
 * the average of all applicants (here, of the training population). For trees it is TreeSHAP,
 * whose base value is already the training population's expectation.
 *
 * <ul>
 *   <li>Logistic regression (scorecard): "points below the best", the method of adverse-action
 *       notices. A feature's contribution is its weight times the distance of its (transformed)
 *       value from the least adverse value seen in training. Contributions are never negative;
 *       their sum plus the model's intercept at the best values gives the log-odds exactly.
 *   <li>XGBoost: TreeSHAP (path-dependent, as the booster's {@code predictContrib}), bad class
 *       minus good class; their sum plus the bias is the log-odds. The trees are evaluated in
 *       Java ({@link BoostedTrees}, read once from the booster's JSON model): no JNI call and no
 *       lock per call. A booster it does not reproduce is served through its native calls,
 *       which serialise on the booster's lock.
 *   <li>Any other model (an ONNX import): occlusion, the drop in log-odds when the feature is set
 *       to zero, one extra prediction per feature.
 * </ul>
 */
public final class ServedModel {
  private static final Logger log = LoggerFactory.getLogger(ServedModel.class);

  /**
   * A probability of the bad outcome, each feature's contribution to its log-odds against the
   * training population, and the log-odds the contributions start from.
   */
  public record Scored(double probability, double[] contributions, double base) {}

  /**
   * Where the training population's tails begin, per feature in feature-set order, for one
   * quantile q: a value above {@code high[i]} is beyond the q-quantile on the high side (at least
   * a share q of the population lies strictly below it), a value below {@code low[i]} beyond it
   * on the low side (at least a share q lies strictly above it). NaN where the population is not
   * known (a model published without reference rows).
   */
  public record Tails(double quantile, double[] low, double[] high) {
    /** Whether {@code value} of feature {@code i} lies in the population's high tail. */
    public boolean aboveHigh(int i, double value) {
      return value > high[i];
    }

    /** Whether {@code value} of feature {@code i} lies in the population's low tail. */
    public boolean belowLow(int i, double value) {
      return value < low[i];
    }

    /** Whether the population of feature {@code i} is known. */
    public boolean known(int i) {
      return !Double.isNaN(high[i]);
    }

    /**
     * The tails of each column of {@code sorted} (ascending, no NaN): with n values and
     * k = ceil(q n), high is the k-th smallest value and low the k-th largest.
     */
    static Tails of(double[][] sorted, double quantile) {
      double[] low = new double[sorted.length];
      double[] high = new double[sorted.length];
      for (int i = 0; i < sorted.length; i++) {
        double[] column = sorted[i];
        int n = column.length;
        if (n == 0) {
          low[i] = Double.NaN;
          high[i] = Double.NaN;
          continue;
        }
        // q n is k up to rounding when it is a whole number (q a whole percentile, say)
        int k = Math.max(1, Math.min(n, (int) Math.ceil(quantile * n - 1e-9)));
        high[i] = column[k - 1];
        low[i] = column[n - k];
      }
      return new Tails(quantile, low, high);
    }
  }

  private final String version;
  private final ModelCard card;
  private final Model<Label> model;
  private final String[] names;
  private final Explainer explainer;
  /** Each feature's expected contribution over the reference rows (zeros without them). */
  private final double[] expected;
  /** Each feature's median over the reference rows (NaN without them). */
  private final double[] typical;
  /** The model's 0-999 score of each reference row, in card order (empty without them). */
  private final double[] referenceScores;
  /** Each feature's reference values, ascending, NaN left out (empty without reference rows). */
  private final double[][] sorted;
  /** The tails last asked for: the policy's quantile changes seldom. */
  private volatile Tails tails;

  /**
   * A loaded model, ready to serve {@code features}.
   *
   * @param loaded the model and its card, as the registry loaded them
   */
  public ServedModel(String version, ModelRegistry.Loaded loaded, FeatureSet features) {
    this(version, loaded, features, true);
  }

  /**
   * As above; {@code javaTrees} false serves XGBoost through the booster's native calls, as
   * before the trees were evaluated in Java (the tests and the benchmark compare the two).
   */
  ServedModel(String version, ModelRegistry.Loaded loaded, FeatureSet features,
      boolean javaTrees) {
    this.version = version;
    this.card = loaded.card();
    this.model = loaded.model();
    this.names = features.names().toArray(new String[0]);
    this.explainer = explainerFor(model, names, javaTrees);
    this.expected = new double[names.length];
    this.typical = new double[names.length];
    Arrays.fill(typical, Double.NaN);
    List<double[]> reference = card.reference().stream()
        .filter(row -> row.length == names.length).toList();
    double[] scores = new double[reference.size()];
    this.sorted = new double[names.length][];
    if (!reference.isEmpty()) {
      try {
        for (int r = 0; r < scores.length; r++) {
          double p = probability(reference.get(r));
          scores[r] = ScoreScale.of(p);
          double[] c = explainer.contributions(reference.get(r), p);
          for (int i = 0; i < names.length; i++) {
            expected[i] += c[i] / reference.size();
          }
        }
      } catch (RuntimeException e) {
        // a model that cannot score its own reference rows fails its requests too, and they get
        // the stand-in decision; it still loads, so that its role can be given and taken away
        Arrays.fill(expected, 0);
        scores = new double[0];
      }
      double[] column = new double[reference.size()];
      for (int i = 0; i < names.length; i++) {
        for (int r = 0; r < column.length; r++) {
          column[r] = reference.get(r)[i];
        }
        Arrays.sort(column);
        typical[i] = column.length % 2 == 1 ? column[column.length / 2]
            : (column[column.length / 2 - 1] + column[column.length / 2]) / 2;
        sorted[i] = Arrays.stream(column).filter(v -> !Double.isNaN(v)).toArray();
      }
    } else {
      Arrays.fill(sorted, new double[0]);
    }
    this.referenceScores = scores;
  }

  /**
   * Whether the card carried the training population and the model scored it (reasons and
   * drift are relative to it).
   */
  public boolean explainsAgainstPopulation() {
    return referenceScores.length > 0;
  }

  /**
   * The model's 0-999 score of each of its card's reference rows, computed once at load: the
   * training population's score distribution. Empty when {@link #explainsAgainstPopulation} is
   * false.
   */
  public double[] referenceScores() {
    return referenceScores.clone();
  }

  /**
   * Each feature's typical value (its median over the training population), NaN for a model
   * published without reference rows: a reason is given for a feature only on the adverse side
   * of it.
   */
  public double[] typical() {
    return typical.clone();
  }

  /**
   * Where the training population's tails begin at {@code quantile} (its reference rows, the
   * card's seeded sample of the training rows): a reason's value must lie beyond them on its
   * adverse side.
   */
  public Tails tails(double quantile) {
    Tails t = tails;
    if (t == null || t.quantile() != quantile) {
      t = Tails.of(sorted, quantile);
      tails = t;
    }
    return t;
  }

  public String version() {
    return version;
  }

  public ModelCard card() {
    return card;
  }

  public String algorithm() {
    return card.algorithm();
  }

  /**
   * The model's adverse direction per feature in feature-set order (+1: higher values raise the
   * score, -1: lower values do), or null when it has none fixed (trees, imported models).
   */
  public int[] directions() {
    return explainer instanceof Scorecard card ? card.directions() : null;
  }

  /** The probability alone (challenger and shadow scoring). */
  public double probability(double[] values) {
    if (explainer instanceof JavaTrees trees) {
      return sigmoid(trees.logOdds(values));
    }
    return Prediction.probability(model, names, values);
  }

  /** The probability and each feature's contribution, in feature-set order. */
  public Scored score(double[] values) {
    double p;
    double[] c;
    double base; // the log-odds the model's own explanation starts from, before the shift
    if (explainer instanceof Scorecard card) {
      // the scorecard's points are the model: their sum is its log-odds (ServedModelTest proves
      // it equal to Tribuo's own prediction), so one pass gives both
      c = card.contributions(values, Double.NaN);
      double logOdds = card.intercept();
      for (double point : c) {
        logOdds += point;
      }
      p = 1 / (1 + Math.exp(-logOdds));
      base = card.intercept();
    } else if (explainer instanceof JavaTrees trees) {
      // the margins from the leaves the row reaches (as the booster's predict), TreeSHAP's
      // contributions and bias beside them: their sum is the same margin up to float rounding
      // (ServedModelTest and BoostedTreesTest prove both equal to the booster's own)
      float[] row = trees.row(values);
      double[] withBias = trees.withBias(row, values.length);
      p = sigmoid(trees.logOdds(row));
      c = Arrays.copyOf(withBias, values.length);
      base = withBias[values.length];
    } else if (explainer instanceof TreeContributions trees) {
      // TreeSHAP's contributions and bias add up to the booster's margin, bad class against
      // good, so one pass gives both (ServedModelTest proves it equal to Tribuo's prediction)
      double[] withBias = trees.withBias(values);
      double margin = 0;
      for (double x : withBias) {
        margin += x;
      }
      p = 1 / (1 + Math.exp(-margin));
      c = Arrays.copyOf(withBias, values.length);
      base = withBias[values.length];
    } else {
      p = probability(values);
      c = explainer.contributions(values, p);
      double sum = 0;
      for (double x : c) {
        sum += x;
      }
      base = logit(p) - sum; // occlusion does not add up: its base is what is left
    }
    // against the population: each contribution less its expectation, which the base takes on
    for (int i = 0; i < c.length; i++) {
      c[i] -= expected[i];
      base += expected[i];
    }
    return new Scored(p, c, base);
  }

  private interface Explainer {
    double[] contributions(double[] values, double probability);
  }

  private static Explainer explainerFor(Model<Label> model, String[] names, boolean javaTrees) {
    if (model instanceof TransformedModel<Label> t
        && t.getInnerModel() instanceof AbstractLinearSGDModel<Label> linear) {
      return new Scorecard(t.getTransformerMap(), linear, names);
    }
    if (model instanceof XGBoostModel<Label> trees && trees.getInnerModels().size() == 1) {
      // one row per call, many calls at once: OpenMP's thread team costs more than the row
      trees.setNumThreads(1);
      if (javaTrees) {
        try {
          return new JavaTrees(trees, names);
        } catch (BoostedTrees.Unsupported e) {
          // a shape the Java evaluator does not reproduce (another objective, dart, categorical
          // splits): served through the booster, one call at a time on its lock
          log.warn("XGBoost model served through the native booster: {}", e.getMessage());
        } catch (RuntimeException e) {
          // a model file the evaluator cannot read as it expects (a later XGBoost's format,
          // e.g. a per-class base_score): the booster still serves it, as it did before
          log.warn("XGBoost model served through the native booster: its JSON model could not"
              + " be read ({})", e.toString());
        }
      }
      return new TreeContributions(trees, names);
    }
    return (values, p) -> occlusion(model, names, values, p);
  }

  static double sigmoid(double logOdds) {
    return 1 / (1 + Math.exp(-logOdds));
  }

  static double logit(double p) {
    double q = Math.min(1 - 1e-12, Math.max(1e-12, p));
    return Math.log(q / (1 - q));
  }

  private static double[] occlusion(Model<Label> model, String[] names, double[] values,
      double p) {
    double base = logit(p);
    double[] out = new double[values.length];
    double[] probe = values.clone();
    for (int i = 0; i < values.length; i++) {
      if (values[i] == 0) {
        continue;
      }
      probe[i] = 0;
      out[i] = base - logit(Prediction.probability(model, names, probe));
      probe[i] = values[i];
    }
    return out;
  }

  /** Logistic regression behind Tribuo's feature transformations. */
  static final class Scorecard implements Explainer {
    private final List<Transformer>[] transforms;
    private final double[] coefficient;
    private final double[] best;
    private final double intercept;
    private final int[] directions;

    @SuppressWarnings("unchecked")
    Scorecard(TransformerMap map, AbstractLinearSGDModel<Label> linear, String[] names) {
      DenseMatrix w = linear.getWeightsCopy();
      int bad = linear.getOutputIDInfo().getID(new Label(Prediction.BAD));
      int good = linear.getOutputIDInfo().getID(new Label(Prediction.GOOD));
      ImmutableFeatureMap ids = linear.getFeatureIDMap();
      int biasColumn = w.getDimension2Size() - 1;
      transforms = new List[names.length];
      coefficient = new double[names.length];
      best = new double[names.length];
      double icpt = w.get(bad, biasColumn) - w.get(good, biasColumn);
      for (int i = 0; i < names.length; i++) {
        transforms[i] = map.get(names[i]);
        int id = ids.getID(names[i]);
        coefficient[i] = id < 0 ? 0 : w.get(bad, id) - w.get(good, id);
        // training values are scaled into [0, 1]: the least adverse end depends on the sign
        best[i] = coefficient[i] > 0 ? 0 : 1;
        icpt += coefficient[i] * best[i];
      }
      intercept = icpt;
      directions = new int[names.length];
      for (int i = 0; i < names.length; i++) {
        directions[i] = (int) Math.signum(coefficient[i]);
      }
    }

    @Override
    public double[] contributions(double[] values, double probability) {
      double[] out = new double[values.length];
      for (int i = 0; i < values.length; i++) {
        double x = transforms[i] == null ? values[i]
            : TransformerMap.applyTransformerList(values[i], transforms[i]);
        out[i] = coefficient[i] * (x - best[i]);
      }
      return out;
    }

    int[] directions() {
      return directions;
    }

    /** The log-odds at the least adverse value of every feature. */
    double intercept() {
      return intercept;
    }
  }

  /**
   * The booster's trees evaluated in Java ({@link BoostedTrees}): margins and TreeSHAP
   * contributions for the bad class against the good, no native call and no lock.
   */
  static final class JavaTrees implements Explainer {
    private final BoostedTrees trees;
    private final int[] column;
    private final int bad;
    private final int good;

    JavaTrees(XGBoostModel<Label> model, String[] names) throws BoostedTrees.Unsupported {
      ImmutableFeatureMap ids = model.getFeatureIDMap();
      // a copy of the booster (Tribuo copies on each call), read once and freed at once
      Booster booster = model.getInnerModels().get(0);
      try {
        trees = BoostedTrees.read(booster.toByteArray("json"), ids.size());
      } catch (XGBoostError e) {
        throw new IllegalStateException("XGBoost could not write its model as JSON", e);
      } finally {
        booster.dispose();
      }
      if (!trees.fast()) {
        // served, but its contributions cost about five times Fast TreeSHAP's
        log.warn("XGBoost model's contributions by path-dependent TreeSHAP: too deep, too large"
            + " or a zero cover for Fast TreeSHAP's tables");
      }
      int classes = model.getOutputIDInfo().size();
      if (trees.classes() != classes) {
        throw new BoostedTrees.Unsupported("num_class " + trees.classes() + " for " + classes
            + " labels");
      }
      column = new int[names.length];
      for (int i = 0; i < names.length; i++) {
        column[i] = ids.getID(names[i]);
      }
      bad = model.getOutputIDInfo().getID(new Label(Prediction.BAD));
      good = model.getOutputIDInfo().getID(new Label(Prediction.GOOD));
    }

    /** The row as the booster reads it: floats in Tribuo's columns, NaN (missing) elsewhere. */
    float[] row(double[] values) {
      float[] row = new float[trees.width()];
      Arrays.fill(row, Float.NaN);
      for (int i = 0; i < values.length; i++) {
        if (column[i] >= 0) {
          row[column[i]] = (float) values[i];
        }
      }
      return row;
    }

    BoostedTrees trees() {
      return trees;
    }

    /** The bad class's margin less the good class's: the log-odds of the bad outcome. */
    double logOdds(double[] values) {
      return logOdds(row(values));
    }

    double logOdds(float[] row) {
      float[] m = trees.margins(row);
      return (double) m[bad] - m[good];
    }

    @Override
    public double[] contributions(double[] values, double probability) {
      return Arrays.copyOf(withBias(values), values.length);
    }

    /**
     * Each feature's contribution, then the bias, bad class against good; 0 for a feature the
     * model does not know.
     */
    double[] withBias(double[] values) {
      return withBias(row(values), values.length);
    }

    /** As above, for the row {@link #row} made of {@code features} values. */
    double[] withBias(float[] row, int features) {
      float[] c = trees.contributions(row);
      int stride = trees.width() + 1;
      double[] out = new double[features + 1];
      for (int i = 0; i < features; i++) {
        if (column[i] >= 0) {
          out[i] = (double) c[bad * stride + column[i]] - c[good * stride + column[i]];
        }
      }
      out[features] = (double) c[bad * stride + stride - 1] - c[good * stride + stride - 1];
      return out;
    }
  }

  /** XGBoost's per-prediction contributions for the bad class against the good, natively. */
  static final class TreeContributions implements Explainer {
    /**
     * The booster, copied from the model once. Tribuo's {@code getInnerModels()} copies every
     * booster on each call (serialises and reloads it natively), and a copy's native memory is
     * freed only when the collector finalises it: asked per prediction, that cost a copy per score
     * and let native memory grow between collections (a test JVM aborted).
     */
    private final Booster booster;
    private final int[] column;
    private final int width;
    private final int bad;
    private final int good;
    private final int classes;

    TreeContributions(XGBoostModel<Label> model, String[] names) {
      this.booster = model.getInnerModels().get(0);
      try {
        booster.setParam("nthread", 1);
      } catch (XGBoostError e) {
        throw new IllegalStateException("XGBoost refused nthread=1", e);
      }
      ImmutableFeatureMap ids = model.getFeatureIDMap();
      width = ids.size();
      column = new int[names.length];
      for (int i = 0; i < names.length; i++) {
        column[i] = ids.getID(names[i]);
      }
      bad = model.getOutputIDInfo().getID(new Label(Prediction.BAD));
      good = model.getOutputIDInfo().getID(new Label(Prediction.GOOD));
      classes = model.getOutputIDInfo().size();
    }

    @Override
    public double[] contributions(double[] values, double probability) {
      return Arrays.copyOf(withBias(values), values.length);
    }

    /** Each feature's contribution, then the bias, bad class against good. */
    double[] withBias(double[] values) {
      float[] row = new float[width];
      Arrays.fill(row, Float.NaN);
      for (int i = 0; i < values.length; i++) {
        if (column[i] >= 0) {
          row[column[i]] = (float) values[i];
        }
      }
      float[] c = contributionRow(row);
      int stride = width + 1;
      boolean perClass = classes > 1 && c.length >= classes * stride;
      double[] out = new double[values.length + 1];
      for (int i = 0; i < values.length; i++) {
        if (column[i] < 0) {
          continue;
        }
        out[i] = perClass ? c[bad * stride + column[i]] - c[good * stride + column[i]]
            : c[column[i]];
      }
      out[values.length] = perClass ? c[bad * stride + width] - c[good * stride + width]
          : c[width];
      return out;
    }

    /** The raw contribution row: per class, one value per feature then the bias. */
    float[] contributionRow(float[] row) {
      try {
        DMatrix m = new DMatrix(row, 1, width, Float.NaN);
        try {
          return booster.predictContrib(m, 0)[0];
        } finally {
          m.dispose();
        }
      } catch (XGBoostError e) {
        throw new IllegalStateException("XGBoost could not explain the prediction", e);
      }
    }
  }
}
