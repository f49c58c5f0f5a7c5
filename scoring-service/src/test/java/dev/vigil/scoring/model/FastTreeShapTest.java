package dev.vigil.scoring.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsReport;

/**
 * Fast TreeSHAP ({@link BoostedTrees.LeafTables}) equals path-dependent TreeSHAP
 * ({@link BoostedTrees#treeShap}) and the booster's own {@code predictContrib} on generated
 * forests: small boosters trained by xgboost4j on generated data (1 to 5 columns, some taking a
 * few discrete values so that paths split on a feature several times, some missing values,
 * depth 1 to 8, 1 to 6 rounds), scored on generated rows (values at and around the training
 * values, and missing ones).
 *
 * <p>Tolerance 1e-5 absolute, as BoostedTreesTest's against xgboost4j: TreeSHAP is computed in
 * floats (the Java port and XGBoost alike), Fast TreeSHAP in doubles from the same covers and
 * leaf values; the contributions here are of order 0.01-1 over at most 6 trees, so float rounding
 * stays near 1e-7, while a wrong pattern, subset or weight moves a contribution by a leaf's share.
 */
class FastTreeShapTest {
  /** A forest to train: the data's seed and shape, and the boosting parameters. */
  record Forest(long seed, int columns, int depth, int rounds, double missing) {}

  @Provide
  Arbitrary<Forest> forests() {
    return Combinators.combine(Arbitraries.longs(), Arbitraries.integers().between(1, 5),
        Arbitraries.integers().between(1, 8), Arbitraries.integers().between(1, 6),
        Arbitraries.of(0.0, 0.1, 0.3)).as(Forest::new);
  }

  /** Column c's value for a draw: even columns take 4 discrete values, odd ones are continuous. */
  private static float value(Random random, int c, double missing) {
    if (random.nextDouble() < missing) {
      return Float.NaN;
    }
    return c % 2 == 0 ? random.nextInt(4) : (float) random.nextGaussian();
  }

  private static Booster train(Forest f) throws XGBoostError {
    var random = new Random(f.seed());
    int rows = 300;
    float[] data = new float[rows * f.columns()];
    float[] labels = new float[rows];
    for (int r = 0; r < rows; r++) {
      double score = 0;
      for (int c = 0; c < f.columns(); c++) {
        float x = value(random, c, f.missing());
        data[r * f.columns() + c] = x;
        score += Float.isNaN(x) ? 0.5 : (c % 2 == 0 ? x - 1.5 : x) * (c + 1);
      }
      labels[r] = score + random.nextGaussian() > 0 ? 1 : 0;
    }
    DMatrix matrix = new DMatrix(data, rows, f.columns(), Float.NaN);
    try {
      matrix.setLabel(labels);
      Map<String, Object> params = new HashMap<>();
      params.put("objective", "multi:softprob");
      params.put("num_class", 2);
      params.put("max_depth", f.depth());
      params.put("eta", 0.3);
      params.put("min_child_weight", 0.05);
      params.put("tree_method", "exact");
      params.put("nthread", 1);
      params.put("seed", 7);
      return XGBoost.train(matrix, params, f.rounds(), new HashMap<>(), null, null);
    } finally {
      matrix.dispose();
    }
  }

  private static float[] nativeContributions(Booster booster, float[] row) throws XGBoostError {
    DMatrix m = new DMatrix(row, 1, row.length, Float.NaN);
    try {
      return booster.predictContrib(m, 0)[0];
    } finally {
      m.dispose();
    }
  }

  @Property(tries = 60)
  @StatisticsReport(onFailureOnly = true)
  void fastTreeShapIsPathDependentTreeShap(@ForAll("forests") Forest f)
      throws XGBoostError, BoostedTrees.Unsupported {
    Booster booster = train(f);
    try {
      BoostedTrees trees = BoostedTrees.read(booster.toByteArray("json"), f.columns());
      assertThat(trees.fast()).as("Fast TreeSHAP's tables built").isTrue();
      Statistics.label("splits on a feature already on the path")
          .collect(trees.repeatedSplits() > 0);
      var random = new Random(f.seed() + 1);
      for (int r = 0; r < 40; r++) {
        float[] row = new float[f.columns()];
        for (int c = 0; c < row.length; c++) {
          row[c] = value(random, c, 0.15);
        }
        float[] fast = trees.contributions(row);
        float[] reference = trees.treeShap(row);
        float[] expected = nativeContributions(booster, row);
        assertThat(fast).hasSameSizeAs(reference).hasSameSizeAs(expected);
        for (int i = 0; i < fast.length; i++) {
          assertThat((double) fast[i]).as("contribution %d, row %s", i, Arrays.toString(row))
              .isCloseTo(reference[i], within(1e-5))
              .isCloseTo(expected[i], within(1e-5));
        }
      }
    } finally {
      booster.dispose();
    }
    // the forests exercise merged features: a path splitting on a feature twice or more
    Statistics.label("splits on a feature already on the path")
        .coverage(c -> c.check(true).percentage(p -> p >= 20));
  }

  /** Over the tables' bound, path-dependent TreeSHAP serves, with the same contributions. */
  @Example
  void overTheBoundPathDependentTreeShapServes()
      throws XGBoostError, BoostedTrees.Unsupported {
    Forest f = new Forest(3, 4, 6, 4, 0.1);
    Booster booster = train(f);
    try {
      byte[] json = booster.toByteArray("json");
      BoostedTrees refused = BoostedTrees.read(json, f.columns(), 0);
      BoostedTrees fast = BoostedTrees.read(json, f.columns());
      assertThat(refused.fast()).isFalse();
      assertThat(fast.fast()).isTrue();
      var random = new Random(5);
      for (int r = 0; r < 20; r++) {
        float[] row = new float[f.columns()];
        for (int c = 0; c < row.length; c++) {
          row[c] = value(random, c, 0.15);
        }
        assertThat(refused.contributions(row)).containsExactly(refused.treeShap(row));
        float[] a = fast.contributions(row);
        float[] b = refused.contributions(row);
        for (int i = 0; i < a.length; i++) {
          assertThat((double) a[i]).isCloseTo(b[i], within(1e-5));
        }
      }
    } finally {
      booster.dispose();
    }
  }
}
