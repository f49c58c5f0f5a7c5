package dev.vigil.tools.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code ./vigil} command and option that README.md and docs/*.md show exists: the command
 * in the vigil script, the option on that command (read from the code, see {@link
 * CommandVocabulary}). docs/settings.md and docs/cli.md are generated from the settings and the
 * commands themselves, and docs/benchmarks/ records runs as they were made: none is read.
 */
class DocsCheckTest {
  private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

  @Test
  void everyDocumentedCommandAndOptionExists() throws IOException {
    CommandVocabulary vigil = CommandVocabulary.of(ROOT);
    List<String> problems = new ArrayList<>();
    int checked = 0;
    for (Path page : pages()) {
      for (DocumentedCommands.Usage usage : DocumentedCommands.in(page)) {
        checked++;
        for (String problem : vigil.problems(usage.words())) {
          problems.add(usage.where(ROOT) + ": " + problem);
        }
      }
    }
    assertThat(checked).as("command lines found in README.md and docs/").isGreaterThan(50);
    assertThat(problems).as("README.md and docs/ show commands or options that do not exist")
        .isEmpty();
  }

  @Test
  void theVocabularyIsReadFromTheCode() throws IOException {
    CommandVocabulary vigil = CommandVocabulary.of(ROOT);
    assertThat(vigil.commandNames()).contains("up", "models", "job", "audit", "tls", "demo",
        "simulate", "training-set", "catalogue", "chaos", "cluster-check", "load-bench");
    assertThat(vigil.problems(List.of("models", "train", "--task", "fraud", "--tune=8"))).isEmpty();
    assertThat(vigil.problems(List.of("models", "drift", "--task", "fraud", "--out", "d.html")))
        .isEmpty();
    assertThat(vigil.problems(List.of("job", "--no-resume", "--checkpoints", "file:///c")))
        .isEmpty();
    assertThat(vigil.problems(List.of("tls", "renew", "scorer"))).isEmpty();
    assertThat(vigil.problems(List.of("audit", "token", "--key-file", "k", "ACCOUNT/a-1")))
        .isEmpty();
    assertThat(vigil.problems(List.of("chaos", "--soak-minutes", "0"))).isEmpty();
  }

  @Test
  void aMadeUpCommandOrOptionIsNamedWithItsPageAndLine(@TempDir Path dir) throws IOException {
    Path page = dir.resolve("page.md");
    Files.writeString(page, String.join("\n",
        "# A page",
        "Train with `./vigil models train --task fraud --made-up 3`.",
        "```bash",
        "./vigil simulate --customers 10 \\",
        "    --days 2 --colour blue   # a comment --not-an-option",
        "./vigil up && ./vigil frobnicate",
        "./vigil models retrain --task fraud",
        "./vigil load-bench 1000 --fast",
        "./vigil job --resume --no-bounded --turbo",
        "```",
        ""));
    CommandVocabulary vigil = CommandVocabulary.of(ROOT);
    List<String> problems = new ArrayList<>();
    for (DocumentedCommands.Usage usage : DocumentedCommands.in(page)) {
      vigil.problems(usage.words()).forEach(p -> problems.add(usage.where(dir) + ": " + p));
    }
    assertThat(problems).hasSize(6);
    assertThat(problems.get(0)).startsWith("page.md:2: ./vigil models train: --made-up is not an"
        + " option");
    assertThat(problems.get(1)).startsWith("page.md:4: ./vigil simulate: --colour is not an"
        + " option");
    assertThat(problems.get(2)).startsWith("page.md:6: ./vigil frobnicate: no such command");
    assertThat(problems.get(3)).startsWith("page.md:7: ./vigil models retrain: no such"
        + " subcommand");
    assertThat(problems.get(4)).startsWith("page.md:8: ./vigil load-bench: --fast is not an"
        + " option of it (it has --help, --version, -V, -h)");
    assertThat(problems.get(5)).startsWith("page.md:9: ./vigil job: --turbo is not an option");
  }

  private static List<Path> pages() throws IOException {
    List<Path> pages = new ArrayList<>(List.of(ROOT.resolve("README.md")));
    try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
      docs.filter(p -> p.getFileName().toString().endsWith(".md"))
          .filter(p -> !Set.of("settings.md", "cli.md").contains(p.getFileName().toString()))
          .sorted()
          .forEach(pages::add);
    }
    return pages;
  }
}
