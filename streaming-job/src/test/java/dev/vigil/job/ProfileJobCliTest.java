package dev.vigil.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.features.profile.ProfileSettings;
import dev.vigil.settings.Reference;
import dev.vigil.settings.Setting;
import dev.vigil.settings.SettingException;
import dev.vigil.settings.Settings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job's command line. Its options and JobSettings are the same declarations
 * (JobSettings.SETTINGS), so the command line's defaults cannot differ from the settings' own;
 * what is checked here is that they are the defaults the job had before they were declared, and
 * that every option name it accepted still works.
 */
class ProfileJobCliTest {
  /** The option names the job's command line accepted before its options were declared. */
  static final Set<String> OLD_OPTIONS = Set.of("bootstrap-servers", "kafka-properties",
      "checkpoints", "replay-from-start", "events-file", "bounded", "parallelism",
      "checkpoint-interval-seconds", "materialize-interval-seconds", "publish-interval-ms",
      "own-publish-interval-ms", "merchant-bundle-events", "merchant-bundle-ms", "resume");

  static JobSettings parse(String... args) {
    return JobSettings.of(JobSettings.SETTINGS.parse(
        JobSettings.SETTINGS.arguments(args).given()));
  }

  @Test
  void theCommandLinesDefaultsAreTheOldDefaults() {
    JobSettings s = parse();
    // the command line's defaults before (picocli's strings in ProfileJob.Cli) ...
    assertThat(s.bootstrapServers()).isEqualTo("localhost:9092");
    assertThat(s.checkpointDir()).isEqualTo(Path.of("var/checkpoints").toAbsolutePath().toUri()
        .toString());
    assertThat(s.resume()).isTrue();
    assertThat(s.replayFromStart()).isFalse();
    assertThat(s.eventsFile()).isNull();
    assertThat(s.bounded()).isFalse();
    assertThat(s.parallelism()).isEqualTo(1);
    assertThat(s.checkpointInterval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(s.materializeInterval()).isEqualTo(Duration.ofSeconds(180));
    assertThat(s.publishInterval()).isEqualTo(Duration.ofMillis(1000));
    assertThat(s.ownPublishInterval()).isEqualTo(Duration.ofMillis(100));
    assertThat(s.merchantBundles()).isEqualTo(new JobSettings.Bundling(1000,
        Duration.ofMillis(50)));
    assertThat(s.kafkaClient()).isEmpty();
    // ... and JobSettings.defaults' own values that are not options
    assertThat(s.topics()).isEqualTo(new JobSettings.Topics("vigil.events", "vigil.profiles",
        "vigil.events.dead-letters", "vigil-profile-job"));
    assertThat(s.maxOutOfOrderness()).isEqualTo(Duration.ofSeconds(5));
    assertThat(s.idleness()).isEqualTo(Duration.ofSeconds(30));
    assertThat(s.idleTtl()).isEqualTo(Duration.ofDays(400));
    assertThat(s.profiles()).isEqualTo(ProfileSettings.DEFAULT);
    assertThat(s.clock()).isEqualTo(Clock.systemUTC());
    assertThat(s).isEqualTo(JobSettings.defaults("localhost:9092", "var/checkpoints"));
  }

  @Test
  void everyOldOptionStillWorks(@TempDir Path dir) throws Exception {
    Set<String> keys = JobSettings.SETTINGS.all().stream().map(Setting::key)
        .collect(Collectors.toSet());
    assertThat(keys).containsAll(OLD_OPTIONS);

    Path kafka = dir.resolve("kafka.properties");
    Files.writeString(kafka, "security.protocol=SASL_SSL\nbootstrap.servers=elsewhere:1\n");
    JobSettings s = parse("--bootstrap-servers", "kafka:9093", "--kafka-properties",
        kafka.toString(), "--checkpoints", "s3://bank/checkpoints", "--no-resume",
        "--replay-from-start", "--events-file", "events.jsonl", "--bounded", "--parallelism",
        "4", "--checkpoint-interval-seconds", "2", "--materialize-interval-seconds=0",
        "--publish-interval-ms", "0", "--own-publish-interval-ms", "50",
        "--merchant-bundle-events", "0", "--merchant-bundle-ms", "0");
    assertThat(s.bootstrapServers()).isEqualTo("kafka:9093");
    assertThat(s.kafkaClient()).isEqualTo(Map.of("security.protocol", "SASL_SSL"));
    assertThat(s.kafka().getProperty("bootstrap.servers")).isEqualTo("kafka:9093");
    assertThat(s.checkpointDir()).isEqualTo("s3://bank/checkpoints");
    assertThat(s.resume()).isFalse();
    assertThat(s.replayFromStart()).isTrue();
    assertThat(s.eventsFile()).isEqualTo(Path.of("events.jsonl"));
    assertThat(s.bounded()).isTrue();
    assertThat(s.parallelism()).isEqualTo(4);
    assertThat(s.checkpointInterval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(s.materializeInterval()).isZero();
    assertThat(s.publishInterval()).isZero();
    assertThat(s.ownPublishInterval()).isEqualTo(Duration.ofMillis(50));
    assertThat(s.merchantBundles()).isEqualTo(JobSettings.Bundling.NONE);
    assertThat(parse("--resume").resume()).isTrue();
  }

  @Test
  void anInvalidValueIsRefusedNamingTheOptionAndTheValue() {
    assertThatThrownBy(() -> parse("--parallelism", "many"))
        .isInstanceOf(SettingException.class)
        .hasMessage("parallelism: \"many\" is not an integer (1 or more)");
    assertThatThrownBy(() -> parse("--publish-interval-ms", "-5"))
        .hasMessage("publish-interval-ms: \"-5\" is not a whole number of milliseconds"
            + " (0 or more)");
    assertThatThrownBy(() -> parse("--merchant-bundle-ms", "0"))
        .hasMessageStartingWith("merchant-bundle-ms: \"0\" with merchant-bundle-events 1000:");
    assertThatThrownBy(() -> JobSettings.defaults("k:1", "file:///c").withParallelism(0))
        .hasMessage("parallelism: \"0\" is not an integer (1 or more)");
    assertThatThrownBy(() -> parse("--checkpoint-interval-seconds", "0"))
        .hasMessage("checkpoint-interval-seconds: \"0\" is not a whole number of seconds"
            + " (1 or more)");
    assertThat(JobSettings.defaults("k:1", "file:///c")
        .withCheckpointInterval(Duration.ofMillis(300)).checkpointInterval())
        .as("code may give a finer interval, as the tests do").isEqualTo(Duration.ofMillis(300));
  }

  @Test
  void anUnknownOptionIsRefusedWithExitCode2() throws Exception {
    var err = new ByteArrayOutputStream();
    int code = withErr(err, () -> ProfileJob.Cli.execute("--paralelism", "2"));
    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("vigil job:"
        + " --paralelism: unknown setting (./vigil job --help lists every setting)\n");
  }

  @Test
  void aMissingPropertiesFileIsOneLineNamingItAndTheOption(@TempDir Path dir) throws Exception {
    Path missing = dir.resolve("no such.properties");
    var err = new ByteArrayOutputStream();
    int code = withErr(err, () -> ProfileJob.Cli.execute("--kafka-properties",
        missing.toString()));
    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("vigil job: kafka-properties: \""
        + missing + "\" cannot be read: no such file; check the path\n");
  }

  @Test
  void helpListsEveryOptionWithItsDefaultAndDescription() throws Exception {
    var out = new ByteArrayOutputStream();
    PrintStream previous = System.out;
    int code;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      code = ProfileJob.Cli.execute("--help");
    } finally {
      System.setOut(previous);
    }
    assertThat(code).isZero();
    String help = out.toString(StandardCharsets.UTF_8);
    assertThat(help).startsWith("Usage: ./vigil job [--option value]...");
    for (Setting<?> s : JobSettings.SETTINGS.all()) {
      assertThat(help).contains("  --" + s.key() + (s.isFlag() ? " | --no-" + s.key()
          : " <" + s.type() + ">") + "\n");
      assertThat(help).contains("      Default: " + s.defaultText() + ".\n");
    }
    assertThat(help).contains("  --parallelism <integer (1 or more)>\n"
        + "      Subtasks per operator when the job runs on its own local MiniCluster;\n"
        + "      submitted with flink run, -p (else the cluster's parallelism.default)\n"
        + "      decides.\n      Default: 1.\n");
  }

  /** docs/settings.md's job section is what the declarations generate. */
  @Test
  void theDocsReferenceIsCurrent() throws Exception {
    Path doc = Path.of("").toAbsolutePath().getParent().resolve("docs/settings.md");
    String wanted = Reference.update(doc, "job", JobSettings.reference(),
        Boolean.getBoolean("vigil.settings.write"));
    assertThat(Files.exists(doc) ? Files.readString(doc) : "")
        .as("docs/settings.md is stale: regenerate it with"
            + " mvn -o -q -pl streaming-job test -Dtest=ProfileJobCliTest"
            + " -Dvigil.settings.write=true")
        .isEqualTo(wanted);
  }

  /** Where the job's section of docs/cli.md starts (the tools' Vigil.JOB_SECTION, the same text). */
  static final String JOB_SECTION = "<!-- ./vigil job: generated by ProfileJobCliTest from"
      + " JobSettings; do not edit by hand -->";

  /**
   * docs/cli.md ends with the job's --help (the vigil script prints it without building); the
   * rest of the page is the tools' CommandReferenceTest's. Regenerate: mvn -o -q -pl
   * streaming-job test -Dtest=ProfileJobCliTest -Dvigil.cli.write=true.
   */
  @Test
  void docsCliMdEndsWithTheJobsHelp() throws Exception {
    Path doc = Path.of("..", "docs", "cli.md");
    String current = Files.exists(doc) ? Files.readString(doc) : "";
    int at = current.indexOf(JOB_SECTION);
    String wanted = (at < 0 ? current : current.substring(0, at)) + JOB_SECTION
        + "\n\n## ./vigil job\n\n```text\n" + JobSettings.help().stripTrailing() + "\n```\n";
    if (Boolean.getBoolean("vigil.cli.write")) {
      Files.writeString(doc, wanted);
    }
    assertThat(current).as("docs/cli.md's job section is stale: regenerate it with"
        + " mvn -o -q -pl streaming-job test -Dtest=ProfileJobCliTest -Dvigil.cli.write=true")
        .isEqualTo(wanted);
  }

  @Test
  void settingsOfAnotherProgramAreRefused() {
    assertThatThrownBy(() -> new JobSettings(
        Settings.of("other", "x.", List.of(JobSettings.PARALLELISM))
            .defaults(), JobSettings.Topics.DEFAULT, Clock.systemUTC(), Map.of()))
        .hasMessageStartingWith("options must be values of JobSettings.SETTINGS");
  }

  interface Run {
    int run() throws Exception;
  }

  static int withErr(ByteArrayOutputStream err, Run run) throws Exception {
    PrintStream previous = System.err;
    try {
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      return run.run();
    } finally {
      System.setErr(previous);
    }
  }
}
