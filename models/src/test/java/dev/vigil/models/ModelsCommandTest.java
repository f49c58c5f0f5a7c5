package dev.vigil.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command line a data scientist meets first: its help, and the times it takes. */
class ModelsCommandTest {
  @Test
  void everySubcommandsHelpPrintsUsageAndExitsZeroWithEveryOptionDescribed() {
    CommandLine root = ModelsCommand.commandLine();
    // picocli reports a description it cannot format (a lone %) on System.err, and prints it raw
    var stderr = new java.io.ByteArrayOutputStream();
    var previous = System.err;
    System.setErr(new java.io.PrintStream(stderr, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      everyHelp(root);
    } finally {
      System.setErr(previous);
    }
    assertThat(stderr.toString(java.nio.charset.StandardCharsets.UTF_8)).as("picocli's warnings")
        .doesNotContain("Could not format");
  }

  private static void everyHelp(CommandLine root) {
    for (var sub : root.getSubcommands().entrySet()) {
      var out = new StringWriter();
      var err = new StringWriter();
      CommandLine line = ModelsCommand.commandLine();
      line.setOut(new PrintWriter(out));
      line.setErr(new PrintWriter(err));
      int code = line.execute(sub.getKey(), "--help");
      assertThat(code).as("%s --help: %s", sub.getKey(), err).isZero();
      assertThat(out.toString()).as(sub.getKey()).startsWith("Usage: ");
      for (var option : sub.getValue().getCommandSpec().options()) {
        assertThat(String.join(" ", option.description())).as("%s %s", sub.getKey(),
            option.longestName()).isNotBlank();
      }
    }
  }

  @Test
  void aTimeIsADateOrAnInstant() {
    assertThat(ModelsCommand.instant("2005-10-01")).isEqualTo(Instant.parse("2005-10-01T00:00:00Z"));
    assertThat(ModelsCommand.instant("2005-10-01T06:30:00Z"))
        .isEqualTo(Instant.parse("2005-10-01T06:30:00Z"));
    assertThatThrownBy(() -> ModelsCommand.instant("1 Oct 2005"))
        .isInstanceOf(CommandLine.TypeConversionException.class).hasMessageContaining("1 Oct 2005");
  }
}
