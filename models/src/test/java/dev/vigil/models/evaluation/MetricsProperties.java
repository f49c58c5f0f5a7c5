package dev.vigil.models.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The metrics against brute-force definitions, over random scores with many ties. */
class MetricsProperties {
  record Sample(double[] scores, int[] labels) {}

  @Provide
  Arbitrary<Sample> samples() {
    return Arbitraries.integers().between(2, 60).flatMap(n -> Combinators.combine(
        Arbitraries.integers().between(0, 9).map(i -> i / 10.0).array(double[].class).ofSize(n),
        Arbitraries.integers().between(0, 1).array(int[].class).ofSize(n)).as(Sample::new))
        .filter(s -> java.util.Arrays.stream(s.labels()).sum() > 0
            && java.util.Arrays.stream(s.labels()).sum() < s.labels().length);
  }

  @Property(tries = 500)
  void aucIsTheShareOfPositiveNegativePairsRankedRight(@ForAll("samples") Sample s) {
    double wins = 0;
    long pairs = 0;
    for (int i = 0; i < s.scores().length; i++) {
      for (int j = 0; j < s.scores().length; j++) {
        if (s.labels()[i] == 1 && s.labels()[j] == 0) {
          pairs++;
          wins += s.scores()[i] > s.scores()[j] ? 1 : s.scores()[i] == s.scores()[j] ? 0.5 : 0;
        }
      }
    }
    assertThat(Metrics.aucRoc(s.scores(), s.labels())).isCloseTo(wins / pairs, within(1e-12));
  }

  @Property(tries = 500)
  void averagePrecisionSumsPrecisionOverRecallStepsAtEachDistinctThreshold(
      @ForAll("samples") Sample s) {
    double[] thresholds = java.util.Arrays.stream(s.scores()).distinct()
        .boxed().sorted(java.util.Comparator.reverseOrder()).mapToDouble(Double::doubleValue)
        .toArray();
    long positives = java.util.Arrays.stream(s.labels()).sum();
    double ap = 0;
    double previousRecall = 0;
    double bestKs = 0;
    long negatives = s.labels().length - positives;
    for (double t : thresholds) {
      long tp = 0;
      long flagged = 0;
      long fp = 0;
      for (int i = 0; i < s.scores().length; i++) {
        if (s.scores()[i] >= t) {
          flagged++;
          tp += s.labels()[i];
          fp += 1 - s.labels()[i];
        }
      }
      double recall = (double) tp / positives;
      ap += (recall - previousRecall) * tp / flagged;
      previousRecall = recall;
      bestKs = Math.max(bestKs, Math.abs(recall - (double) fp / negatives));
    }
    assertThat(Metrics.averagePrecision(s.scores(), s.labels())).isCloseTo(ap, within(1e-12));
    assertThat(Metrics.ks(s.scores(), s.labels())).isCloseTo(bestKs, within(1e-12));
  }

  @Test
  void cardPrecisionCountsCardsNotTransactions() {
    var scored = List.of(
        new Metrics.Scored("card-a", 1, 0.9, 1), new Metrics.Scored("card-a", 1, 0.8, 1),
        new Metrics.Scored("card-b", 1, 0.7, 0), new Metrics.Scored("card-c", 1, 0.1, 1),
        new Metrics.Scored("card-a", 2, 0.2, 0), new Metrics.Scored("card-d", 2, 0.95, 1));
    // day 1: top 2 cards a (fraud), b (good) -> 0.5; day 2: d (fraud), a (good) -> 0.5
    assertThat(Metrics.cardPrecisionAtK(scored, 2)).isEqualTo(0.5);
    assertThat(Metrics.cardPrecisionAtK(scored, 1)).isEqualTo(1.0);
  }

  @Test
  void aCardFoundInReviewIsBlockedForTheFollowingDays() {
    var scored = List.of(
        new Metrics.Scored("card-a", 1, 0.9, 1), new Metrics.Scored("card-b", 1, 0.5, 0),
        new Metrics.Scored("card-a", 2, 0.9, 1), new Metrics.Scored("card-b", 2, 0.5, 0),
        new Metrics.Scored("card-c", 2, 0.4, 1),
        new Metrics.Scored("card-b", 3, 0.9, 0), new Metrics.Scored("card-c", 3, 0.1, 1));
    // day 1: a (fraud) found and blocked -> 1; day 2: a is gone, b (good) -> 0;
    // day 3: b (good), reviewed but not blocked -> 0
    assertThat(Metrics.cardPrecisionAtK(scored, 1)).isCloseTo(1.0 / 3, within(1e-12));
    // with k = 2: day 1 a, b -> 0.5; day 2 b, c (c found) -> 0.5; day 3 b only -> 0
    assertThat(Metrics.cardPrecisionAtK(scored, 2)).isCloseTo(1.0 / 3, within(1e-12));
  }

  @Test
  void brierAndCalibrationOnAKnownExample() {
    double[] p = {0.1, 0.1, 0.9, 0.9};
    int[] y = {0, 1, 1, 1};
    assertThat(Metrics.brier(p, y)).isCloseTo((0.01 + 0.81 + 0.01 + 0.01) / 4, within(1e-12));
    var curve = Metrics.calibration(p, y, 10);
    assertThat(curve).hasSize(2);
    assertThat(curve.get(0).observedRate()).isEqualTo(0.5);
    assertThat(curve.get(1).observedRate()).isEqualTo(1.0);
  }

  @Property(tries = 200)
  void averagePrecisionOfRowsTakenSeveralTimesIsThatOfTheRowsRepeated(@ForAll long seed) {
    // the form a bootstrap resample uses (Tuning): how many times each row was drawn
    var random = new java.util.SplittableRandom(seed);
    int n = 1 + random.nextInt(40);
    double[] scores = new double[n];
    int[] labels = new int[n];
    int[] times = new int[n];
    var expandedScores = new java.util.ArrayList<Double>();
    var expandedLabels = new java.util.ArrayList<Integer>();
    for (int i = 0; i < n; i++) {
      scores[i] = random.nextInt(8) / 8.0; // ties on purpose
      labels[i] = random.nextInt(4) == 0 ? 1 : 0;
      times[i] = random.nextInt(4);
      for (int t = 0; t < times[i]; t++) {
        expandedScores.add(scores[i]);
        expandedLabels.add(labels[i]);
      }
    }
    double weighted = Metrics.averagePrecision(Metrics.descending(scores), scores, labels, times);
    double reference = expandedLabels.contains(1)
        ? Metrics.averagePrecision(expandedScores.stream().mapToDouble(d -> d).toArray(),
            expandedLabels.stream().mapToInt(i -> i).toArray())
        : Double.NaN;
    if (Double.isNaN(reference)) {
      assertThat(weighted).isNaN();
    } else {
      assertThat(weighted).isCloseTo(reference, within(1e-12));
    }
  }
}
