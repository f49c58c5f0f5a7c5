package dev.vigil.job;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The job's command line: its defaults are the job's own. */
class ProfileJobCliTest {
  @Test
  void theCommandLinesDefaultsAreJobSettingsDefaults() {
    // picocli's defaults are strings of their own: a default changed in one place only fails here
    var cli = new ProfileJob.Cli();
    new CommandLine(cli).parseArgs();
    assertThat(cli.settings("file:///tmp/checkpoints"))
        .isEqualTo(JobSettings.defaults("localhost:9092", "file:///tmp/checkpoints"));
  }
}
