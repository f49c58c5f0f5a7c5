package dev.vigil.models.evaluation;

import dev.vigil.registry.ModelCard;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.IntStream;

/**
 * Evaluation metrics of a binary scorer: scores (higher is riskier, probabilities for the
 * calibration metrics) against labels (1 bad, 0 good). Ties are handled as scikit-learn does:
 * tied scores form one threshold.
 */
public final class Metrics {
  /** The headline metrics that are counts (of rows, of bad outcomes): integers wherever written. */
  public static final Set<String> COUNTS = ModelCard.COUNT_METRICS;

  private Metrics() {}

  /**
   * Headline metrics as they are written out (metrics.json, the console): the {@link #COUNTS} as
   * integers ({@code "rows" : 3046}, not {@code 3046.0}), every ratio as the double it is, in the
   * same order.
   */
  public static Map<String, Number> written(Map<String, Double> metrics) {
    var out = new LinkedHashMap<String, Number>();
    metrics.forEach((k, v) -> out.put(k, COUNTS.contains(k) ? (Number) v.longValue() : v));
    return out;
  }

  /** Area under the ROC curve: the chance a random positive outscores a random negative. */
  public static double aucRoc(double[] scores, int[] labels) {
    Integer[] order = byScoreAscending(scores);
    double rankSumPositives = 0;
    long positives = 0;
    int i = 0;
    while (i < order.length) {
      int j = i;
      while (j + 1 < order.length && scores[order[j + 1]] == scores[order[i]]) {
        j++;
      }
      double averageRank = (i + j) / 2.0 + 1; // ranks i+1 .. j+1
      for (int k = i; k <= j; k++) {
        if (labels[order[k]] == 1) {
          rankSumPositives += averageRank;
          positives++;
        }
      }
      i = j + 1;
    }
    long negatives = scores.length - positives;
    if (positives == 0 || negatives == 0) {
      return Double.NaN;
    }
    return (rankSumPositives - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
  }

  /** Average precision: the precision at each threshold, weighted by the recall it adds. */
  public static double averagePrecision(double[] scores, int[] labels) {
    int[] once = new int[labels.length];
    Arrays.fill(once, 1);
    return averagePrecision(descending(scores), scores, labels, once);
  }

  /**
   * {@link #averagePrecision(double[], int[])} of the rows each taken {@code times[i]} times,
   * without building them (a bootstrap resample is such a count per row): {@code order} lists the
   * rows by score, highest first ({@link #descending}); tied scores are one threshold. NaN when no
   * bad row is taken.
   */
  public static double averagePrecision(int[] order, double[] scores, int[] labels, int[] times) {
    long positives = 0;
    for (int i = 0; i < labels.length; i++) {
      positives += labels[i] == 1 ? times[i] : 0;
    }
    if (positives == 0) {
      return Double.NaN;
    }
    double ap = 0;
    long tp = 0;
    long fp = 0;
    long previousTp = 0;
    for (int k = 0; k < order.length; k++) {
      int i = order[k];
      if (labels[i] == 1) {
        tp += times[i];
      } else {
        fp += times[i];
      }
      boolean lastOfTie = k + 1 == order.length || scores[order[k + 1]] != scores[i];
      if (lastOfTie && tp > previousTp) {
        ap += (double) (tp - previousTp) / positives * tp / (tp + fp);
        previousTp = tp;
      }
    }
    return ap;
  }

  /**
   * True and false positives {@code [tp, fp]} flagged at each distinct score, highest first:
   * the points every threshold curve and metric is built from (tied scores are one threshold).
   */
  static List<long[]> countsAtThresholds(double[] scores, int[] labels) {
    int[] order = descending(scores);
    var points = new ArrayList<long[]>();
    long tp = 0;
    long fp = 0;
    for (int i = 0; i < order.length; i++) {
      if (labels[order[i]] == 1) {
        tp++;
      } else {
        fp++;
      }
      if (i + 1 == order.length || scores[order[i + 1]] != scores[order[i]]) {
        points.add(new long[] {tp, fp});
      }
    }
    return points;
  }

  /** Share of positives among the {@code k} highest scores (ties broken by input order). */
  public static double precisionAtK(double[] scores, int[] labels, int k) {
    int[] order = descending(scores);
    int n = Math.min(k, order.length);
    long hits = 0;
    for (int i = 0; i < n; i++) {
      hits += labels[order[i]];
    }
    return n == 0 ? Double.NaN : (double) hits / n;
  }

  /** Share of all positives found among the {@code k} highest scores. */
  public static double recallAtK(double[] scores, int[] labels, int k) {
    long positives = Arrays.stream(labels).filter(l -> l == 1).count();
    if (positives == 0) {
      return Double.NaN;
    }
    int[] order = descending(scores);
    long hits = 0;
    for (int i = 0; i < Math.min(k, order.length); i++) {
      hits += labels[order[i]];
    }
    return (double) hits / positives;
  }

  /** Kolmogorov-Smirnov: the largest gap between the positives' and negatives' score CDFs. */
  public static double ks(double[] scores, int[] labels) {
    long positives = Arrays.stream(labels).filter(l -> l == 1).count();
    long negatives = labels.length - positives;
    if (positives == 0 || negatives == 0) {
      return Double.NaN;
    }
    double best = 0;
    for (long[] counts : countsAtThresholds(scores, labels)) {
      best = Math.max(best, Math.abs((double) counts[0] / positives
          - (double) counts[1] / negatives));
    }
    return best;
  }

  /** Mean squared difference between predicted probability and outcome. */
  public static double brier(double[] probabilities, int[] labels) {
    double sum = 0;
    for (int i = 0; i < probabilities.length; i++) {
      double d = probabilities[i] - labels[i];
      sum += d * d;
    }
    return probabilities.length == 0 ? Double.NaN : sum / probabilities.length;
  }

  /** One bin of a reliability curve. */
  public record CalibrationBin(double lower, double upper, long count, double meanPredicted,
      double observedRate) {}

  /** A reliability curve over {@code bins} equal-width probability bins (empty bins left out). */
  public static List<CalibrationBin> calibration(double[] probabilities, int[] labels, int bins) {
    long[] count = new long[bins];
    double[] predicted = new double[bins];
    long[] bad = new long[bins];
    for (int i = 0; i < probabilities.length; i++) {
      int b = Math.min(bins - 1, Math.max(0, (int) (probabilities[i] * bins)));
      count[b]++;
      predicted[b] += probabilities[i];
      bad[b] += labels[i];
    }
    var curve = new ArrayList<CalibrationBin>();
    for (int b = 0; b < bins; b++) {
      if (count[b] > 0) {
        curve.add(new CalibrationBin((double) b / bins, (double) (b + 1) / bins, count[b],
            predicted[b] / count[b], (double) bad[b] / count[b]));
      }
    }
    return curve;
  }

  /** A transaction as the Handbook's card precision needs it. */
  public record Scored(String card, long day, double score, int label) {}

  /**
   * Card precision@k, as the Fraud Detection Handbook defines it ({@code card_precision_top_k}
   * with its default {@code remove_detected_compromised_cards=True}): each day, the k cards with
   * the highest transaction score that day are reviewed; the day's precision is the share of k
   * with a fraudulent transaction that day; a card found fraudulent in review is blocked, so it
   * leaves the following days; the metric is the mean over days.
   */
  public static double cardPrecisionAtK(List<Scored> transactions, int k) {
    Map<Long, Map<String, double[]>> byDay = new TreeMap<>();
    for (Scored s : transactions) {
      double[] card = byDay.computeIfAbsent(s.day(), d -> new HashMap<>())
          .computeIfAbsent(s.card(), c -> new double[] {Double.NEGATIVE_INFINITY, 0});
      card[0] = Math.max(card[0], s.score());
      card[1] = Math.max(card[1], s.label());
    }
    Set<String> blocked = new HashSet<>();
    double sum = 0;
    int days = 0;
    for (Map<String, double[]> cards : byDay.values()) {
      var ranked = new ArrayList<Map.Entry<String, double[]>>();
      for (var card : cards.entrySet()) {
        if (!blocked.contains(card.getKey())) {
          ranked.add(card);
        }
      }
      ranked.sort(Comparator.comparingDouble((Map.Entry<String, double[]> e) -> -e.getValue()[0])
          .thenComparing(Map.Entry::getKey));
      int n = Math.min(k, ranked.size());
      long hits = 0;
      for (int i = 0; i < n; i++) {
        if (ranked.get(i).getValue()[1] > 0) {
          hits++;
          blocked.add(ranked.get(i).getKey());
        }
      }
      sum += (double) hits / k;
      days++;
    }
    return days == 0 ? Double.NaN : sum / days;
  }

  private static Integer[] byScoreAscending(double[] scores) {
    Integer[] order = new Integer[scores.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparingDouble(i -> scores[i]));
    return order;
  }

  /** The rows' indices by score, highest first; tied scores keep their input order. */
  public static int[] descending(double[] scores) {
    return IntStream.range(0, scores.length).boxed()
        .sorted((a, b) -> Double.compare(scores[b], scores[a]))
        .mapToInt(Integer::intValue).toArray();
  }
}
