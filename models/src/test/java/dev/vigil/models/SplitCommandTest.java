package dev.vigil.models;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.features.event.EventFiles;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.history.simulator.Simulator;
import dev.vigil.models.training.Split;
import dev.vigil.registry.ModelRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training by account and reusing what the card records: the card says how the rows were divided
 * and labelled, and evaluate and predict score what the model held out, with the model's labelling
 * unless told otherwise (and then warned).
 */
class SplitCommandTest {
  @TempDir static Path dir;
  private static Path events;

  @BeforeAll
  static void history() throws Exception {
    events = dir.resolve("events.jsonl.gz");
    try (var writer = new EventFiles.EventWriter(events)) {
      new Simulator(Simulator.Config.of(5, 400, 75)).run(writer);
    }
  }

  /**
   * What these tests train on is too small and too short for train's checks (TrainingChecksTest):
   * a few frauds in a week, labels still arriving at the history's end. They test the splits.
   */
  static final String[] SMALL_HISTORY = {"--allow-incomplete-labels", "--min-test-positives",
      "1"};

  record Run(int code, String out, String err) {}

  static Run train(String... args) {
    return run(with(with(new String[] {"train"}, args), SMALL_HISTORY));
  }

  static Run run(String... args) {
    var out = new StringWriter();
    var err = new StringWriter();
    var line = ModelsCommand.commandLine();
    line.setOut(new PrintWriter(out));
    var errWriter = new PrintWriter(err);
    line.setErr(errWriter);
    var stdout = System.out;
    var stderr = System.err;
    var printed = new java.io.ByteArrayOutputStream();
    var printedErr = new java.io.ByteArrayOutputStream();
    System.setOut(new java.io.PrintStream(printed, true));
    System.setErr(new java.io.PrintStream(printedErr, true));
    try {
      int code = line.execute(args);
      return new Run(code, printed + out.toString(), printedErr + err.toString());
    } finally {
      System.setOut(stdout);
      System.setErr(stderr);
    }
  }

  @Test
  void anEntitySplitHoldsOutAccountsAndEvaluateAndPredictScoreOnlyThose() throws Exception {
    Path registry = dir.resolve("entity-registry");
    var trained = train("--events", events.toString(), "--task", "fraud", "--split",
        "entity", "--held-out-share", "0.4", "--split-seed", "9", "--start", "2026-02-07",
        "--registry", registry.toString(), "--publish");
    assertThat(trained.code()).as(trained.err()).isZero();
    assertThat(trained.out()).contains("entity split").containsPattern("rows +[0-9,]+\\n")
        .doesNotContain("rows                   0.");
    var card = new ModelRegistry(registry).card(Task.FRAUD, "v1");
    assertThat(card.data().split()).isEqualTo("entity");
    assertThat(card.data().heldOutShare()).isEqualTo(0.4);
    assertThat(card.data().splitSeed()).isEqualTo(9);
    assertThat(card.data().schedule()).isNull();

    Path held = dir.resolve("held.csv");
    var predicted = run("predict", "--events", events.toString(), "--task", "fraud",
        "--model-version", "v1", "--from", "2026-02-07", "--to", "2026-03-17", "--registry",
        registry.toString(), "--out", held.toString());
    assertThat(predicted.code()).as(predicted.err()).isZero();
    assertThat(predicted.err()).contains("scoring only the accounts it held out");
    var heldOut = new Split.Accounts(0.4, 9);
    List<String> accounts = Files.readAllLines(held).stream().skip(1)
        .map(line -> line.split(",")[2]).toList();
    assertThat(accounts).isNotEmpty().allMatch(heldOut::heldOut);

    Path all = dir.resolve("all.csv");
    assertThat(run("predict", "--events", events.toString(), "--task", "fraud", "--from",
        "2026-02-07", "--to", "2026-03-17", "--registry", registry.toString(), "--model-version",
        "v1", "--all-accounts", "--out", all.toString()).code()).isZero();
    List<String> every = Files.readAllLines(all).stream().skip(1)
        .map(line -> line.split(",")[2]).toList();
    assertThat(every).hasSizeGreaterThan(accounts.size()).anyMatch(a -> !heldOut.heldOut(a));
  }

  @Test
  void aHeldOutShareWithoutBothOutcomesIsRefusedAndNothingIsPublished() {
    Path registry = dir.resolve("refused-registry");
    // one day of rows, a tiny share of accounts: not a fraud among them
    var refused = train("--events", events.toString(), "--task", "fraud", "--split",
        "time,entity", "--held-out-share", "0.01", "--start", "2026-02-07", "--train-days", "7",
        "--gap-days", "0", "--test-days", "1", "--registry", registry.toString(), "--publish");
    assertThat(refused.code()).isEqualTo(1);
    assertThat(refused.err()).contains("the held-out accounts (1% of accounts, seed 42)")
        .contains("nothing was published");
    assertThat(Files.exists(registry.resolve("fraud"))).isFalse();
    var unknown = train("--events", events.toString(), "--task", "fraud", "--split",
        "random");
    assertThat(unknown.code()).isEqualTo(2);
    assertThat(unknown.err()).contains("--split: \"random\"");
  }

  @Test
  void delinquencyLabellingIsRecordedReusedAndADifferentOneIsWarnedAbout() throws Exception {
    Path registry = dir.resolve("delinquency-registry");
    // cure: a current account needs 30 days to be 30 days past due, so a 20-day delinquency
    // label has no positive; a cure label over 20 days has both outcomes
    var trained = train("--events", events.toString(), "--task", "cure",
        "--schedule", "weekly", "--horizon-days", "20", "--start", "2026-02-07", "--train-days",
        "14", "--gap-days", "20", "--test-days", "14", "--registry", registry.toString(),
        "--publish");
    assertThat(trained.code()).as(trained.err()).isZero();
    assertThat(trained.out()).doesNotContain("card_precision");
    var card = new ModelRegistry(registry).card(Task.CURE, "v1");
    assertThat(card.data().schedule()).isEqualTo("weekly");
    assertThat(card.data().horizonDays()).isEqualTo(20);

    String[] predict = {"predict", "--events", events.toString(), "--task", "cure",
        "--model-version", "v1", "--from", "2026-02-07", "--to", "2026-03-17", "--registry",
        registry.toString(), "--out", dir.resolve("d.csv").toString()};
    var same = run(predict);
    assertThat(same.code()).as(same.err()).isZero();
    assertThat(same.err()).doesNotContain("warning");
    String withModels = Files.readString(dir.resolve("d.csv"));
    var explicit = run(with(predict, "--horizon-days", "20"));
    assertThat(explicit.err()).doesNotContain("warning");
    // none given: the model's 20 days, not the 30 of a card without it
    assertThat(Files.readString(dir.resolve("d.csv"))).isEqualTo(withModels);
    var differing = run(with(predict, "--horizon-days", "45"));
    assertThat(differing.code()).isZero();
    assertThat(differing.err()).contains("warning: --horizon-days 45 differs from the model's 20");
    // not cured within 45 days is rarer than within 20
    assertThat(positives(Files.readString(dir.resolve("d.csv"))))
        .isLessThan(positives(withModels));
  }

  private static String[] with(String[] args, String... more) {
    String[] all = java.util.Arrays.copyOf(args, args.length + more.length);
    System.arraycopy(more, 0, all, args.length, more.length);
    return all;
  }

  private static long positives(String csv) {
    return csv.lines().skip(1).filter(line -> line.endsWith(",1")).count();
  }

  @Test
  void trainTunesWithinItsBudgetAndRefusesAValidationBeforeTheHistory() throws Exception {
    Path registry = dir.resolve("tuned-registry");
    var tuned = train("--events", events.toString(), "--task", "fraud", "--start",
        "2026-02-07", "--tune", "3", "--tune-seed", "5", "--registry", registry.toString(),
        "--publish");
    assertThat(tuned.code()).as(tuned.err()).isZero();
    assertThat(tuned.err()).contains("tuning 1/3", "tuning 3/3");
    assertThat(tuned.out()).contains("tuned: 3 candidates, chosen by validation average"
        + " precision");
    var card = new ModelRegistry(registry).card(Task.FRAUD, "v1");
    assertThat(card.algorithm()).as("fraud's default, chosen by evidence").isEqualTo("xgboost");
    assertThat(card.hyperParameters()).containsKeys("tuning", "trees", "eta", "max_depth");

    // the validation learns from a training length and a gap before --start: before the events
    var early = train("--events", events.toString(), "--task", "fraud", "--start",
        "2026-01-10", "--tune", "2", "--registry", registry.toString());
    assertThat(early.code()).isEqualTo(2);
    assertThat(early.err()).contains("--tune's validation needs history from",
        "move --start later");
    // without --tune, a training period before the events is refused too, and --tune not blamed
    var before = train("--events", events.toString(), "--task", "fraud", "--start",
        "2025-12-01", "--registry", registry.toString());
    assertThat(before.code()).isEqualTo(2);
    assertThat(before.err()).contains("the training period starts at 2025-12-01T00:00:00Z"
        + " (--start), but the events start at", "move --start later")
        .doesNotContain("--tune's validation");
    assertThat(train("--events", events.toString(), "--task", "fraud", "--tune", "-1",
        "--registry", registry.toString()).err()).contains("--tune must be 0 or more");
  }
}
