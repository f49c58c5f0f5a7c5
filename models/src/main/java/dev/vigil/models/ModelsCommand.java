package dev.vigil.models;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.vigil.features.event.EventFiles;
import dev.vigil.features.profile.FeatureCatalogue;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.history.History;
import dev.vigil.history.cli.Instants;
import dev.vigil.history.cli.ToolCommandLine;
import dev.vigil.history.cli.VigilHome;
import dev.vigil.history.training.TrainingSet;
import dev.vigil.history.training.TrainingSets;
import dev.vigil.models.evaluation.HandbookComparison;
import dev.vigil.models.evaluation.StatementsComparison;
import dev.vigil.models.evaluation.Metrics;
import dev.vigil.models.evaluation.Report;
import dev.vigil.models.training.DefaultModels;
import dev.vigil.models.training.HistoryEnd;
import dev.vigil.models.training.ModelTrainer;
import dev.vigil.models.training.Split;
import dev.vigil.models.training.TimeSplit;
import dev.vigil.models.training.TrainingChecks;
import dev.vigil.models.training.Workflow;
import dev.vigil.registry.ModelCard;
import dev.vigil.registry.ModelRegistry;
import dev.vigil.registry.Prediction;
import dev.vigil.registry.ScoreScale;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ./vigil models}: train, publish and choose the models the service serves. */
@Command(name = "models", mixinStandardHelpOptions = true,
    subcommands = {ModelsCommand.Train.class, ModelsCommand.Evaluate.class,
        ModelsCommand.Predict.class, ModelsCommand.ImportOnnx.class,
        ModelsCommand.ListModels.class,
        ModelsCommand.Activate.class, ModelsCommand.Rollback.class, ModelsCommand.Defaults.class,
        ModelsCommand.Handbook.class, ModelsCommand.Statements.class},
    description = "The data scientists' workflow.")
public final class ModelsCommand {
  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /**
   * The command line ({@code ./vigil models}), with its converters and one-line errors: data that
   * cannot make a model (a period without both outcomes, a mismatched schema) is the user's to
   * fix, so its message, not a stack trace ({@link ToolCommandLine}).
   */
  public static CommandLine commandLine() {
    return ToolCommandLine.standalone("models", new CommandLine(new ModelsCommand())
        // a day ("2005-10-01", midnight UTC) or an instant ("2005-10-01T06:00:00Z") wherever a
        // time is asked for, as --schedule takes plain dates
        .registerConverter(Instant.class, ModelsCommand::instant));
  }

  /**
   * An event file, streamed: never held in memory, read once here for its time range and again by
   * each pass of the training set, with progress on standard error. Invalid lines are skipped, as
   * the ingest would refuse them, but never silently: their count and the first of them go to
   * standard error.
   */
  record EventFile(Path path, long events, long firstMillis, long lastMillis, HistoryEnd end,
      History history) {}

  /** Events read between two progress lines on standard error. */
  static final long PROGRESS_EVERY = 500_000;

  static EventFile history(Path events) {
    var end = new HistoryEnd();
    var report = EventFiles.read(events, EventFiles.OnBadLine.SKIP, end);
    if (report.badLines() > 0) {
      System.err.printf("%s: skipped %,d invalid line(s) of %,d; the first: %s%n", events,
          report.badLines(), report.events() + report.badLines(), report.firstBadLines().get(0));
    }
    History file = History.of(events, EventFiles.OnBadLine.SKIP);
    int[] pass = {0};
    History withProgress = sink -> {
      pass[0]++;
      long[] read = {0};
      file.replay(e -> {
        sink.accept(e);
        if (++read[0] % PROGRESS_EVERY == 0) {
          System.err.printf("%s: pass %d, %,d of %,d events read%n", events.getFileName(),
              pass[0], read[0], report.events());
        }
      });
    };
    return new EventFile(events, report.events(), report.firstMillis(), report.lastMillis(), end,
        withProgress);
  }

  /** A plain date (its midnight, UTC) or an ISO-8601 instant. */
  static Instant instant(String text) {
    return Instants.parse(text);
  }

  /** Metrics one per line: counts as integers, the rest to four places. */
  static void printMetrics(Map<String, Double> metrics) {
    Metrics.written(metrics).forEach((k, v) -> System.out.println(v instanceof Long count
        ? String.format(Locale.ROOT, "  %-22s %,d", k, count)
        : String.format(Locale.ROOT, "  %-22s %.4f", k, v.doubleValue())));
  }

  static Task task(String name) {
    return Task.valueOf(name.toUpperCase(Locale.ROOT));
  }

  @Command(name = "train", mixinStandardHelpOptions = true,
      description = {"Train on one period, evaluate on a later one after a gap; optionally"
          + " publish.",
          "Refuses, training and publishing nothing, a test period whose metrics would mislead:"
              + " fewer bad outcomes than --min-test-positives; labels that cannot all have"
              + " arrived (it ends within the label delay of the history's end:"
              + " --label-delay-days, --allow-incomplete-labels); a delinquency --horizon-days"
              + " longer than the history."})
  static final class Train implements Callable<Integer> {
    @Option(names = "--events", required = true, paramLabel = "FILE",
        description = "The event history, JSON Lines (./vigil simulate writes one); plain or"
            + " gzipped (.gz). Required.") Path events;
    @Option(names = "--task", required = true, description = "What to predict: fraud (card and"
        + " transfer transactions), deposit (check deposits returned unpaid), delinquency (a"
        + " current account 30+ days past due within --horizon-days), cure (a past-due account"
        + " not back to current within --horizon-days) or roll (a past-due account in a later"
        + " 30-day bucket within --horizon-days). Required.")
    String task;
    @Option(names = "--features", defaultValue = "default", description = "The feature set:"
        + " default (the task's, the one the service serves) or raw-statements (delinquency and"
        + " cure: the last six statements' balance, limit, minimum due, amount paid and days past"
        + " due, as a baseline; never published) (default: ${DEFAULT-VALUE}).")
    String features;
    @Option(names = "--start", description = "Start of the training period: a date (2005-10-01,"
        + " its midnight UTC) or an instant (2005-10-01T06:00:00Z), used as given (default: the"
        + " first event plus --burn-in-days, rounded up to the next midnight UTC).")
    Instant start;
    @Option(names = "--burn-in-days", defaultValue = "37", description = "Without --start: days"
        + " of history before training starts, so that the longest windows are full (30 days,"
        + " 7 days ago); the start is then rounded up to the next midnight UTC (default:"
        + " ${DEFAULT-VALUE}).")
    int burnInDays;
    @Option(names = "--balance-classes", description = "Weight bad examples by good/bad"
        + " (default: ${DEFAULT-VALUE}, every example weighs 1).")
    boolean balanceClasses;
    @Option(names = "--algorithm", description = "logistic-regression or xgboost (default: the"
        + " task's, chosen by evidence across simulated worlds, docs/models.md: xgboost for fraud,"
        + " logistic-regression for deposit and delinquency).") String algorithm;
    @Option(names = "--scaling", defaultValue = "minmax", description = "Logistic regression's"
        + " input scaling: minmax, or log-minmax (log(1+x), then min-max) (default:"
        + " ${DEFAULT-VALUE}).")
    String scaling;
    @Option(names = "--split", defaultValue = "time", description = "How rows are divided into"
        + " training and test: time (learn from one period, test on a later one after a gap),"
        + " entity (hold out a seeded share of the accounts, every row from --start on both sides:"
        + " for snapshot data, one as-of date per account), or time,entity (held-out accounts in"
        + " the later period) (default: ${DEFAULT-VALUE}).") String split;
    @Option(names = "--held-out-share", defaultValue = "0.3", description = "Entity splits: the"
        + " share of accounts held out for testing, in (0, 1) (default: ${DEFAULT-VALUE}).")
    double heldOutShare;
    @Option(names = "--split-seed", defaultValue = "42", description = "Entity splits: chooses"
        + " which accounts are held out; the same seed holds out the same accounts in any file"
        + " (default: ${DEFAULT-VALUE}).") long splitSeed;
    @Option(names = "--train-days", defaultValue = "7", description = "Days of the training"
        + " period (default: ${DEFAULT-VALUE}).") int trainDays;
    @Option(names = "--gap-days", defaultValue = "7", description = "Days between training and"
        + " test: labels of the last training days are not known yet at the test period's start,"
        + " as they would not be when the model ships (default: ${DEFAULT-VALUE}).") int gapDays;
    @Option(names = "--test-days", defaultValue = "7", description = "Days of the test period"
        + " the model is evaluated on (default: ${DEFAULT-VALUE}).") int testDays;
    @Option(names = "--horizon-days", description = "Delinquency, cure and roll: days after an"
        + " as-of date within which the outcome counts (default: 90 for delinquency, 30 for cure"
        + " and roll).")
    Integer horizon;
    @Option(names = "--schedule", defaultValue = "weekly", description = "Delinquency, cure and"
        + " roll as-of dates: weekly (midnight UTC every 7 days from the period's first"
        + " midnight), monthly"
        + " (midnight UTC on the 1st), or a comma-separated list of dates or instants"
        + " (2026-02-01,2026-03-01) (default: ${DEFAULT-VALUE}).")
    String schedule;
    @Option(names = "--min-test-positives", paramLabel = "N",
        defaultValue = "" + TrainingChecks.DEFAULT_MIN_TEST_POSITIVES, description = "Refuse to"
        + " train when the test rows hold fewer bad outcomes than this: metrics of a handful say"
        + " little however high (default: ${DEFAULT-VALUE}).")
    int minTestPositives;
    @Option(names = "--label-delay-days", paramLabel = "DAYS", description = "How late the"
        + " task's labels can arrive after the row's time; training refuses a test period ending"
        + " less than this before the history's end (its last transaction; its last event when"
        + " it has none) (default: the"
        + " task's: fraud reports 61 days, deposit returns 6, delinquency its --horizon-days).")
    Integer labelDelayDays;
    @Option(names = "--allow-incomplete-labels", description = "Train even when the test"
        + " period ends within the label delay of the history's end, with a warning instead of"
        + " the refusal: its metrics then count outcomes not yet reported as good (default:"
        + " ${DEFAULT-VALUE}).")
    boolean allowIncompleteLabels;
    @Option(names = "--tune", defaultValue = "0", paramLabel = "N", description = "Search N"
        + " hyper-parameter settings (the defaults first, then drawn from a grid) before training,"
        + " each judged by average precision on validation rows the test never sees: for a time"
        + " split the last --test-days of the training period, learnt from the --train-days ending"
        + " a gap before them (the Fraud Detection Handbook's validation); for an entity split a"
        + " quarter of the training accounts. A setting replaces the defaults only if it beats"
        + " them in 90%% of 200 paired resamples of the validation rows (the best of those that"
        + " do); the winner is trained on the training period and tested once; the card records"
        + " the search. 0: the defaults, no search (default:"
        + " ${DEFAULT-VALUE}).") int tune;
    @Option(names = "--tune-seed", defaultValue = "42", description = "Draws --tune's"
        + " candidates and an entity split's validation accounts (default: ${DEFAULT-VALUE}).")
    long tuneSeed;
    @Option(names = "--registry", defaultValue = VigilHome.VAR + "/models",
        description = "The model registry (default: ${DEFAULT-VALUE}).") Path registry;
    @Option(names = "--publish", description = "Publish the model to the registry (default:"
        + " ${DEFAULT-VALUE}: train and evaluate only).") boolean publish;
    @Option(names = "--activate", description = "Publish and make it the champion, the model"
        + " the service serves (default: ${DEFAULT-VALUE}).")
    boolean activate;

    @Override
    public Integer call() throws Exception {
      Task t = task(task);
      FeatureCatalogue.FeatureSet columns;
      try {
        columns = FeatureCatalogue.named(t, features);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(new CommandLine(this), e.getMessage());
      }
      if (columns != FeatureCatalogue.of(t) && (publish || activate)) {
        throw new CommandLine.ParameterException(new CommandLine(this), "--features " + features
            + " is a baseline to compare with: the service serves only the task's own features,"
            + " so it cannot be published (drop --publish and --activate)");
      }
      int horizonDays = horizon != null ? horizon : TrainingSets.defaultHorizonDays(t);
      ModelTrainer.Algorithm chosen;
      ModelTrainer.Scaling scaled;
      try {
        chosen = algorithm == null ? ModelTrainer.defaultAlgorithm(t)
            : ModelTrainer.Algorithm.of(algorithm);
        scaled = ModelTrainer.Scaling.of(scaling);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(new CommandLine(this), e.getMessage());
      }
      var history = history(events);
      if (history.events() == 0) {
        throw new CommandLine.ParameterException(new CommandLine(this), events + " has no events");
      }
      // a day's start unless the user names an instant: the first event plus the burn-in is
      // whatever second the simulator or the export began at
      Instant from = start != null ? start : TimeSplit.dayStartOnOrAfter(
          Instant.ofEpochMilli(history.firstMillis()).plus(Duration.ofDays(burnInDays)));
      var time = new TimeSplit(from, Duration.ofDays(trainDays), Duration.ofDays(gapDays),
          Duration.ofDays(testDays));
      Split divided;
      try {
        divided = switch (split.replace(" ", "")) {
          case "time" -> Split.byTime(time);
          case "entity" -> Split.byAccount(from.toEpochMilli(), history.lastMillis() + 1,
              new Split.Accounts(heldOutShare, splitSeed));
          case "time,entity", "entity,time", "time+entity" -> Split.byTimeAndAccount(time,
              new Split.Accounts(heldOutShare, splitSeed));
          default -> throw new IllegalArgumentException("--split: \"" + split + "\" is not time,"
              + " entity or time,entity");
        };
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(new CommandLine(this), e.getMessage());
      }
      if (tune < 0) {
        throw new CommandLine.ParameterException(new CommandLine(this),
            "--tune must be 0 or more, not " + tune);
      }
      // a time split's validation reads a training length and a gap before the training period
      long setFrom = tune > 0 ? divided.validationFrom() : divided.from();
      if (setFrom < history.firstMillis()) {
        throw new CommandLine.ParameterException(new CommandLine(this), (tune > 0
            ? "--tune's validation needs history from " + Instant.ofEpochMilli(setFrom)
                + " (the training period less --train-days and --gap-days)"
            : "the training period starts at " + Instant.ofEpochMilli(setFrom) + " (--start)")
            + ", but the events start at " + Instant.ofEpochMilli(history.firstMillis())
            + ": move --start later");
      }
      TrainingChecks checks;
      try {
        checks = new TrainingChecks(minTestPositives,
            labelDelayDays == null ? null : Duration.ofDays(labelDelayDays),
            allowIncompleteLabels);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(new CommandLine(this), e.getMessage());
      }
      // the dates first, before minutes of building rows
      var warnings = checks.periods(t, divided, history.firstMillis(), setFrom, history.end(),
          Duration.ofDays(horizonDays), schedule);
      warnings.forEach(System.err::println);
      var set = columns == FeatureCatalogue.of(t)
          ? Workflow.trainingSet(t, history.history(), setFrom, divided.to(),
              Duration.ofDays(horizonDays), schedule)
          : Workflow.trainingSet(columns, history.history(), setFrom, divided.to(),
              Duration.ofDays(horizonDays), schedule);
      System.err.printf("%s: %,d rows built from %,d events%n", t.id(), set.rows().size(),
          history.events());
      checks.testRows(divided, Workflow.testRows(t, set, divided));
      var result = Workflow.train(chosen, t, set, divided, balanceClasses, scaled, schedule,
          horizonDays, new Workflow.Tune(tune, tuneSeed));
      System.out.printf("%s %s, %s split: trained on %,d rows (%,d bad) %s..%s, tested %s..%s%n",
          t, chosen.id, divided.kind(), result.card().trainingRows(),
          result.card().trainingPositives(), result.card().trainFrom(), result.card().trainTo(),
          result.card().testFrom(), result.card().testTo());
      if (result.card().hyperParameters().containsKey("tuning")) {
        System.out.println("tuned: " + result.card().hyperParameters().get("tuning"));
      }
      printMetrics(result.metrics());
      warnings.forEach(System.out::println); // beside the metrics they qualify
      if (publish || activate) {
        var r = new ModelRegistry(registry);
        String version = r.publish(t, result.model(), result.card());
        System.out.println("published " + t.name().toLowerCase(Locale.ROOT) + "/" + version);
        if (activate) {
          r.activate(t, version);
          System.out.println("champion: " + version);
        }
      }
      return 0;
    }
  }

  /**
   * What evaluate and predict share: a published model (the champion unless a version is named)
   * and every scorable item of a period of an event history, featurised as training would.
   */
  static final class HeldOutPeriod {
    @Spec(Spec.Target.MIXEE) CommandSpec command;
    @Option(names = "--events", required = true, paramLabel = "FILE",
        description = "The event history, JSON Lines.") Path events;
    @Option(names = "--task", required = true, description = "fraud, deposit, delinquency,"
        + " cure or roll") String task;
    @Option(names = "--registry", defaultValue = VigilHome.VAR + "/models",
        description = "The model registry (default: ${DEFAULT-VALUE}).") Path registry;
    // not --version: that name would displace picocli's own -V/--version and -h/--help
    @Option(names = "--model-version", description = "The published version to use, for"
        + " example v2 (default: the champion).") String version;
    @Option(names = "--from", required = true, description = "First time of the period"
        + " (inclusive), a date (2005-10-01, midnight UTC) or an instant.") Instant from;
    @Option(names = "--to", required = true, description = "End of the period (exclusive), a date"
        + " or an instant.") Instant to;
    @Option(names = "--horizon-days", description = "Delinquency, cure and roll: days after an"
        + " as-of date within which the outcome counts (default: the model's, from its card; the"
        + " task's, 90 or 30, for a card without it). A value other than the model's is warned"
        + " about.")
    Integer horizonDays;
    @Option(names = "--schedule", description = "Delinquency, cure and roll as-of dates: weekly,"
        + " monthly, or a comma-separated list (2026-02-01,2026-03-01) (default: the model's,"
        + " from its card;"
        + " weekly for a card without it). A value other than the model's is warned about.")
    String schedule;
    @Option(names = "--all-accounts", description = "For a model trained with an entity split:"
        + " score every account, not only the accounts it held out (its own training accounts"
        + " flatter its metrics).") boolean allAccounts;

    record Scoring(String version, ModelRegistry.Loaded loaded,
        TrainingSet set,
        List<TrainingSet.Row> rows) {}

    Scoring load() throws IOException {
      Task t = task(task);
      var r = new ModelRegistry(registry);
      String v = version != null ? version : r.roles(t).champion();
      if (v == null) {
        throw new CommandLine.ParameterException(command.commandLine(),
            "no --model-version given and " + task + " has no champion");
      }
      var loaded = r.load(t, v);
      var data = loaded.card().data();
      var err = new PrintWriter(System.err, true);
      String usedSchedule = setting("--schedule", schedule,
          data == null ? null : data.schedule(), "weekly", t, err);
      Integer usedHorizon = setting("--horizon-days", horizonDays,
          data == null || data.schedule() == null ? null : data.horizonDays(),
          TrainingSets.defaultHorizonDays(t), t, err);
      var history = history(events);
      var set = Workflow.trainingSet(t, history.history(), from.toEpochMilli(),
          to.toEpochMilli(), Duration.ofDays(usedHorizon), usedSchedule);
      System.err.printf("%s: %,d rows built from %,d events%n", t.id(), set.rows().size(),
          history.events());
      var rows = ModelTrainer.rows(set, from.toEpochMilli(), to.toEpochMilli());
      if (data != null && data.byAccount() && !allAccounts) {
        var heldOut = new Split.Accounts(data.heldOutShare(), data.splitSeed());
        rows = rows.stream().filter(row -> heldOut.heldOut(row.accountId())).toList();
        err.printf("%s/%s was trained with an entity split: scoring only the accounts it held out"
            + " (%.0f%%, seed %d; --all-accounts for every account)%n", task, v,
            data.heldOutShare() * 100, data.splitSeed());
      }
      return new Scoring(v, loaded, set, rows);
    }

    /**
     * A delinquency or cure labelling setting: the one given, warned about when the model was trained with
     * another; else the model's; else the default. Other tasks have none: the default stands.
     */
    static <T> T setting(String option, T given, T model, T fallback, Task task,
        PrintWriter err) {
      if (!task.asOfDates()) {
        return given != null ? given : fallback;
      }
      if (given != null) {
        if (model != null && !model.equals(given)) {
          err.printf("warning: %s %s differs from the model's %s: its labels are not the ones it"
              + " was trained to predict%n", option, given, model);
        }
        return given;
      }
      return model != null ? model : fallback;
    }
  }

  @Command(name = "evaluate", mixinStandardHelpOptions = true,
      description = "Evaluate a published model on a held-out period: metrics.json and a"
          + " self-contained report.html (ROC, precision-recall, calibration, score"
          + " distribution, top features).")
  static final class Evaluate implements Callable<Integer> {
    @Mixin HeldOutPeriod period;
    @Option(names = "--out-dir", required = true, description = "Where the report (metrics,"
        + " curves) is written.") Path outDir;

    @Override
    public Integer call() throws Exception {
      var scoring = period.load();
      String task = period.task;
      String v = scoring.version();
      Instant from = period.from;
      Instant to = period.to;
      var loaded = scoring.loaded();
      var rows = scoring.rows();
      var scores = Workflow.scored(loaded.model(), scoring.set(), rows);
      Files.createDirectories(outDir);
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .writeValue(outDir.resolve("metrics.json").toFile(), Map.of(
              "task", task, "version", v, "algorithm", loaded.card().algorithm(),
              "from", from.toString(), "to", to.toString(),
              "metrics", Metrics.written(scores.metrics()),
              "calibration", Metrics.calibration(
                  scores.probabilities(), scores.labels(), 10)));
      var top = new ArrayList<Report.FeatureWeight>();
      var lists = loaded.model().getTopFeatures(15);
      var list = lists.containsKey(ModelTrainer.BAD) ? lists.get(ModelTrainer.BAD)
          : lists.values().stream().findFirst().orElse(List.of());
      list.forEach(pair -> top.add(new Report.FeatureWeight(
          pair.getA(), pair.getB())));
      String title = String.format(Locale.ROOT, "%s %s (%s): %s to %s", task, v,
          loaded.card().algorithm(), from, to);
      Files.writeString(outDir.resolve("report.html"),
          Report.html(title, scores.metrics(),
              scores.probabilities(), scores.labels(), top));
      System.out.printf("%s/%s on %,d items: auc %.4f, ap %.4f -> %s%n", task, v, rows.size(),
          scores.metrics().get("auc_roc"), scores.metrics().get("average_precision"), outDir);
      printMetrics(scores.metrics());
      return 0;
    }
  }

  @Command(name = "predict", mixinStandardHelpOptions = true,
      description = "Score every scorable item of a period with a published model, as CSV: id,"
          + " as_of, account_id, probability, score (0-999), and the label the training set"
          + " gives it, so that anyone can recompute the metrics.")
  static final class Predict implements Callable<Integer> {
    @Mixin HeldOutPeriod period;
    @Option(names = "--out", required = true, description = "The CSV of predictions to write.")
    Path out;

    @Override
    public Integer call() throws Exception {
      var scoring = period.load();
      String task = period.task;
      String v = scoring.version();
      String[] names = scoring.set().features().names().toArray(new String[0]);
      long n = 0;
      double[] probabilities = Prediction.probabilities(
          scoring.loaded().model(), names,
          scoring.rows().stream().map(TrainingSet.Row::values)
              .toList());
      Files.createDirectories(out.toAbsolutePath().getParent());
      try (var w = Files.newBufferedWriter(out)) {
        w.write("id,as_of,account_id,probability,score,label\n");
        for (var row : scoring.rows()) {
          double p = probabilities[(int) n];
          w.write(String.format(Locale.ROOT, "%s,%s,%s,%.6f,%d,%d%n", row.id(),
              Instant.ofEpochMilli(row.asOfMillis()), row.accountId(), p,
              ScoreScale.of(p), row.label()));
          n++;
        }
      }
      System.out.printf("%s/%s scored %,d items -> %s%n", task, v, n, out);
      return 0;
    }
  }

  @Command(name = "import-onnx", mixinStandardHelpOptions = true,
      description = "Publish an ONNX classifier trained elsewhere. --mapping is a JSON object"
          + " from every feature name of the task to its index in the model's input.")
  static final class ImportOnnx implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "FILE",
        description = "The ONNX model file.") Path model;
    @Option(names = "--task", required = true, description = "fraud, deposit, delinquency,"
        + " cure or roll") String task;
    @Option(names = "--mapping", required = true, paramLabel = "FILE", description = "JSON: every"
        + " feature name of the task to its index in the model's input.") Path mapping;
    @Option(names = "--bad-output", defaultValue = "1", paramLabel = "INDEX",
        description = "Which of the model's two probability outputs is the bad outcome's, 0"
            + " or 1: 1 for a classifier whose outputs are [good, bad], as scikit-learn's label"
            + " order 0, 1 gives (default: ${DEFAULT-VALUE}).")
    int badOutput;
    @Option(names = "--input-name", defaultValue = "input", description = "The model's input"
        + " tensor (default: ${DEFAULT-VALUE}).") String inputName;
    @Option(names = "--registry", defaultValue = VigilHome.VAR + "/models",
        description = "The model registry (default: ${DEFAULT-VALUE}).") Path registry;

    @Override
    public Integer call() throws Exception {
      Task t = task(task);
      Map<String, Integer> features = new ObjectMapper()
          .readValue(mapping.toFile(), new TypeReference<>() {});
      var imported = OnnxImport.load(model, t, features, badOutput,
          inputName);
      var set = FeatureCatalogue.of(t);
      var card = new ModelCard(t.name().toLowerCase(Locale.ROOT), null,
          "onnx", Map.of("source", model.getFileName().toString(),
              "input_name", inputName, "bad_output", Integer.toString(badOutput)),
          null, null, null, null, 0, 0, null, set.names(), set.fingerprint(), Map.of(),
          imported.getProvenance().toString(), Instant.now().toString(), List.of(), null);
      String version = new ModelRegistry(registry).publish(t, imported, card);
      System.out.println("published " + t.name().toLowerCase(Locale.ROOT) + "/" + version
          + " (evaluate it before activating it)");
      return 0;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "Published versions.")
  static final class ListModels implements Callable<Integer> {
    @Option(names = "--registry", defaultValue = VigilHome.VAR + "/models",
        description = "The model registry (default: ${DEFAULT-VALUE}).") Path registry;

    @Override
    public Integer call() throws Exception {
      var r = new ModelRegistry(registry);
      for (Task t : Task.values()) {
        var roles = r.roles(t);
        for (String v : r.versions(t)) {
          var card = r.card(t, v);
          String role = v.equals(roles.champion()) ? "champion"
              : v.equals(roles.challenger()) ? "challenger (" + roles.challengerShare() + ")"
              : v.equals(roles.shadow()) ? "shadow" : "";
          System.out.printf("%-12s %-4s %-20s auc %.4f  ap %.4f  %s%n",
              t.name().toLowerCase(Locale.ROOT), v, card.algorithm(),
              card.metrics().getOrDefault("auc_roc", Double.NaN),
              card.metrics().getOrDefault("average_precision", Double.NaN), role);
        }
      }
      return 0;
    }
  }

  @Command(name = "activate", mixinStandardHelpOptions = true, description = "Make a version champion.")
  static final class Activate implements Callable<Integer> {
    @Option(names = "--registry", defaultValue = VigilHome.VAR + "/models",
        description = "The model registry (default: ${DEFAULT-VALUE}).") Path registry;
    @Parameters(index = "0", paramLabel = "TASK", description = "fraud, deposit or delinquency")
    String task;
    @Parameters(index = "1", paramLabel = "VERSION", description = "A published version, for"
        + " example v2 (./vigil models list shows them).") String version;

    @Override
    public Integer call() throws Exception {
      System.out.println(new ModelRegistry(registry).activate(task(task), version));
      return 0;
    }
  }

  @Command(name = "rollback", mixinStandardHelpOptions = true,
      description = "Make the previous champion the champion again.")
  static final class Rollback implements Callable<Integer> {
    @Option(names = "--registry", defaultValue = VigilHome.VAR + "/models",
        description = "The model registry (default: ${DEFAULT-VALUE}).") Path registry;
    @Parameters(index = "0", paramLabel = "TASK", description = "fraud, deposit or delinquency")
    String task;

    @Override
    public Integer call() throws Exception {
      System.out.println(new ModelRegistry(registry).rollback(task(task)));
      return 0;
    }
  }

  @Command(name = "defaults", mixinStandardHelpOptions = true,
      description = "Train, publish and activate the seeded default model of every task that has"
          + " no champion (what the embedded default serves out of the box).")
  static final class Defaults implements Callable<Integer> {
    @Option(names = "--registry", defaultValue = VigilHome.VAR + "/models",
        description = "The model registry (default: ${DEFAULT-VALUE}).") Path registry;
    @Option(names = "--seed", description = "Draw the default simulation with this seed instead"
        + " of the defaults' own (" + DefaultModels.DEFAULT_SEED + "): the same world, other draws,"
        + " to see how much one seed decides the figures; publish such models to a registry of"
        + " their own (default: the defaults' seed).") Long seed;

    @Override
    public Integer call() throws Exception {
      var trained = DefaultModels.ensure(new ModelRegistry(registry), System.out::println,
          seed == null ? DefaultModels.DEFAULT_SEED : seed);
      if (trained.isEmpty()) {
        System.out.println("every task has a champion; nothing trained");
      }
      return 0;
    }
  }

  @Command(name = "handbook", mixinStandardHelpOptions = true,
      description = "Vigil's fraud features against the Fraud Detection Handbook's baseline, on the"
          + " Handbook's simulated world and protocol, one run per seed; with, per model, the test"
          + " frauds no feature could see a sign of and the AUC ceiling they leave.")
  static final class Handbook implements Callable<Integer> {
    @Option(names = "--seeds", split = ",", defaultValue = "1,2,3", description = "One simulated"
        + " world per seed (default: ${DEFAULT-VALUE}).") List<Long> seeds;
    @Option(names = "--customers", defaultValue = "5000", description = "Customers per world"
        + " (default: ${DEFAULT-VALUE}).") int customers;
    @Option(names = "--days", defaultValue = "183", description = "Days per world (default:"
        + " ${DEFAULT-VALUE}).") int days;

    @Override
    public Integer call() {
      System.out.println("seed | features | model | test rows (frauds) | AUC ROC | average precision"
          + " | card precision@100 | frauds without a sign | AUC of those with one, without"
          + " | AUC ceiling");
      var all = new ArrayList<HandbookComparison.Figures>();
      for (long seed : seeds) {
        for (var f : HandbookComparison.run(seed, customers, days)) {
          all.add(f);
          System.out.printf(Locale.ROOT, "%d | %s | %s | %,d (%d) | %.3f | %.3f | %.3f | %d | %.3f,"
                  + " %.3f | %.3f%n", f.seed(), f.features(), f.algorithm().id, f.testRows(),
              f.testFrauds(), f.auc(), f.averagePrecision(), f.cardPrecisionAt100(), f.unseen(),
              f.aucSeen(), f.aucUnseen(), f.ceiling());
        }
      }
      System.out.println("(a fraud without a sign: no amount over $220, no fraud reported at its"
          + " terminal yet, under twice the card's mean; the ceiling: every other fraud ranked"
          + " first, these at random)");
      System.out.println("mean over seeds " + seeds + ", beside the Handbook's published figures:");
      for (ModelTrainer.Algorithm a : ModelTrainer.Algorithm.values()) {
        for (String features : List.of("handbook", "vigil")) {
          var rows = all.stream().filter(f -> f.algorithm() == a && f.features().equals(features))
              .toList();
          System.out.printf(Locale.ROOT, "%s, %s features | %.3f | %.3f | %.3f%n", a.id, features,
              rows.stream().mapToDouble(HandbookComparison.Figures::auc).average().orElse(0),
              rows.stream().mapToDouble(HandbookComparison.Figures::averagePrecision).average()
                  .orElse(0),
              rows.stream().mapToDouble(HandbookComparison.Figures::cardPrecisionAt100).average()
                  .orElse(0));
        }
        double[] p = HandbookComparison.PUBLISHED.get(a);
        System.out.printf(Locale.ROOT, "%s, the Handbook's published | %.3f | %.3f | %.3f%n", a.id,
            p[0], p[1], p[2]);
      }
      return 0;
    }
  }

  @Command(name = "statements", mixinStandardHelpOptions = true,
      description = "Vigil's delinquency (early warning) and cure features against the raw"
          + " statements (the last six: balance, limit, minimum due, amount paid, days past due),"
          + " on simulated worlds, one per seed: the same rows, periods and learner, only the"
          + " columns differ; test AUC ROC and average precision of each. Logistic regression"
          + " trains 20 epochs at rate 0.1 here (StatementsComparison.LOGISTIC), XGBoost its"
          + " defaults.")
  static final class Statements implements Callable<Integer> {
    @Option(names = "--seeds", split = ",", defaultValue = "1,2,3", description = "One simulated"
        + " world per seed (default: ${DEFAULT-VALUE}).") List<Long> seeds;
    @Option(names = "--customers", defaultValue = "1000", description = "Customers per world"
        + " (default: ${DEFAULT-VALUE}, as the default models' world).") int customers;
    @Option(names = "--algorithms", split = ",", defaultValue = "logistic-regression",
        description = "logistic-regression, xgboost or both, comma-separated (default:"
            + " ${DEFAULT-VALUE}).") List<String> algorithms;

    @Override
    public Integer call() {
      List<ModelTrainer.Algorithm> chosen;
      try {
        chosen = algorithms.stream().map(ModelTrainer.Algorithm::of).toList();
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(new CommandLine(this), e.getMessage());
      }
      System.out.println("seed | customers | model | features | algorithm | test rows (bad) |"
          + " AUC ROC | average precision");
      for (long seed : seeds) {
        for (var f : StatementsComparison.run(seed, customers, chosen)) {
          System.out.printf(Locale.ROOT, "%d | %,d | %s | %s | %s | %,d (%,d) | %.4f | %.4f%n",
              f.seed(), f.customers(), f.task() == Task.CURE ? "cure" : "early warning",
              f.features(), f.algorithm().id, f.testRows(), f.testPositives(), f.auc(),
              f.averagePrecision());
        }
      }
      System.out.println("(early warning: current accounts, bad = 30+ days past due within 90"
          + " days; cure: past-due accounts, bad = not back to current within 30 days)");
      return 0;
    }
  }
}
