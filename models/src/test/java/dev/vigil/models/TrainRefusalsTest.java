package dev.vigil.models;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.features.event.EventFiles;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.history.simulator.Simulator;
import dev.vigil.registry.ModelRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code models train} on a 60-day simulated history, as the issue found it: a test period with a
 * handful of frauds whose reports may not have arrived, a delinquency horizon longer than the
 * history. Each is refused naming its cause, its figures and the option that changes it, and
 * nothing is published; periods start at midnight; metrics.json writes counts as integers.
 */
class TrainRefusalsTest {
  @TempDir static Path dir;
  private static Path events;

  @BeforeAll
  static void history() throws Exception {
    events = dir.resolve("events60.jsonl.gz");
    try (var writer = new EventFiles.EventWriter(events)) {
      // starts 2026-01-01T00:00:00Z; its first event comes some seconds later
      new Simulator(Simulator.Config.of(3, 300, 60)).run(writer);
    }
  }

  /** Fraud's default is XGBoost: logistic regression trains in a fraction of its time. */
  private static final String LR = "--algorithm=logistic-regression";

  private static SplitCommandTest.Run run(String... args) {
    return SplitCommandTest.run(args);
  }

  @Test
  void aTestPeriodWhoseFraudReportsCannotHaveArrivedIsRefusedUnlessAllowed() throws Exception {
    Path registry = dir.resolve("late-registry");
    var refused = run("train", "--events", events.toString(), "--task", "fraud",
        "--min-test-positives", "1", "--registry", registry.toString(), "--activate");
    assertThat(refused.code()).as(refused.err()).isEqualTo(1);
    assertThat(refused.err()).contains("refused: the test period, ending 2026-03-01T00:00:00Z,",
        "fraud reports arrive up to 61 days after their transaction",
        "so that it ends by 2025-12-", // the history's end less 61 days: no test period can
        "--start, --train-days, --gap-days, --test-days", "--events", "--label-delay-days",
        "--allow-incomplete-labels", "nothing was trained or published");
    assertThat(refused.out()).doesNotContain("auc_roc");
    assertThat(Files.exists(registry.resolve("fraud"))).as("nothing published").isFalse();

    var allowed = run("train", "--events", events.toString(), "--task", "fraud", LR,
        "--min-test-positives", "1", "--allow-incomplete-labels", "--registry",
        registry.toString(), "--activate");
    assertThat(allowed.code()).as(allowed.err()).isZero();
    assertThat(allowed.out()).contains("warning: the test period, ending 2026-03-01T00:00:00Z,",
        "(--allow-incomplete-labels: trained anyway", "champion: v1");

    // a bank that knows its reports arrive within a week says so, and is neither refused nor
    // warned
    var stated = run("train", "--events", events.toString(), "--task", "fraud", LR,
        "--min-test-positives", "1", "--label-delay-days", "7", "--start", "2026-02-01",
        "--registry", registry.toString());
    assertThat(stated.code()).as(stated.err()).isZero();
    assertThat(stated.out() + stated.err()).doesNotContain("warning", "refused");
  }

  @Test
  void aTestPeriodWithFewerFraudsThanTheMinimumIsRefusedWithTheirCount() throws Exception {
    Path registry = dir.resolve("few-registry");
    var refused = run("train", "--events", events.toString(), "--task", "fraud",
        "--allow-incomplete-labels", "--registry", registry.toString(), "--publish");
    assertThat(refused.code()).as(refused.err()).isEqualTo(1);
    assertThat(refused.err()).contains("refused: the test period 2026-02-22T00:00:00Z to"
        + " 2026-03-01T00:00:00Z (exclusive) holds ", "fewer than --min-test-positives 30",
        "--test-days", "nothing was trained or published");
    assertThat(Files.exists(registry.resolve("fraud"))).as("nothing published").isFalse();
    var count = Pattern.compile("holds (\\d+) bad outcome\\(s\\) among ([0-9,]+) rows")
        .matcher(refused.err());
    assertThat(count.find()).as(refused.err()).isTrue();
    int frauds = Integer.parseInt(count.group(1));
    assertThat(frauds).isBetween(1, 29);

    // exactly as many as asked for is enough; the count is the test's own
    var accepted = run("train", "--events", events.toString(), "--task", "fraud", LR,
        "--allow-incomplete-labels", "--min-test-positives", Integer.toString(frauds),
        "--registry", registry.toString(), "--publish");
    assertThat(accepted.code()).as(accepted.err()).isZero();
    assertThat(accepted.out()).containsPattern("positives +" + frauds + "\n")
        .containsPattern("rows +" + count.group(2) + "\n");
    assertThat(run("train", "--events", events.toString(), "--task", "fraud",
        "--min-test-positives", "-1").err()).contains("--min-test-positives must be 0 or more,"
        + " not -1");
  }

  @Test
  void delinquencyWithAHorizonLongerThanTheHistoryIsRefusedNamingTheHorizon() {
    var longer = run("train", "--events", events.toString(), "--task", "delinquency");
    assertThat(longer.code()).as(longer.err()).isEqualTo(1);
    assertThat(longer.err()).contains("refused: --horizon-days 90 is longer than the history"
        + " (events from 2026-01-01T", "Use a shorter --horizon-days",
        "nothing was trained or published");
    // a horizon the history holds, but not after the test period's last as-of date
    var shorter = run("train", "--events", events.toString(), "--task", "delinquency",
        "--horizon-days", "20");
    assertThat(shorter.code()).as(shorter.err()).isEqualTo(1);
    assertThat(shorter.err()).contains("refused: the test period's last as-of date,"
        + " 2026-02-22T00:00:00Z,", "a delinquency label is known only 20 days after its as-of"
        + " date", "or a shorter --horizon-days", "--allow-incomplete-labels");
  }

  @Test
  void periodsStartAtMidnightUnlessAnInstantIsGivenAndMetricsJsonCountsAreIntegers()
      throws Exception {
    Path registry = dir.resolve("day-registry");
    var trained = run("train", "--events", events.toString(), "--task", "fraud",
        "--allow-incomplete-labels", "--min-test-positives", "1", "--algorithm",
        "logistic-regression", "--registry", registry.toString(), "--publish");
    assertThat(trained.code()).as(trained.err()).isZero();
    // the first event plus 37 days is 2026-02-07T00:00:xx: the next midnight
    assertThat(trained.out()).contains("2026-02-08T00:00:00Z..2026-02-15T00:00:00Z, tested"
        + " 2026-02-22T00:00:00Z..2026-03-01T00:00:00Z");
    assertThat(new ModelRegistry(registry).card(Task.FRAUD, "v1").trainFrom())
        .isEqualTo("2026-02-08T00:00:00Z");
    JsonNode card = new ObjectMapper().readTree(registry.resolve("fraud/v1/card.json").toFile())
        .get("metrics");
    assertThat(card.get("rows").isIntegralNumber()).as("card.json rows: %s", card.get("rows"))
        .isTrue();
    assertThat(card.get("auc_roc").isFloatingPointNumber()).as("card.json auc_roc").isTrue();
    var given = run("train", "--events", events.toString(), "--task", "fraud",
        "--allow-incomplete-labels", "--min-test-positives", "1", "--algorithm",
        "logistic-regression", "--start", "2026-02-07T06:30:00Z");
    assertThat(given.code()).as(given.err()).isZero();
    assertThat(given.out()).contains("2026-02-07T06:30:00Z..2026-02-14T06:30:00Z");

    Path report = dir.resolve("report");
    var evaluated = run("evaluate", "--events", events.toString(), "--task", "fraud",
        "--model-version", "v1", "--from", "2026-02-22", "--to", "2026-03-01", "--registry",
        registry.toString(), "--out-dir", report.toString());
    assertThat(evaluated.code()).as(evaluated.err()).isZero();
    JsonNode metrics = new ObjectMapper().readTree(report.resolve("metrics.json").toFile())
        .get("metrics");
    assertThat(metrics.get("rows").isIntegralNumber()).as("rows: %s", metrics.get("rows"))
        .isTrue();
    assertThat(metrics.get("positives").isIntegralNumber()).as("positives").isTrue();
    assertThat(metrics.get("rows").asLong()).isPositive();
    assertThat(Files.readString(report.resolve("metrics.json")))
        .containsPattern("\"rows\" : [0-9]+,").doesNotContainPattern("\"rows\" : [0-9]+\\.");
    for (String ratio : new String[] {"auc_roc", "average_precision", "brier"}) {
      assertThat(metrics.get(ratio).isFloatingPointNumber()).as(ratio).isTrue();
    }
  }
}
