package dev.vigil.models.training;

import dev.vigil.features.event.Event;
import dev.vigil.features.profile.FeatureCatalogue;
import dev.vigil.features.profile.FeatureCatalogue.FeatureSet;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.features.profile.ProfileSettings;
import dev.vigil.history.History;
import dev.vigil.history.training.TrainingSet;
import dev.vigil.history.training.TrainingSets;
import dev.vigil.models.evaluation.Metrics;
import dev.vigil.registry.ModelCard;
import dev.vigil.registry.Prediction;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.tribuo.Model;
import org.tribuo.classification.Label;

/** Training set → model → evaluation on the held-out period → model card. */
public final class Workflow {
  private static final long DAY = 86_400_000L;

  private Workflow() {}

  /**
   * A trained model, its card (not yet published), its metrics on the test rows, and those rows
   * with the model's probability for each ({@code testProbabilities[i]} is {@code testRows[i]}'s).
   */
  public record Result(Model<Label> model, ModelCard card, Map<String, Double> metrics,
      List<TrainingSet.Row> testRows, double[] testProbabilities) {}

  /** The training set of a split's whole range, training and test periods alike. */
  public static TrainingSet trainingSet(Task task, List<Event> history, TimeSplit split,
      Duration horizon) {
    return trainingSet(task, history, split.trainFrom(), split.testTo(), horizon, "weekly");
  }

  /** As above, delinquency rows at the as-of times of {@code schedule}. */
  public static TrainingSet trainingSet(Task task, List<Event> history, TimeSplit split,
      Duration horizon, String schedule) {
    return trainingSet(task, history, split.trainFrom(), split.testTo(), horizon, schedule);
  }

  /**
   * Every scorable item in [from, to): each transaction (fraud), each deposit, or each account
   * with a credit history at each as-of time of {@code schedule} ({@link TrainingSets#schedule}:
   * weekly, monthly or a list of dates; delinquency, labelled over {@code horizon}).
   */
  public static TrainingSet trainingSet(Task task, List<Event> history, long from, long to,
      Duration horizon, String schedule) {
    return trainingSet(task, History.of(history), from, to, horizon,
        schedule);
  }

  /** As above, from a history replayed twice (labels, then features): streamed from a file. */
  public static TrainingSet trainingSet(Task task, History history,
      long from, long to, Duration horizon, String schedule) {
    var settings = ProfileSettings.DEFAULT;
    return switch (task) {
      case FRAUD -> TrainingSets.fraud(history, settings, from, to);
      case DEPOSIT -> TrainingSets.deposits(history, settings, from, to);
      case DELINQUENCY -> TrainingSets.delinquency(history, settings,
          TrainingSets.schedule(schedule, from, to), horizon);
      case CURE -> TrainingSets.cure(history, settings, TrainingSets.schedule(schedule, from, to),
          horizon, FeatureCatalogue.CURE);
      case ROLL -> TrainingSets.roll(history, settings, TrainingSets.schedule(schedule, from, to),
          horizon, FeatureCatalogue.ROLL);
    };
  }

  /**
   * As above, with the columns of {@code features}: a task's own set, or a baseline such as the
   * raw statements ({@link FeatureCatalogue#named}); delinquency and cure only.
   */
  public static TrainingSet trainingSet(FeatureSet features, History history, long from,
      long to, Duration horizon, String schedule) {
    var settings = ProfileSettings.DEFAULT;
    var asOf = TrainingSets.schedule(schedule, from, to);
    return switch (features.task()) {
      case DELINQUENCY -> TrainingSets.delinquency(history, settings, asOf, horizon, features);
      case CURE -> TrainingSets.cure(history, settings, asOf, horizon, features);
      case ROLL -> TrainingSets.roll(history, settings, asOf, horizon, features);
      case FRAUD, DEPOSIT -> throw new IllegalArgumentException("features: only delinquency and"
          + " cure have a baseline set, not " + features.task().id());
    };
  }

  public static Result train(ModelTrainer.Algorithm algorithm, Task task, TrainingSet set,
      TimeSplit split, boolean balanceClasses) {
    return train(algorithm, task, set, split, balanceClasses, ModelTrainer.Scaling.LOG_MINMAX);
  }

  /**
   * As below, a time split; a delinquency card records weekly as-of dates and the default
   * horizon, which the set must have been labelled with.
   */
  public static Result train(ModelTrainer.Algorithm algorithm, Task task, TrainingSet set,
      TimeSplit split, boolean balanceClasses, ModelTrainer.Scaling scaling) {
    return train(algorithm, task, set, Split.byTime(split), balanceClasses, scaling,
        task.asOfDates() ? "weekly" : null, TrainingSets.defaultHorizonDays(task));
  }

  /**
   * Trains on the split's training rows and judges on its test rows.
   *
   * @param schedule delinquency: the as-of dates the set was built with, for the card
   * @param horizonDays delinquency: the outcome horizon the set was labelled with, for the card
   * @throws IllegalArgumentException when the test rows lack either outcome (no metric of them
   *     would mean anything), naming them
   */
  public static Result train(ModelTrainer.Algorithm algorithm, Task task, TrainingSet set,
      Split split, boolean balanceClasses, ModelTrainer.Scaling scaling, String schedule,
      int horizonDays) {
    return train(algorithm, task, set, split, balanceClasses, scaling, schedule, horizonDays,
        Tune.NONE);
  }

  /**
   * How much hyper-parameter search {@code train} does ({@link Tuning}).
   *
   * @param budget candidates to try, the defaults first; 0 trains the defaults without search
   * @param seed draws the candidates and, for an entity split, the validation accounts
   */
  public record Tune(int budget, long seed) {
    public static final Tune NONE = new Tune(0, 42);

    public Tune {
      if (budget < 0) {
        throw new IllegalArgumentException("--tune must be 0 or more, not " + budget);
      }
    }
  }

  /**
   * As above, choosing the hyperparameters by {@code tune}'s search on validation rows that the
   * test rows are never part of ({@link Split#validation}); the card records the search.
   */
  public static Result train(ModelTrainer.Algorithm algorithm, Task task, TrainingSet set,
      Split split, boolean balanceClasses, ModelTrainer.Scaling scaling, String schedule,
      int horizonDays, Tune tune) {
    var train = set.rows().stream().filter(split::inTraining).toList();
    var test = testRows(task, set, split);
    long bad = test.stream().filter(r -> r.label() == 1).count();
    if (bad == 0 || bad == test.size()) {
      // no metric of such rows means anything (AUC and average precision are NaN): a model
      // judged on them must not be published as if it had been judged
      throw new IllegalArgumentException(split.describeTest() + " has " + test.size()
          + " rows, " + bad + " bad: it needs both outcomes to evaluate the model; move or"
          + " widen it (--start, --train-days, --gap-days, --test-days, --held-out-share);"
          + " nothing was published");
    }
    var settings = ModelTrainer.Hyperparameters.defaults(scaling);
    Tuning.Outcome tuned = null;
    if (tune.budget() > 0) {
      var fitAndValidation = split.validation(set.rows(), tune.seed());
      tuned = Tuning.search(algorithm, set, fitAndValidation.get(0), fitAndValidation.get(1),
          balanceClasses, Tuning.candidates(algorithm, scaling, tune.budget(), tune.seed()));
      settings = tuned.chosen().settings();
    }
    Model<Label> model = ModelTrainer.train(algorithm, set, train, balanceClasses, settings);
    Scores scores = scored(model, set, test);
    Map<String, Double> metrics = scores.metrics();
    long positives = train.stream().filter(r -> r.label() == 1).count();
    Map<String, String> hyper = new LinkedHashMap<>(settings.describe(algorithm));
    hyper.put("balance_classes", Boolean.toString(balanceClasses));
    if (tuned != null) {
      hyper.put("tuning", tuned.summary(algorithm));
    }
    var time = split.time();
    var card = new ModelCard(task.id(), null, algorithm.id, hyper,
        Instant.ofEpochMilli(time != null ? time.trainFrom() : split.from()).toString(),
        Instant.ofEpochMilli(time != null ? time.trainTo() : split.to()).toString(),
        Instant.ofEpochMilli(time != null ? time.testFrom() : split.from()).toString(),
        Instant.ofEpochMilli(time != null ? time.testTo() : split.to()).toString(),
        train.size(), positives, fingerprint(train), set.features().names(),
        set.features().fingerprint(), metrics,
        model.getProvenance().toString(), Instant.now().toString(),
        reference(train), new ModelCard.Data(split.kind(),
            split.accounts() == null ? 0 : split.accounts().testShare(),
            split.accounts() == null ? 0 : split.accounts().seed(),
            task.asOfDates() ? schedule : null,
            task.asOfDates() ? horizonDays : 0));
    return new Result(model, card, metrics, test, scores.probabilities());
  }

  /**
   * The rows {@code train} tests on: those of {@code split}'s test part, for fraud under a time
   * split without the cards already known to be compromised (the Fraud Detection Handbook's rule).
   */
  public static List<TrainingSet.Row> testRows(Task task, TrainingSet set, Split split) {
    var test = set.rows().stream().filter(split::inTest).toList();
    return task == Task.FRAUD && split.time() != null
        ? withoutKnownCompromisedCards(set, split.time(), test) : test;
  }

  /**
   * The Handbook's test set ({@code get_train_test_set}): a transaction leaves it when its card
   * had a fraud, since the start of training, on a day that ended at least one gap (the label
   * delay) before the transaction's day began: a fraud the bank knows of by then and has blocked
   * the card for. Card-level, not transaction-level: the later frauds of a card found fraudulent
   * are not fraud detection's to find.
   */
  static List<TrainingSet.Row> withoutKnownCompromisedCards(TrainingSet set, TimeSplit split,
      List<TrainingSet.Row> test) {
    Map<String, Long> firstFraud = new HashMap<>();
    for (TrainingSet.Row r : ModelTrainer.rows(set, split.trainFrom(), split.testTo())) {
      if (r.label() == 1) {
        firstFraud.merge(r.accountId(), r.asOfMillis(), Math::min);
      }
    }
    long gap = split.testFrom() - split.trainTo();
    return test.stream().filter(r -> {
      Long first = firstFraud.get(r.accountId());
      long dayStart = split.testFrom() + Math.floorDiv(r.asOfMillis() - split.testFrom(), DAY) * DAY;
      return first == null || first >= dayStart - gap;
    }).toList();
  }

  /**
   * A seeded sample of {@link ModelCard#REFERENCE_ROWS} training rows' values (all of them when
   * fewer): what the service explains scores against and measures drift from.
   */
  static List<double[]> reference(List<TrainingSet.Row> train) {
    var rows = new ArrayList<>(train);
    Collections.shuffle(rows, new Random(42));
    return rows.stream().limit(ModelCard.REFERENCE_ROWS).map(r -> r.values().clone()).toList();
  }

  /** A model's probabilities for rows, their labels, and the headline metrics. */
  public record Scores(double[] probabilities, int[] labels, Map<String, Double> metrics) {}

  public static Scores scored(Model<Label> model, TrainingSet set, List<TrainingSet.Row> rows) {
    String[] names = set.features().names().toArray(new String[0]);
    double[] p = Prediction.probabilities(model, names,
        rows.stream().map(TrainingSet.Row::values).toList());
    int[] y = new int[rows.size()];
    var scored = new ArrayList<Metrics.Scored>(rows.size());
    for (int i = 0; i < rows.size(); i++) {
      TrainingSet.Row r = rows.get(i);
      y[i] = r.label();
      scored.add(new Metrics.Scored(r.accountId(), Math.floorDiv(r.asOfMillis(), DAY), p[i],
          r.label()));
    }
    var m = new LinkedHashMap<String, Double>();
    m.put("rows", (double) rows.size());
    m.put("positives", (double) Arrays.stream(y).sum());
    m.put("auc_roc", Metrics.aucRoc(p, y));
    m.put("average_precision", Metrics.averagePrecision(p, y));
    m.put("precision_at_100", Metrics.precisionAtK(p, y, 100));
    m.put("recall_at_100", Metrics.recallAtK(p, y, 100));
    if (set.task() == Task.FRAUD) {
      // the Handbook's measure: of the 100 cards ranked riskiest each day, the share compromised;
      // it means nothing for deposits or for accounts scored on as-of dates
      m.put("card_precision_at_100", Metrics.cardPrecisionAtK(scored, 100));
    }
    m.put("ks", Metrics.ks(p, y));
    m.put("brier", Metrics.brier(p, y));
    return new Scores(p, y, m);
  }

  private static String fingerprint(List<TrainingSet.Row> rows) {
    try {
      var sha = MessageDigest.getInstance("SHA-256");
      var buffer = ByteBuffer.allocate(8);
      for (TrainingSet.Row r : rows) {
        sha.update(r.id().getBytes(StandardCharsets.UTF_8));
        sha.update((byte) r.label());
        for (double v : r.values()) {
          buffer.clear();
          sha.update(buffer.putDouble(v).array());
        }
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
