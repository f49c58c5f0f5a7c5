package dev.vigil.scoring.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.vigil.features.event.Event;
import dev.vigil.features.profile.FeatureCatalogue;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.history.simulator.Simulator;
import dev.vigil.history.training.TrainingSet;
import dev.vigil.models.training.ModelTrainer;
import dev.vigil.models.training.TimeSplit;
import dev.vigil.models.training.Workflow;
import dev.vigil.registry.ModelRegistry;
import dev.vigil.scoring.model.ServedModel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drift monitoring against a real champion's training population: traffic like the training
 * rows stays under 0.1 everywhere; shifting one feature moves its index over 0.25 and leaves
 * the other features under 0.1; the reported indices equal a brute-force computation over the
 * window's rows.
 */
class DriftMonitorTest {
  @TempDir Path registryDir;

  @Test
  void aShiftedFeatureCrossesTheThresholdWhileTheOthersStayStable() throws Exception {
    var history = new ArrayList<Event>();
    new Simulator(Simulator.Config.of(11, 300, 60)).run(history::add);
    var split = new TimeSplit(Simulator.Config.of(11, 300, 60).start().plus(Duration.ofDays(37)),
        Duration.ofDays(14), Duration.ofDays(2), Duration.ofDays(5));
    TrainingSet set = Workflow.trainingSet(Task.FRAUD, history, split, Duration.ofDays(30));
    var result = Workflow.train(ModelTrainer.Algorithm.LOGISTIC_REGRESSION, Task.FRAUD, set,
        split, false);
    var registry = new ModelRegistry(registryDir);
    String version = registry.publish(Task.FRAUD, result.model(), result.card());
    var champion = new ServedModel(version, registry.load(Task.FRAUD, version),
        FeatureCatalogue.FRAUD);
    List<String> names = FeatureCatalogue.FRAUD.names();
    List<TrainingSet.Row> training = ModelTrainer.rows(set, split.trainFrom(), split.trainTo());
    int window = 2_000;
    var random = new Random(5);

    var monitor = new DriftMonitor(window);
    var fed = new ArrayList<double[]>();
    for (int k = 0; k < window; k++) {
      double[] row = training.get(random.nextInt(training.size())).values();
      fed.add(row);
      monitor.observe(Task.FRAUD, champion, names, row, champion.probability(row));
    }
    Map<String, Double> stable = byVariable(monitor);
    assertThat(stable).hasSize(names.size() + 1);
    stable.forEach((variable, psi) -> assertThat(psi).as(variable).isLessThan(0.1));

    // the same customers, but every amount four times as large: a window's worth of them
    int amount = names.indexOf("txn_amount");
    for (int k = 0; k < window; k++) {
      double[] row = training.get(random.nextInt(training.size())).values().clone();
      row[amount] *= 4;
      fed.add(row);
      monitor.observe(Task.FRAUD, champion, names, row, champion.probability(row));
    }
    Map<String, Double> shifted = byVariable(monitor);
    assertThat(shifted.get("txn_amount")).isGreaterThan(0.25);
    shifted.forEach((variable, psi) -> {
      if (!variable.equals("txn_amount") && !variable.equals("score")) {
        assertThat(psi).as(variable).isLessThan(0.1);
      }
    });

    // brute force over the window's rows: the last 2,000 fed, binned by a linear scan
    List<double[]> last = fed.subList(fed.size() - window, fed.size());
    List<double[]> reference = champion.card().reference();
    for (int i = 0; i < names.size(); i++) {
      Population population = Population.ofColumn(reference, i);
      double[] live = new double[population.bins()];
      for (double[] row : last) {
        live[linearBin(population.upper(), row[i])] += 1.0 / window;
      }
      double psi = 0;
      for (int b = 0; b < live.length; b++) {
        double a = Math.max(Population.FLOOR, live[b]);
        double e = Math.max(Population.FLOOR, population.expected()[b]);
        psi += (a - e) * Math.log(a / e);
      }
      assertThat(shifted.get(names.get(i))).as(names.get(i)).isCloseTo(psi, within(1e-9));
    }
  }

  /** Against a linear scan and the formula, on generated values. */
  @Property(tries = 200)
  void binsAndIndexMatchTheDefinition(@ForAll long seed,
      @ForAll @IntRange(min = 1, max = 400) int n) {
    var random = new Random(seed);
    double[] training = new double[n];
    for (int i = 0; i < n; i++) {
      // repeats (flags, counts) and continuous values alike
      training[i] = random.nextBoolean() ? random.nextInt(3) : random.nextGaussian() * 10;
    }
    Population p = Population.of(training);
    double[] expected = new double[p.bins()];
    for (double v : training) {
      expected[linearBin(p.upper(), v)] += 1.0 / n;
    }
    assertThat(p.expected()).containsExactly(expected, within(1e-12));
    for (int i = 1; i < p.upper().length; i++) {
      assertThat(p.upper()[i]).isGreaterThan(p.upper()[i - 1]);
    }
    long[] counts = new long[p.bins()];
    int live = 1 + random.nextInt(300);
    for (int i = 0; i < live; i++) {
      counts[linearBin(p.upper(), random.nextGaussian() * 12 + 1)]++;
    }
    double psi = 0;
    for (int b = 0; b < counts.length; b++) {
      double a = Math.max(Population.FLOOR, (double) counts[b] / live);
      double e = Math.max(Population.FLOOR, expected[b]);
      psi += (a - e) * Math.log(a / e);
    }
    assertThat(p.psi(counts, live)).isCloseTo(psi, within(1e-9)).isGreaterThanOrEqualTo(0);
  }

  /** The first bin whose upper edge is at least the value; NaN and beyond the last: the last. */
  private static int linearBin(double[] upper, double value) {
    for (int b = 0; b < upper.length; b++) {
      if (value <= upper[b]) {
        return b;
      }
    }
    return upper.length;
  }

  private static Map<String, Double> byVariable(DriftMonitor monitor) {
    var out = new HashMap<String, Double>();
    for (DriftMonitor.Index i : monitor.indices()) {
      out.put(i.variable(), i.psi());
    }
    return out;
  }
}
