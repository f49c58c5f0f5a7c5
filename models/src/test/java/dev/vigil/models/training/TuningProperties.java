package dev.vigil.models.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.vigil.models.evaluation.Metrics;
import java.util.ArrayList;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * The resampling behind tuning's choice computes average precision from how many times each row
 * was drawn; checked against the brute force, the rows repeated and {@link Metrics}.
 */
class TuningProperties {
  @Property(tries = 200)
  void averagePrecisionOfRowsTakenSeveralTimesIsThatOfTheRowsRepeated(@ForAll long seed) {
    var random = new SplittableRandom(seed);
    int n = 1 + random.nextInt(40);
    double[] scores = new double[n];
    int[] labels = new int[n];
    int[] times = new int[n];
    var expandedScores = new ArrayList<Double>();
    var expandedLabels = new ArrayList<Integer>();
    for (int i = 0; i < n; i++) {
      scores[i] = random.nextInt(8) / 8.0; // ties on purpose
      labels[i] = random.nextInt(4) == 0 ? 1 : 0;
      times[i] = random.nextInt(4);
      for (int t = 0; t < times[i]; t++) {
        expandedScores.add(scores[i]);
        expandedLabels.add(labels[i]);
      }
    }
    int[] order = java.util.stream.IntStream.range(0, n).boxed()
        .sorted((a, b) -> Double.compare(scores[b], scores[a])).mapToInt(i -> i).toArray();
    double weighted = Tuning.averagePrecision(order, scores, labels, times);
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
