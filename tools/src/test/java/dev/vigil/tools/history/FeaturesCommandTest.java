package dev.vigil.tools.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** simulate, training-set and catalogue: their help, and the times they take. */
class FeaturesCommandTest {
  @Test
  void everySubcommandsHelpPrintsUsageAndExitsZeroWithEveryOptionDescribed() {
    for (var sub : FeaturesCommand.commandLine().getSubcommands().entrySet()) {
      var out = new StringWriter();
      var err = new StringWriter();
      CommandLine line = FeaturesCommand.commandLine();
      line.setOut(new PrintWriter(out));
      line.setErr(new PrintWriter(err));
      assertThat(line.execute(sub.getKey(), "--help")).as("%s --help: %s", sub.getKey(), err)
          .isZero();
      assertThat(out.toString()).as(sub.getKey()).startsWith("Usage: ");
      for (var option : sub.getValue().getCommandSpec().options()) {
        assertThat(String.join(" ", option.description())).as("%s %s", sub.getKey(),
            option.longestName()).isNotBlank();
      }
    }
  }

  @Test
  void everyTimeIsADateOrAnInstant() {
    var line = FeaturesCommand.commandLine();
    var parsed = line.parseArgs("training-set", "--events", "e.jsonl", "--task", "fraud", "--out",
        "f.csv", "--from", "2026-02-01", "--to", "2026-03-01T12:00:00Z", "--as-of",
        "2026-02-07,2026-02-14T06:00:00Z");
    var set = (FeaturesCommand.BuildTrainingSet) parsed.subcommand().commandSpec().userObject();
    assertThat(set.from).isEqualTo(Instant.parse("2026-02-01T00:00:00Z"));
    assertThat(set.to).isEqualTo(Instant.parse("2026-03-01T12:00:00Z"));
    assertThat(set.asOf).containsExactly(Instant.parse("2026-02-07T00:00:00Z"),
        Instant.parse("2026-02-14T06:00:00Z"));
    assertThatThrownBy(() -> FeaturesCommand.commandLine().parseArgs("simulate", "--out", "x",
        "--start", "1 Feb 2026")).hasMessageContaining("1 Feb 2026");
  }
}
