package dev.vigil.scoring.model;

import dev.vigil.features.event.Event;
import dev.vigil.features.profile.FeatureCatalogue;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.history.simulator.Simulator;
import dev.vigil.history.training.TrainingSet;
import dev.vigil.models.training.ModelTrainer;
import dev.vigil.models.training.TimeSplit;
import dev.vigil.models.training.Workflow;
import dev.vigil.registry.ModelRegistry;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.tribuo.classification.Label;
import org.tribuo.common.xgboost.XGBoostModel;

/**
 * An XGBoost fraud champion (trained as {@code ./vigil models train} trains it, on a simulated
 * history) serving one row per call, through the booster's native calls and through the trees
 * evaluated in Java, in the same run:
 *
 * <ul>
 *   <li>{@code score*}: {@link ServedModel#score}, the probability with TreeSHAP contributions
 *       (what a decision with reasons needs).
 *   <li>{@code probability*}: {@link ServedModel#probability} alone (challenger and shadow).
 *   <li>{@code contributions*}: the Java trees' contributions alone, for the row as the booster
 *       reads it: {@code Fast} as served (Fast TreeSHAP's tables), {@code TreeShap} path-dependent
 *       TreeSHAP, what {@code scoreJava} computed before the tables (with the margins, as
 *       {@code probabilityJava}).
 * </ul>
 *
 * Rows are the simulated test period's, taken in turn. Run (see docs/benchmarks):
 * {@code mvn -pl scoring-service test-compile exec:exec@jmh -Dvigil.args="ServedTrees -f 1 -wi 3
 * -i 5"}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ServedTreesBenchmark {
  ServedModel java;
  ServedModel jni;
  BoostedTrees trees;
  double[][] rows;
  float[][] floatRows;

  @State(Scope.Thread)
  public static class Cursor {
    int next;
  }

  @Setup(Level.Trial)
  public void train() throws IOException, ReflectiveOperationException,
      BoostedTrees.Unsupported {
    var history = new ArrayList<Event>();
    var config = Simulator.Config.of(11, 300, 60);
    new Simulator(config).run(history::add);
    var split = new TimeSplit(config.start().plus(Duration.ofDays(37)), Duration.ofDays(14),
        Duration.ofDays(2), Duration.ofDays(5));
    TrainingSet set = Workflow.trainingSet(Task.FRAUD, history, split, Duration.ofDays(30));
    List<TrainingSet.Row> test = ModelTrainer.rows(set, split.testFrom(), split.testTo());
    rows = new double[test.size()][];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = test.get(i).values();
    }
    var result = Workflow.train(ModelTrainer.Algorithm.XGBOOST, Task.FRAUD, set, split, false);
    var registry = new ModelRegistry(Files.createTempDirectory("served-trees-bench"));
    String version = registry.publish(Task.FRAUD, result.model(), result.card());
    java = new ServedModel(version, registry.load(Task.FRAUD, version), FeatureCatalogue.FRAUD,
        true);
    jni = new ServedModel(version, registry.load(Task.FRAUD, version), FeatureCatalogue.FRAUD,
        false);
    Field model = ServedModel.class.getDeclaredField("model");
    model.setAccessible(true);
    @SuppressWarnings("unchecked")
    var booster = (XGBoostModel<Label>) model.get(java);
    var javaTrees = new ServedModel.JavaTrees(booster,
        FeatureCatalogue.FRAUD.names().toArray(new String[0]));
    trees = javaTrees.trees();
    if (!trees.fast()) {
      throw new IllegalStateException("Fast TreeSHAP's tables were refused");
    }
    floatRows = new float[rows.length][];
    for (int i = 0; i < rows.length; i++) {
      floatRows[i] = javaTrees.row(rows[i]);
    }
  }

  private double[] row(Cursor c) {
    double[] row = rows[c.next];
    c.next = (c.next + 1) % rows.length;
    return row;
  }

  @Benchmark
  public ServedModel.Scored scoreJava(Cursor c) {
    return java.score(row(c));
  }

  @Benchmark
  public ServedModel.Scored scoreNative(Cursor c) {
    return jni.score(row(c));
  }

  private float[] floatRow(Cursor c) {
    float[] row = floatRows[c.next];
    c.next = (c.next + 1) % floatRows.length;
    return row;
  }

  @Benchmark
  public float[] contributionsFast(Cursor c) {
    return trees.contributions(floatRow(c));
  }

  @Benchmark
  public float[] contributionsTreeShap(Cursor c) {
    return trees.treeShap(floatRow(c));
  }

  @Benchmark
  public double probabilityJava(Cursor c) {
    return java.probability(row(c));
  }

  @Benchmark
  public double probabilityNative(Cursor c) {
    return jni.probability(row(c));
  }
}
