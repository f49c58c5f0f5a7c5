package dev.vigil.scoring.model;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * An XGBoost tree ensemble evaluated in Java, read once from the booster's own JSON model (exact
 * float split conditions and leaf values, default directions, each node's cover and each tree's
 * class): the margins per class, computed as XGBoost's CPU predictor computes them (in floats
 * and in the same order), and path-dependent TreeSHAP's contributions (Lundberg et al.), by Fast
 * TreeSHAP v2's tables built at load (in doubles: within float rounding of the booster's), or by
 * XGBoost's own algorithm, ported, when the tables would be too large ({@link #fast}); no native
 * call and no lock. Immutable after load: any number of threads may score at once.
 *
 * <p>Supported: a {@code gbtree} booster with the {@code multi:softprob} objective (what Tribuo's
 * XGBoost classifier trains), numerical splits only. Anything else ({@code dart}'s weighted
 * trees, categorical splits, vector leaves, another objective) is refused with
 * {@link Unsupported}, and the caller serves it through the booster.
 *
 * <p>Layout: all trees' nodes in flat arrays; a child index is absolute, -1 for a leaf, whose
 * value is in {@code condition} (as in XGBoost, where split condition and leaf value share the
 * node's slot).
 */
final class BoostedTrees {
  /** A model shape this evaluator does not reproduce; its message says which. */
  static final class Unsupported extends Exception {
    Unsupported(String message) {
      super(message);
    }
  }

  private final int width;
  private final int classes;
  private final float baseScore;
  /** Each tree's root (its first node's absolute index), and the class it adds to. */
  private final int[] root;
  private final int[] treeClass;
  private final int[] left;
  private final int[] right;
  private final int[] feature;
  private final float[] condition;
  private final boolean[] defaultLeft;
  /** Sum of hessians (cover) of each node's training rows. */
  private final float[] cover;
  /** Each node's cover-weighted mean leaf value (XGBoost's node mean values). */
  private final float[] mean;
  /** The deepest tree's depth plus two: the length of a TreeSHAP path. */
  private final int pathDepth;
  /** Fast TreeSHAP's per-leaf tables; null when refused (then {@link #treeShap} serves). */
  private final LeafTables fast;

  private BoostedTrees(int width, int classes, float baseScore, int[] root, int[] treeClass,
      int[] left, int[] right, int[] feature, float[] condition, boolean[] defaultLeft,
      float[] cover, long tableBytes) {
    this.width = width;
    this.classes = classes;
    this.baseScore = baseScore;
    this.root = root;
    this.treeClass = treeClass;
    this.left = left;
    this.right = right;
    this.feature = feature;
    this.condition = condition;
    this.defaultLeft = defaultLeft;
    this.cover = cover;
    this.mean = new float[left.length];
    int deepest = 0;
    for (int r : root) {
      fillMeans(r);
      deepest = Math.max(deepest, depth(r));
    }
    this.pathDepth = deepest + 2;
    this.fast = LeafTables.build(this, deepest, tableBytes);
  }

  /**
   * Reads a booster's JSON model ({@code Booster.toByteArray("json")}).
   *
   * @param width the columns of the rows it will score (Tribuo's feature map size)
   * @throws Unsupported for a model shape it does not reproduce exactly
   */
  static BoostedTrees read(byte[] json, int width) throws Unsupported {
    return read(json, width, LeafTables.MAX_BYTES);
  }

  /**
   * As {@link #read(byte[], int)}, with Fast TreeSHAP's tables refused above {@code tableBytes}
   * (tests use 0 to force path-dependent TreeSHAP).
   */
  static BoostedTrees read(byte[] json, int width, long tableBytes) throws Unsupported {
    JsonNode learner;
    try {
      // floats as decimals: each parsed straight to the float XGBoost wrote, never via a double
      learner = new ObjectMapper()
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .readTree(json).path("learner");
    } catch (IOException e) {
      throw new IllegalArgumentException("the booster's JSON model is unreadable", e);
    }
    String objective = learner.path("objective").path("name").asText();
    if (!objective.equals("multi:softprob")) {
      throw new Unsupported("objective " + objective + " (only multi:softprob)");
    }
    JsonNode booster = learner.path("gradient_booster");
    String kind = booster.path("name").asText();
    if (!kind.equals("gbtree")) {
      throw new Unsupported("booster " + kind + " (only gbtree)");
    }
    JsonNode params = learner.path("learner_model_param");
    int classes = Integer.parseInt(params.path("num_class").asText("0"));
    if (classes < 2) {
      throw new Unsupported("num_class " + classes + " with multi:softprob");
    }
    // multi:softprob's margin transform is the identity: base_score is each class's start
    float baseScore = Float.parseFloat(params.path("base_score").asText("0.5"));
    JsonNode model = booster.path("model");
    JsonNode trees = model.path("trees");
    JsonNode info = model.path("tree_info");
    if (trees.size() != info.size()) {
      throw new IllegalArgumentException("the booster's JSON model has " + trees.size()
          + " trees and " + info.size() + " tree_info entries");
    }
    int nodes = 0;
    for (JsonNode tree : trees) {
      nodes += tree.path("left_children").size();
    }
    int[] root = new int[trees.size()];
    int[] treeClass = new int[trees.size()];
    int[] left = new int[nodes];
    int[] right = new int[nodes];
    int[] feature = new int[nodes];
    float[] condition = new float[nodes];
    boolean[] defaultLeft = new boolean[nodes];
    float[] cover = new float[nodes];
    int at = 0;
    for (int t = 0; t < trees.size(); t++) {
      JsonNode tree = trees.get(t);
      int leafVector = Integer.parseInt(tree.path("tree_param").path("size_leaf_vector")
          .asText("0"));
      if (leafVector > 1) {
        throw new Unsupported("tree " + t + " has vector leaves (size_leaf_vector "
            + leafVector + ")");
      }
      if (tree.path("categories_nodes").size() > 0) {
        throw new Unsupported("tree " + t + " has categorical splits");
      }
      for (JsonNode type : tree.path("split_type")) {
        if (type.asInt() != 0) {
          throw new Unsupported("tree " + t + " has a split of type " + type.asInt());
        }
      }
      treeClass[t] = info.get(t).asInt();
      if (treeClass[t] < 0 || treeClass[t] >= classes) {
        throw new IllegalArgumentException("tree " + t + " adds to class " + treeClass[t]
            + " of " + classes);
      }
      root[t] = at;
      JsonNode lefts = tree.path("left_children");
      JsonNode rights = tree.path("right_children");
      JsonNode indices = tree.path("split_indices");
      JsonNode conditions = tree.path("split_conditions");
      JsonNode defaults = tree.path("default_left");
      JsonNode hessians = tree.path("sum_hessian");
      int n = lefts.size();
      for (JsonNode column : new JsonNode[] {rights, indices, conditions, defaults, hessians}) {
        if (column.size() != n) {
          throw new IllegalArgumentException("tree " + t + " has " + n + " nodes but a column of "
              + column.size());
        }
      }
      for (int i = 0; i < n; i++) {
        int l = lefts.get(i).asInt();
        left[at + i] = l < 0 ? -1 : at + l;
        right[at + i] = l < 0 ? -1 : at + rights.get(i).asInt();
        feature[at + i] = indices.get(i).asInt();
        condition[at + i] = Float.parseFloat(conditions.get(i).asText());
        defaultLeft[at + i] = defaults.get(i).asBoolean();
        cover[at + i] = Float.parseFloat(hessians.get(i).asText());
        if (l >= 0 && (feature[at + i] < 0 || feature[at + i] >= width)) {
          throw new IllegalArgumentException("tree " + t + " splits on column "
              + feature[at + i] + " of " + width);
        }
      }
      at += n;
    }
    return new BoostedTrees(width, classes, baseScore, root, treeClass, left, right, feature,
        condition, defaultLeft, cover, tableBytes);
  }

  int width() {
    return width;
  }

  int classes() {
    return classes;
  }

  /** How many splits send a missing value left, and how many right. */
  int[] missingDirections() {
    int[] out = new int[2];
    for (int n = 0; n < left.length; n++) {
      if (left[n] >= 0) {
        out[defaultLeft[n] ? 0 : 1]++;
      }
    }
    return out;
  }

  /** The distinct split conditions on a column, ascending (empty for a column no tree uses). */
  float[] thresholds(int column) {
    double[] distinct = IntStream.range(0, left.length)
        .filter(n -> left[n] >= 0 && feature[n] == column)
        .mapToDouble(n -> condition[n]).distinct().sorted().toArray();
    float[] out = new float[distinct.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) distinct[i]; // exact: each was a float
    }
    return out;
  }

  /**
   * Each class's margin for a row (NaN: missing), as {@code predict(..., outputMargin=true)}:
   * base_score plus the class's leaves, summed in floats in tree order.
   */
  float[] margins(float[] row) {
    float[] out = new float[classes];
    Arrays.fill(out, baseScore);
    for (int t = 0; t < root.length; t++) {
      out[treeClass[t]] += condition[leaf(root[t], row)];
    }
    return out;
  }

  /** The leaf a row reaches from {@code node}. */
  private int leaf(int node, float[] row) {
    int n = node;
    while (left[n] >= 0) {
      float x = row[feature[n]];
      // as XGBoost: a missing value follows the default; otherwise value < condition goes left
      n = Float.isNaN(x) ? (defaultLeft[n] ? left[n] : right[n])
          : x < condition[n] ? left[n] : right[n];
    }
    return n;
  }

  /** Whether contributions are computed by Fast TreeSHAP (tables built at load). */
  boolean fast() {
    return fast != null;
  }

  /**
   * How many splits are on a feature already split on above them (TreeSHAP merges each with
   * the first): what tests check their generated trees exercise.
   */
  int repeatedSplits() {
    int repeated = 0;
    for (int r : root) {
      repeated += repeatedSplits(r, new int[pathDepth], 0);
    }
    return repeated;
  }

  private int repeatedSplits(int node, int[] above, int depth) {
    if (left[node] < 0) {
      return 0;
    }
    int repeated = 0;
    for (int i = 0; i < depth; i++) {
      if (above[i] == feature[node]) {
        repeated = 1;
        break;
      }
    }
    above[depth] = feature[node];
    return repeated + repeatedSplits(left[node], above, depth + 1)
        + repeatedSplits(right[node], above, depth + 1);
  }

  /**
   * TreeSHAP contributions as {@code predictContrib}: per class, one value per column then the
   * bias (the trees' expected values plus base_score). Columns no tree splits on get 0. Fast
   * TreeSHAP v2 when its tables were built, else path-dependent TreeSHAP ({@link #treeShap}); the
   * two are equal within float rounding (BoostedTreesTest, FastTreeShapTest).
   */
  float[] contributions(float[] row) {
    return fast != null ? fast.contributions(this, row) : treeShap(row);
  }

  /**
   * Path-dependent TreeSHAP, as XGBoost's CPU predictor computes it: the reference Fast TreeSHAP
   * is checked against, and what serves a model whose tables would be too large.
   */
  float[] treeShap(float[] row) {
    int stride = width + 1;
    float[] out = new float[classes * stride];
    float[] tree = new float[stride];
    Path path = new Path(pathDepth);
    for (int t = 0; t < root.length; t++) {
      Arrays.fill(tree, 0);
      // the tree's expected value goes to the bias, then the recursion from the root
      tree[width] += mean[root[t]];
      shap(row, tree, root[t], 0, path, 0, 1, 1, -1);
      int offset = treeClass[t] * stride;
      for (int i = 0; i < stride; i++) {
        out[offset + i] += tree[i];
      }
    }
    for (int c = 0; c < classes; c++) {
      out[c * stride + width] += baseScore;
    }
    return out;
  }

  /** XGBoost's FillNodeMeanValues: each node's leaf values averaged by cover, in floats. */
  private float fillMeans(int node) {
    float result;
    if (left[node] < 0) {
      result = condition[node];
    } else {
      result = fillMeans(left[node]) * cover[left[node]];
      result += fillMeans(right[node]) * cover[right[node]];
      result /= cover[node];
    }
    mean[node] = result;
    return result;
  }

  private int depth(int node) {
    return left[node] < 0 ? 0 : 1 + Math.max(depth(left[node]), depth(right[node]));
  }

  /**
   * The unique paths of one recursion, each level's copy after its parent's (XGBoost's
   * PathElement array, as columns): {@code depth * (depth + 1) / 2} elements.
   */
  private static final class Path {
    final int[] feature;
    final float[] zero;
    final float[] one;
    final float[] weight;

    Path(int depth) {
      int n = depth * (depth + 1) / 2;
      feature = new int[n];
      zero = new float[n];
      one = new float[n];
      weight = new float[n];
    }
  }

  /**
   * XGBoost's RegTree::TreeShap without interaction conditions (condition 0: every feature on
   * the path is extended, as predictContrib without approximation does). {@code parent} is
   * where the parent's unique path starts in {@code path}; this level's copy follows it.
   */
  private void shap(float[] row, float[] phi, int node, int depth, Path path, int parent,
      float parentZero, float parentOne, int parentFeature) {
    int at = parent + depth + 1;
    // a few elements: a plain loop costs less than four System.arraycopy calls
    int[] pathFeature = path.feature;
    float[] pathZero = path.zero;
    float[] pathOne = path.one;
    float[] pathWeight = path.weight;
    for (int k = 0; k <= depth; k++) {
      pathFeature[at + k] = pathFeature[parent + k];
      pathZero[at + k] = pathZero[parent + k];
      pathOne[at + k] = pathOne[parent + k];
      pathWeight[at + k] = pathWeight[parent + k];
    }
    extend(path, at, depth, parentZero, parentOne, parentFeature);
    if (left[node] < 0) {
      for (int i = 1; i <= depth; i++) {
        float w = unwoundSum(path, at, depth, i);
        phi[path.feature[at + i]] += w * (path.one[at + i] - path.zero[at + i])
            * condition[node] * 1f;
      }
      return;
    }
    int split = feature[node];
    float x = row[split];
    int hot = Float.isNaN(x) ? (defaultLeft[node] ? left[node] : right[node])
        : x < condition[node] ? left[node] : right[node];
    int cold = hot == left[node] ? right[node] : left[node];
    float w = cover[node];
    float hotZero = cover[hot] / w;
    float coldZero = cover[cold] / w;
    float incomingZero = 1;
    float incomingOne = 1;
    // a feature already on the path: undo its split to redo it here
    int index = 0;
    for (; index <= depth; index++) {
      if (path.feature[at + index] == split) {
        break;
      }
    }
    int d = depth;
    if (index != depth + 1) {
      incomingZero = path.zero[at + index];
      incomingOne = path.one[at + index];
      unwind(path, at, d, index);
      d -= 1;
    }
    shap(row, phi, hot, d + 1, path, at, hotZero * incomingZero, incomingOne, split);
    shap(row, phi, cold, d + 1, path, at, coldZero * incomingZero, 0, split);
  }

  /** XGBoost's ExtendPath. */
  private static void extend(Path p, int at, int depth, float zero, float one, int feature) {
    p.feature[at + depth] = feature;
    p.zero[at + depth] = zero;
    p.one[at + depth] = one;
    p.weight[at + depth] = depth == 0 ? 1.0f : 0.0f;
    for (int i = depth - 1; i >= 0; i--) {
      p.weight[at + i + 1] += one * p.weight[at + i] * (i + 1) / (float) (depth + 1);
      p.weight[at + i] = zero * p.weight[at + i] * (depth - i) / (float) (depth + 1);
    }
  }

  /** XGBoost's UnwindPath. */
  private static void unwind(Path p, int at, int depth, int index) {
    float one = p.one[at + index];
    float zero = p.zero[at + index];
    float nextOne = p.weight[at + depth];
    for (int i = depth - 1; i >= 0; --i) {
      if (one != 0) {
        float tmp = p.weight[at + i];
        p.weight[at + i] = nextOne * (depth + 1) / (float) ((i + 1) * one);
        nextOne = tmp - p.weight[at + i] * zero * (depth - i) / (float) (depth + 1);
      } else {
        p.weight[at + i] = (p.weight[at + i] * (depth + 1)) / (zero * (depth - i));
      }
    }
    for (int i = index; i < depth; ++i) {
      p.feature[at + i] = p.feature[at + i + 1];
      p.zero[at + i] = p.zero[at + i + 1];
      p.one[at + i] = p.one[at + i + 1];
    }
  }

  /** XGBoost's UnwoundPathSum. */
  private static float unwoundSum(Path p, int at, int depth, int index) {
    float one = p.one[at + index];
    float zero = p.zero[at + index];
    float nextOne = p.weight[at + depth];
    float total = 0;
    for (int i = depth - 1; i >= 0; --i) {
      if (one != 0) {
        float tmp = nextOne * (depth + 1) / (float) ((i + 1) * one);
        total += tmp;
        nextOne = p.weight[at + i] - tmp * zero * ((depth - i) / (float) (depth + 1));
      } else if (zero != 0) {
        total += (p.weight[at + i] / zero) / ((depth - i) / (float) (depth + 1));
      }
    }
    return total;
  }

  /**
   * Fast TreeSHAP v2 (Yang 2021, arXiv 2109.09847): path-dependent TreeSHAP with the part that
   * does not depend on the row computed once per leaf at load.
   *
   * <p>A leaf of value {@code v} whose path splits on {@code k} distinct features {@code j} (a
   * feature split on twice is one feature, as TreeSHAP merges it: its zero fraction {@code z_j}
   * the product of its splits' cover ratios, and the row satisfies it when it satisfies all of its
   * splits) adds to feature {@code i}, for a row satisfying the features in {@code A}:
   * {@code v (o_i - z_i) sum over S in A less i of |S|!(k-1-|S|)!/k! prod(j not in S, j != i) z_j}.
   * With {@code H(A) = v sum over S in A of |S|!(k-1-|S|)!/k! prod(j not in S) z_j}, tabled for
   * all {@code 2^k} patterns {@code A}: a feature the row does not satisfy gets {@code -H(A)}, one
   * it satisfies gets {@code (1 - z_i) / z_i * H(A less i)}. A row's contributions then cost one
   * pass over the tree's nodes (each node's pattern from its parent's) and {@code k} look-ups per
   * leaf, against TreeSHAP's {@code k^2} per leaf and node.
   *
   * <p>Built in doubles and summed in doubles: within float rounding of XGBoost's float
   * TreeSHAP, which adds the same terms in another order (at most 1.7e-6 apart on the fraud
   * champion over 1,500 generated rows).
   */
  static final class LeafTables {
    /**
     * The tables' bound: above it (or above {@link #MAX_DEPTH}) the model is served by
     * path-dependent TreeSHAP. The fraud champion (200 rounds of 2 classes: 400 trees of depth
     * 6) needs at most 400 * 64 * 64 doubles (13 MB), in practice 73,450 (0.6 MB: 11 leaves per
     * tree on average); 64 MB allows several versions loaded at once.
     */
    static final long MAX_BYTES = 64L << 20;
    /** A leaf's table has {@code 2^k} entries: beyond depth 12 (4,096 each) it grows too fast. */
    static final int MAX_DEPTH = 12;

    /**
     * Per tree, its internal nodes (absolute indices), parents first:
     * {@code [nodeStart[t], nodeStart[t + 1])}.
     */
    private final int[] nodeStart;
    private final int[] internal;
    /** Per internal node, its feature's bit in the patterns of its subtree's leaves. */
    private final int[] bit;
    /**
     * Per internal node, its bit if its feature is new on the path (the child the row goes to
     * sets it), else 0 (that child keeps what the path above decided).
     */
    private final int[] set;
    /** Per tree, its leaves: {@code [leafStart[t], leafStart[t+1])}. */
    private final int[] leafStart;
    private final int[] leaf;
    /**
     * Per leaf, its distinct features in bit order: {@code [featureStart[l], featureStart[l +
     * 1])}.
     */
    private final int[] featureStart;
    private final int[] leafFeature;
    /** Per leaf feature, {@code 1 / z}. */
    private final double[] inverse;
    /** Per leaf, where its {@code 2^k} entries of {@code H} start in {@link #table}. */
    private final int[] tableStart;
    private final double[] table;
    /** The most nodes of any tree. */
    private final int widest;

    private LeafTables(int[] nodeStart, int[] internal, int[] bit, int[] set,
        int[] leafStart, int[] leaf, int[] featureStart, int[] leafFeature, double[] inverse,
        int[] tableStart, double[] table, int widest) {
      this.nodeStart = nodeStart;
      this.internal = internal;
      this.bit = bit;
      this.set = set;
      this.leafStart = leafStart;
      this.leaf = leaf;
      this.featureStart = featureStart;
      this.leafFeature = leafFeature;
      this.inverse = inverse;
      this.tableStart = tableStart;
      this.table = table;
      this.widest = widest;
    }

    /**
     * The tables for the trees, or null (path-dependent TreeSHAP serves) when a tree is deeper
     * than {@link #MAX_DEPTH}, the tables would exceed {@code maxBytes}, or a split has a child
     * of zero cover ({@code 1 / z} undefined).
     */
    static LeafTables build(BoostedTrees trees, int deepest, long maxBytes) {
      if (deepest > MAX_DEPTH) {
        return null;
      }
      int[] left = trees.left;
      int nodes = left.length;
      int leaves = 0;
      for (int n = 0; n < nodes; n++) {
        leaves += left[n] < 0 ? 1 : 0;
      }
      var builder = new Builder(trees, nodes, leaves);
      for (int t = 0; t < trees.root.length; t++) {
        builder.nodeStart[t] = builder.internals;
        builder.leafStart[t] = builder.leaves;
        if (!builder.walk(trees.root[t], 0) || builder.entries * 8L > maxBytes) {
          return null;
        }
      }
      int count = trees.root.length;
      builder.nodeStart[count] = builder.internals;
      builder.leafStart[count] = builder.leaves;
      builder.featureStart[builder.leaves] = builder.features;
      double[] table = new double[(int) builder.entries];
      for (int l = 0; l < builder.leaves; l++) {
        builder.fill(l, table);
      }
      int widest = 0;
      for (int t = 0; t < count; t++) {
        int end = t + 1 < count ? trees.root[t + 1] : nodes;
        widest = Math.max(widest, end - trees.root[t]);
      }
      return new LeafTables(builder.nodeStart, Arrays.copyOf(builder.internal, builder.internals),
          builder.bit, builder.set, builder.leafStart, builder.leaf, builder.featureStart,
          Arrays.copyOf(builder.leafFeature, builder.features),
          Arrays.copyOf(builder.inverse, builder.features), builder.tableStart, table, widest);
    }

    /** The walk over each tree at load, collecting paths, and then each leaf's table. */
    private static final class Builder {
      final BoostedTrees trees;
      final int[] nodeStart;
      final int[] internal;
      final int[] bit;
      final int[] set;
      final int[] leafStart;
      final int[] leaf;
      final int[] featureStart;
      final int[] leafFeature;
      final double[] inverse;
      /** Per leaf feature, z (for the tables). */
      final double[] zero;
      final int[] tableStart;
      final double[] value;
      /** The path being walked: its distinct features and their zero fractions. */
      final int[] pathFeature = new int[MAX_DEPTH];
      final double[] pathZero = new double[MAX_DEPTH];
      int internals;
      int leaves;
      int features;
      long entries;

      Builder(BoostedTrees trees, int nodes, int leaves) {
        this.trees = trees;
        nodeStart = new int[trees.root.length + 1];
        internal = new int[nodes];
        bit = new int[nodes];
        set = new int[nodes];
        leafStart = new int[trees.root.length + 1];
        leaf = new int[leaves];
        featureStart = new int[leaves + 1];
        leafFeature = new int[leaves * MAX_DEPTH];
        inverse = new double[leaves * MAX_DEPTH];
        zero = new double[leaves * MAX_DEPTH];
        tableStart = new int[leaves];
        value = new double[leaves];
      }

      /** Walks the subtree at {@code node}, the path above it having {@code k} features. */
      boolean walk(int node, int k) {
        if (trees.left[node] < 0) {
          int l = leaves++;
          leaf[l] = node;
          value[l] = trees.condition[node];
          featureStart[l] = features;
          for (int j = 0; j < k; j++) {
            if (!(pathZero[j] > 0)) {
              return false; // a child of zero cover: 1 / z is undefined
            }
            leafFeature[features] = pathFeature[j];
            zero[features] = pathZero[j];
            inverse[features] = 1 / pathZero[j];
            features++;
          }
          tableStart[l] = (int) Math.min(entries, Integer.MAX_VALUE);
          entries += 1L << k;
          return entries <= Integer.MAX_VALUE;
        }
        int split = trees.feature[node];
        int at = 0;
        while (at < k && pathFeature[at] != split) {
          at++;
        }
        internal[internals++] = node;
        bit[node] = 1 << at;
        set[node] = at == k ? bit[node] : 0;
        double cover = trees.cover[node];
        for (int child : new int[] {trees.left[node], trees.right[node]}) {
          double share = trees.cover[child] / cover;
          if (at == k) {
            pathFeature[k] = split;
            pathZero[k] = share;
            if (!walk(child, k + 1)) {
              return false;
            }
          } else {
            double before = pathZero[at];
            pathZero[at] = before * share;
            boolean ok = walk(child, k);
            pathZero[at] = before;
            if (!ok) {
              return false;
            }
          }
        }
        return true;
      }

      /** Leaf {@code l}'s {@code H(A)} for every pattern {@code A}. */
      void fill(int l, double[] table) {
        int from = featureStart[l];
        int k = featureStart[l + 1] - from;
        // Shapley weights |S|!(k-1-|S|)!/k!
        double[] weight = new double[Math.max(k, 1)];
        for (int s = 0; s < k; s++) {
          weight[s] = factorial(s) * factorial(k - 1 - s) / factorial(k);
        }
        // elementary symmetric polynomials of the satisfied features' zero fractions
        double[] e = new double[k + 1];
        for (int a = 0; a < 1 << k; a++) {
          Arrays.fill(e, 0);
          e[0] = 1;
          int m = 0;
          double outside = 1;
          for (int j = 0; j < k; j++) {
            double z = zero[from + j];
            if ((a >>> j & 1) != 0) {
              m++;
              for (int q = m; q >= 1; q--) {
                e[q] += e[q - 1] * z;
              }
            } else {
              outside *= z;
            }
          }
          // sum over S in A: weight(|S|) prod(j in A less S) z_j = sum_s weight(s) e_{m-s};
          // |S| = k (A every feature) never read: a satisfied feature looks A less itself up
          double sum = 0;
          for (int s = 0; s <= Math.min(m, k - 1); s++) {
            sum += weight[s] * e[m - s];
          }
          table[tableStart[l] + a] = value[l] * outside * sum;
        }
      }

      private static double factorial(int n) {
        double f = 1;
        for (int i = 2; i <= n; i++) {
          f *= i;
        }
        return f;
      }
    }

    float[] contributions(BoostedTrees trees, float[] row) {
      int width = trees.width;
      int stride = width + 1;
      double[] sum = new double[trees.classes * stride];
      // each node's pattern (bit j set: the row satisfies the path's feature j so far), by the
      // node's index in its tree
      int[] pattern = new int[widest];
      int[] left = trees.left;
      int[] right = trees.right;
      int[] feature = trees.feature;
      float[] condition = trees.condition;
      boolean[] defaultLeft = trees.defaultLeft;
      for (int t = 0; t < trees.root.length; t++) {
        int root = trees.root[t];
        int offset = trees.treeClass[t] * stride;
        sum[offset + width] += trees.mean[root];
        pattern[0] = 0;
        for (int i = nodeStart[t]; i < nodeStart[t + 1]; i++) {
          int n = internal[i];
          float x = row[feature[n]];
          // as XGBoost: a missing value follows the default; otherwise value < condition goes
          // left; selects rather than branches (the direction is the row's, unpredictable)
          boolean goesLeft = Float.isNaN(x) ? defaultLeft[n] : x < condition[n];
          int p = pattern[n - root];
          int satisfied = p | set[n];
          int violated = p & ~bit[n];
          pattern[left[n] - root] = goesLeft ? satisfied : violated;
          pattern[right[n] - root] = goesLeft ? violated : satisfied;
        }
        for (int l = leafStart[t]; l < leafStart[t + 1]; l++) {
          int a = pattern[leaf[l] - root];
          int base = tableStart[l];
          for (int f = featureStart[l], j = 0; f < featureStart[l + 1]; f++, j++) {
            // satisfied: (1 - z) / z * H(A less j) = (1 / z - 1) * H(A less j); not: -H(A),
            // and then A less j is A: one look-up either way
            int s = a >>> j & 1;
            sum[offset + leafFeature[f]] += table[base + (a & ~(1 << j))]
                * (s * inverse[f] - 1);
          }
        }
      }
      float[] out = new float[sum.length];
      for (int c = 0; c < trees.classes; c++) {
        sum[c * stride + width] += trees.baseScore;
      }
      for (int i = 0; i < out.length; i++) {
        out[i] = (float) sum[i];
      }
      return out;
    }
  }
}
