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
  /**
   * The simulation the defaults learn from: 255 days, so that delinquency's test period (37 days
   * of burn-in, 21 of training, the 90-day horizon as gap, 14 of test: day 162) is followed by a
   * whole horizon in which its labels arrive (TrainingChecks refuses a test period whose labels
   * cannot all have).
   */
  public static final Simulator.Config SIMULATION =
      new Simulator.Config(DEFAULT_SEED, 1_000, 255, Instant.parse("2026-01-01T00:00:00Z"), 0);
  private static final int BURN_IN_DAYS = 37;
  /** {@code train}'s own checks: the defaults are trained to pass them, not excused from them. */
  private static final TrainingChecks CHECKS = TrainingChecks.DEFAULTS;

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
    var end = HistoryEnd.of(history);
    Instant start = simulation.start().plus(Duration.ofDays(BURN_IN_DAYS));
    for (Task task : missing) {
      int horizon = TrainingSets.defaultHorizonDays(task);
      TimeSplit split = split(task, start);
      Duration labelled = CHECKS.delay(task, Duration.ofDays(horizon));
      // the same checks as train's (none of them may refuse a default: DefaultModelsTest)
      CHECKS.periods(task, Split.byTime(split), history.get(0).timeMillis(), split.trainFrom(),
          end, Duration.ofDays(horizon), "weekly").forEach(log);
      // rows need nothing after their labels have all arrived (features never look ahead), so
      // the replay stops there: the long history is for delinquency's horizon
      var needed = history.stream()
          .filter(e -> e.timeMillis() < split.testTo() + labelled.toMillis()).toList();
      var set = Workflow.trainingSet(task, needed, split, Duration.ofDays(horizon));
      CHECKS.testRows(Split.byTime(split), Workflow.testRows(task, set, Split.byTime(split)));
      // logistic regression with log-min-max scaling for every task, not train's per-task
      // defaults: XGBoost for fraud would make a first start 30 s slower (7 s -> 37 s measured)
      var result = Workflow.train(ModelTrainer.Algorithm.LOGISTIC_REGRESSION, task, set,
          Split.byTime(split), false, ModelTrainer.Scaling.LOG_MINMAX,
          task.asOfDates() ? "weekly" : null, task.asOfDates() ? horizon : 0);
      String version = registry.publish(task, result.model(), result.card());
      registry.activate(task, version);
      log.accept(String.format(Locale.ROOT, "default %s model %s: AUC %.3f on %d held-out rows",
          task.id(), version, result.metrics().get("auc_roc"),
          result.metrics().get("rows").longValue()));
    }
    return missing;
  }

  /**
   * A default's periods, from {@code start}: fraud trains 42 days and tests 14 after a 7-day gap;
   * deposits the same but test 49 days, so that the test holds at least
   * {@link TrainingChecks#DEFAULT_MIN_TEST_POSITIVES} returned deposits with any seed (about one a
   * day: 19 in 14 days with the defaults' seed, 28 in 28 with seed 7); delinquency,
   * cure and roll train 21 days of weekly as-of dates with their horizon as the gap (the last
   * training labels reach into the test period's start) and test 14.
   */
  static TimeSplit split(Task task, Instant start) {
    return switch (task) {
      case FRAUD -> new TimeSplit(start, Duration.ofDays(42), Duration.ofDays(7),
          Duration.ofDays(14));
      case DEPOSIT -> new TimeSplit(start, Duration.ofDays(42), Duration.ofDays(7),
          Duration.ofDays(49));
      case DELINQUENCY -> new TimeSplit(start, Duration.ofDays(21),
          Duration.ofDays(TrainingSets.DEFAULT_HORIZON_DAYS), Duration.ofDays(14));
      case CURE -> new TimeSplit(start, Duration.ofDays(21),
          Duration.ofDays(TrainingSets.DEFAULT_CURE_HORIZON_DAYS), Duration.ofDays(14));
      case ROLL -> new TimeSplit(start, Duration.ofDays(21),
          Duration.ofDays(TrainingSets.DEFAULT_ROLL_HORIZON_DAYS), Duration.ofDays(14));
    };
  }

  /** Whether {@code task} has a champion trained on this feature library's schema. */
  static boolean hasServableChampion(ModelRegistry registry, Task task) throws IOException {
    String champion = registry.roles(task).champion();
    return champion != null && registry.card(task, champion).featureSchemaFingerprint()
        .equals(FeatureCatalogue.of(task).fingerprint());
  }
}
