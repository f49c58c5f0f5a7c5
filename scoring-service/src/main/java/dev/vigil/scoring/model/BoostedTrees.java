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
 * class): the margins per class and path-dependent TreeSHAP (Lundberg et al.), computed as
 * XGBoost's CPU predictor computes them, in floats and in the same order, with no native call and
 * no lock. Immutable after load: any number of threads may score at once.
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

  private BoostedTrees(int width, int classes, float baseScore, int[] root, int[] treeClass,
      int[] left, int[] right, int[] feature, float[] condition, boolean[] defaultLeft,
      float[] cover) {
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
  }

  /**
   * Reads a booster's JSON model ({@code Booster.toByteArray("json")}).
   *
   * @param width the columns of the rows it will score (Tribuo's feature map size)
   * @throws Unsupported for a model shape it does not reproduce exactly
   */
  static BoostedTrees read(byte[] json, int width) throws Unsupported {
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
        condition, defaultLeft, cover);
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

  /**
   * TreeSHAP contributions as {@code predictContrib}: per class, one value per column then the
   * bias (the trees' expected values plus base_score). Columns no tree splits on get 0.
   */
  float[] contributions(float[] row) {
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
}
