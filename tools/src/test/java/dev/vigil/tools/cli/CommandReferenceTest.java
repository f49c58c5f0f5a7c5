package dev.vigil.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * docs/cli.md is generated from the commands' declarations ({@link Vigil#reference()}); the
 * {@code vigil} script prints its sections for {@code --help} without building, so a stale page
 * would show options that are not the command's. Regenerate: {@code mvn -o -q -pl tools test
 * -Dtest=CommandReferenceTest -Dvigil.cli.write=true} (the job's section, after {@link
 * Vigil#JOB_SECTION}, is kept: ProfileJobCliTest owns it).
 */
class CommandReferenceTest {
  static final Path PAGE = Path.of("..", "docs", "cli.md");

  @Test
  void docsCliMdIsTheCommandsHelp() throws Exception {
    String current = Files.exists(PAGE) ? Files.readString(PAGE) : "";
    int job = current.indexOf(Vigil.JOB_SECTION);
    String expected = Vigil.reference() + (job < 0 ? "" : current.substring(job));
    if (Boolean.getBoolean("vigil.cli.write")) {
      Files.writeString(PAGE, expected);
    }
    assertThat(current).as("docs/cli.md is stale: regenerate it with mvn -o -q -pl tools test"
        + " -Dtest=CommandReferenceTest -Dvigil.cli.write=true").isEqualTo(expected);
  }
}
