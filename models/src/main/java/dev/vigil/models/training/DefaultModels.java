package dev.vigil.models.training;

import dev.vigil.features.event.Event;
import dev.vigil.features.profile.FeatureCatalogue;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.history.simulator.Simulator;
import dev.vigil.history.training.TrainingSets;
import dev.vigil.registry.ModelRegistry;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The models the embedded default serves out of the box: logistic regression for each task that
 * has no champion yet, trained on a seeded simulation (the same seed gives the same history, the
 * same training rows and so the same data fingerprint), published and activated. A real
 * deployment publishes its own and never reaches this.
 */
public final class DefaultModels {
  /** The seed of the simulation the defaults learn from. */
  public static final long DEFAULT_SEED = 20_261_124L;
  /** The simulation the defaults learn from. */
  public static final Simulator.Config SIMULATION =
      new Simulator.Config(DEFAULT_SEED, 1_000, 180, Instant.parse("2026-01-01T00:00:00Z"), 0);
  private static final int BURN_IN_DAYS = 37;

  private DefaultModels() {}

  /**
   * Trains, publishes and activates a default model for every task without a champion that this
   * feature library can serve: none at all, or one trained on another feature schema (an older
   * catalogue version). Returns the tasks it trained for (none when every task has a servable
   * champion).
   */
  public static List<Task> ensure(ModelRegistry registry, Consumer<String> log)
      throws IOException {
    return ensure(registry, log, DEFAULT_SEED);
  }

  /**
   * As {@link #ensure(ModelRegistry, Consumer)}, learning from the default simulation drawn with
   * another seed: the same world, other draws, to measure how much one seed decides the default
   * models' figures (docs/models.md, "Default models").
   *
   * @param seed the simulation's seed ({@link #DEFAULT_SEED} gives the defaults themselves)
   */
  public static List<Task> ensure(ModelRegistry registry, Consumer<String> log, long seed)
      throws IOException {
    Simulator.Config simulation = seed == DEFAULT_SEED ? SIMULATION
        : new Simulator.Config(seed, SIMULATION.customers(), SIMULATION.days(),
            SIMULATION.start(), SIMULATION.maxDisorderMillis());
    var missing = new ArrayList<Task>();
    for (Task task : Task.values()) {
      String champion = registry.roles(task).champion();
      if (!hasServableChampion(registry, task)) {
        if (champion != null) {
          log.accept(task.id() + " champion " + champion + " was trained on another feature"
              + " schema (catalogue version " + FeatureCatalogue.VERSION + " now): replaced by a"
              + " default");
        }
        missing.add(task);
      }
    }
    if (missing.isEmpty()) {
      return missing;
    }
    log.accept("no champion for " + missing + ": training default models on a seeded simulation"
        + " (seed " + simulation.seed() + ", " + simulation.customers() + " customers, "
        + simulation.days() + " days)");
    var history = new ArrayList<Event>();
    new Simulator(simulation).run(history::add);
    Instant start = simulation.start().plus(Duration.ofDays(BURN_IN_DAYS));
    for (Task task : missing) {
      // delinquency labels look the horizon ahead, so its gap is the whole horizon
      int horizon = TrainingSets.DEFAULT_HORIZON_DAYS;
      TimeSplit split = task == Task.DELINQUENCY
          ? new TimeSplit(start, Duration.ofDays(21), Duration.ofDays(horizon), Duration.ofDays(14))
          : new TimeSplit(start, Duration.ofDays(42), Duration.ofDays(7), Duration.ofDays(14));
      var set = Workflow.trainingSet(task, history, split, Duration.ofDays(horizon));
      // logistic regression with log-min-max scaling for every task, not train's per-task
      // defaults: XGBoost for fraud would make a first start 30 s slower (7 s -> 37 s measured)
      var result = Workflow.train(ModelTrainer.Algorithm.LOGISTIC_REGRESSION, task, set,
          Split.byTime(split), false, ModelTrainer.Scaling.LOG_MINMAX,
          task == Task.DELINQUENCY ? "weekly" : null, task == Task.DELINQUENCY ? horizon : 0);
      String version = registry.publish(task, result.model(), result.card());
      registry.activate(task, version);
      log.accept(String.format(Locale.ROOT, "default %s model %s: AUC %.3f on %d held-out rows",
          task.id(), version, result.metrics().get("auc_roc"),
          result.metrics().get("rows").longValue()));
    }
    return missing;
  }

  /** Whether {@code task} has a champion trained on this feature library's schema. */
  static boolean hasServableChampion(ModelRegistry registry, Task task) throws IOException {
    String champion = registry.roles(task).champion();
    return champion != null && registry.card(task, champion).featureSchemaFingerprint()
        .equals(FeatureCatalogue.of(task).fingerprint());
  }
}
