package dev.vigil.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.history.cli.BuildVersion;
import dev.vigil.history.cli.ToolCommandLine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * Every picocli command of {@code ./vigil}: its help and version, and the one-line errors a user
 * meets first (a missing file, a refused value, an entity type spelt otherwise than the records
 * spell it).
 */
class VigilCommandLineTest {
  @TempDir Path dir;

  static CommandRun run(String... args) {
    return CommandRun.of(args);
  }

  /** Every command's path as typed after ./vigil: simulate, models train, audit token... */
  static List<String[]> commands() {
    var all = new ArrayList<String[]>();
    for (CommandLine c : ToolCommandLine.tree(Vigil.commandLine())) {
      String qualified = c.getCommandSpec().qualifiedName(" ");
      all.add(qualified.equals(ToolCommandLine.PROGRAM) ? new String[0]
          : qualified.substring(ToolCommandLine.PROGRAM.length() + 1).split(" "));
    }
    return all;
  }

  static String[] with(String[] command, String... more) {
    var args = new ArrayList<>(List.of(command));
    args.addAll(List.of(more));
    return args.toArray(new String[0]);
  }

  @Test
  void everyCommandsHelpAndVersionExitZeroAndItsUsageSaysWhatUsersType() {
    assertThat(commands()).hasSizeGreaterThan(20);
    for (String[] command : commands()) {
      String name = String.join(" ", command);
      for (String help : List.of("--help", "-h")) {
        CommandRun r = run(with(command, help));
        assertThat(r.code()).as("%s %s: %s", name, help, r.err()).isZero();
        assertThat(r.out()).as(name).startsWith("Usage: ./vigil" + (name.isEmpty() ? ""
            : " " + name + " "));
      }
      for (String version : List.of("--version", "-V")) {
        CommandRun r = run(with(command, version));
        assertThat(r.code()).as("%s %s", name, version).isZero();
        assertThat(r.out()).as("%s %s", name, version)
            .isEqualTo("vigil " + BuildVersion.version() + System.lineSeparator());
      }
    }
  }

  @Test
  void everyOptionAndParameterIsDescribed() {
    for (CommandLine c : ToolCommandLine.tree(Vigil.commandLine())) {
      var spec = c.getCommandSpec();
      assertThat(String.join(" ", spec.usageMessage().description()))
          .as("%s's description", spec.qualifiedName(" ")).isNotBlank();
      for (var option : spec.options()) {
        assertThat(String.join(" ", option.description())).as("%s %s", spec.qualifiedName(" "),
            option.longestName()).isNotBlank();
      }
      for (var parameter : spec.positionalParameters()) {
        assertThat(String.join(" ", parameter.description())).as("%s %s",
            spec.qualifiedName(" "), parameter.paramLabel()).isNotBlank();
      }
    }
  }

  @Test
  void everyOptionWithADefaultSaysIt() {
    for (CommandLine c : ToolCommandLine.tree(Vigil.commandLine())) {
      var spec = c.getCommandSpec();
      for (var option : spec.options()) {
        if (option.defaultValue() != null && !option.type().equals(boolean.class)) {
          assertThat(String.join(" ", option.description())).as("%s %s",
              spec.qualifiedName(" "), option.longestName()).contains("default");
        }
      }
    }
  }

  @Test
  void modelsListsDrift() {
    assertThat(run("models", "--help").out()).containsPattern("\n  drift +Write an HTML report");
  }

  @Test
  void aMissingEventsFileIsOneLineNamingTheFileAndTheOption() {
    Path missing = dir.resolve("no such dir").resolve("events.jsonl");
    CommandRun r = run("training-set", "--events", missing.toString(), "--task", "fraud", "--out",
        dir.resolve("set.csv").toString());
    assertThat(r.code()).isEqualTo(ToolCommandLine.FAILURE);
    assertThat(r.out()).isEmpty();
    assertThat(r.err().lines().toList()).as(r.err()).containsExactly("vigil training-set: no such"
        + " file: " + missing + " (--events); check the path (a relative path resolves in the"
        + " directory ./vigil was run in)");
  }

  @Test
  void verboseAddsTheTrace() {
    Path missing = dir.resolve("events.jsonl");
    CommandRun r = run("training-set", "--events", missing.toString(), "--task", "fraud", "--out",
        dir.resolve("set.csv").toString(), "--verbose");
    assertThat(r.code()).isEqualTo(ToolCommandLine.FAILURE);
    assertThat(r.err()).startsWith("vigil training-set: no such file: " + missing)
        .contains("\tat dev.vigil.");
  }

  @Test
  void aRefusedValueIsOneLineWithoutTheUsage() {
    CommandRun r = run("simulate", "--days", "thirty", "--out", dir.resolve("e.jsonl").toString());
    assertThat(r.code()).isEqualTo(ToolCommandLine.USAGE);
    assertThat(r.err().lines().toList()).containsExactly("vigil simulate: Invalid value for"
        + " option '--days': 'thirty' is not an int; see ./vigil simulate --help");
    CommandRun missing = run("models", "train", "--task", "fraud");
    assertThat(missing.code()).isEqualTo(ToolCommandLine.USAGE);
    assertThat(missing.err().lines().toList()).as(missing.err()).hasSize(1);
    assertThat(missing.err()).startsWith("vigil models train: Missing required option:"
        + " '--events=FILE'").doesNotContain("Usage:");
  }

  @Test
  void anEntityTypeSpeltOtherwiseThanTheRecordsIsRefusedNamingTheAcceptedTypes()
      throws Exception {
    Path key = dir.resolve("audit-token.key");
    Files.write(key, new byte[32]);
    CommandRun lower = run("audit", "token", "--key-file", key.toString(), "account/a-1");
    assertThat(lower.code()).isEqualTo(ToolCommandLine.USAGE);
    assertThat(lower.out()).as("no token is printed").isEmpty();
    assertThat(lower.err().lines().toList()).containsExactly("vigil audit token: TYPE/id:"
        + " 'account/a-1' is not TYPE/id with TYPE one of ACCOUNT, CUSTOMER, MERCHANT, DEVICE,"
        + " CHECK (capitals, as audit records write it: ACCOUNT/a-1); see ./vigil audit token"
        + " --help");
    CommandRun upper = run("audit", "token", "--key-file", key.toString(), "ACCOUNT/a-1");
    assertThat(upper.code()).as(upper.err()).isZero();
    assertThat(upper.out()).matches("ACCOUNT/[0-9a-f]{64}  \\(key [0-9a-f]{16}\\)\\R");
  }

  @Test
  void aMissingKeyFileIsNamedAndNotCreated() {
    Path key = dir.resolve("audit-token.key");
    CommandRun r = run("audit", "token", "--key-file", key.toString(), "ACCOUNT/a-1");
    assertThat(r.code()).isEqualTo(ToolCommandLine.FAILURE);
    assertThat(r.err().lines().toList()).containsExactly("vigil audit token: no key file at "
        + key + " (--key-file); give the file the service was given as"
        + " vigil.audit.token-key-file");
    assertThat(key).doesNotExist();
  }

  @Test
  void theKafkaClientsDoNotBuryAToolsAnswer() {
    // audit verify's one-line answer sat under a configuration dump per Kafka client (INFO)
    assertThat(LoggerFactory.getLogger("org.apache.kafka.clients.consumer.ConsumerConfig")
        .isInfoEnabled()).isFalse();
    assertThat(LoggerFactory.getLogger("org.apache.kafka.clients.consumer.ConsumerConfig")
        .isWarnEnabled()).isTrue();
    assertThat(LoggerFactory.getLogger(Vigil.class).isInfoEnabled()).isFalse();
  }
}
