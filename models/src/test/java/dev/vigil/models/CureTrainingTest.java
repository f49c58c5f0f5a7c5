package dev.vigil.models;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.features.event.EventFiles;
import dev.vigil.history.simulator.Simulator;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code models train --task cure}: past-due accounts at weekly as-of dates, labelled over a
 * 30-day horizon the checks hold it to, on its own features or the raw-statement baseline (which
 * is never published).
 */
class CureTrainingTest {
  @TempDir static Path dir;
  private static Path events;

  @BeforeAll
  static void history() throws Exception {
    events = dir.resolve("events60.jsonl.gz");
    try (var writer = new EventFiles.EventWriter(events)) {
      new Simulator(Simulator.Config.of(3, 300, 60)).run(writer);
    }
  }

  private static SplitCommandTest.Run run(String... args) {
    return SplitCommandTest.run(args);
  }

  @Test
  void aCureTestPeriodWithinItsHorizonOfTheEndIsRefusedThenTrainedWhenAllowed() {
    Path registry = dir.resolve("registry");
    String[] periods = {"--start", "2026-01-08", "--train-days", "14", "--gap-days", "14",
        "--test-days", "8", "--min-test-positives", "1"};
    var refused = run(with(periods, "train", "--events", events.toString(), "--task", "cure",
        "--registry", registry.toString(), "--publish"));
    assertThat(refused.code()).as(refused.err()).isEqualTo(1);
    assertThat(refused.err()).contains("a cure label is known only 30 days after its as-of date");
    assertThat(Files.exists(registry.resolve("cure"))).as("nothing published").isFalse();

    var trained = run(with(periods, "train", "--events", events.toString(), "--task", "cure",
        "--allow-incomplete-labels", "--registry", registry.toString(), "--publish"));
    assertThat(trained.code()).as(trained.err()).isZero();
    assertThat(trained.out()).contains("CURE logistic-regression", "auc_roc",
        "published cure/v1");
    assertThat(trained.err()).contains("cure: ");
  }

  @Test
  void theRawStatementsTrainAsABaselineAndAreNeverPublished() {
    String[] periods = {"--start", "2026-01-08", "--train-days", "14", "--gap-days", "14",
        "--test-days", "8", "--min-test-positives", "1", "--allow-incomplete-labels"};
    var baseline = run(with(periods, "train", "--events", events.toString(), "--task", "cure",
        "--features", "raw-statements"));
    assertThat(baseline.code()).as(baseline.err()).isZero();
    assertThat(baseline.out()).contains("auc_roc");

    var published = run(with(periods, "train", "--events", events.toString(), "--task", "cure",
        "--features", "raw-statements", "--registry", dir.resolve("r2").toString(), "--publish"));
    assertThat(published.code()).isEqualTo(2);
    assertThat(published.err()).contains("--features raw-statements is a baseline");
    assertThat(Files.exists(dir.resolve("r2").resolve("cure"))).isFalse();

    var fraud = run("train", "--events", events.toString(), "--task", "fraud", "--features",
        "raw-statements");
    assertThat(fraud.code()).isEqualTo(2);
    assertThat(fraud.err()).contains("not a fraud one");
  }

  private static String[] with(String[] tail, String... head) {
    var all = new String[head.length + tail.length];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(tail, 0, all, head.length, tail.length);
    return all;
  }
}
