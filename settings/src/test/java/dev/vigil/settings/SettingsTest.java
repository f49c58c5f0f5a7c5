package dev.vigil.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {
  enum Mode { STRICT, LAX }

  static final Setting<Integer> PORT =
      Setting.integer("service.grpc.port", 50051, 1, 65535, "The gRPC port.");
  static final Setting<Long> CACHE = Setting.count("cache-mb", 256, 0, "Block cache, in MiB.");
  static final Setting<Double> BITS = Setting.decimal("bloom-bits", 10, 0, "Bloom filter bits.");
  static final Setting<Boolean> RESUME = Setting.flag("resume", true, "Resume | or not.");
  static final Setting<String> HOST = Setting.text("host", "localhost:9092", "Kafka.");
  static final Setting<Path> DIR = Setting.path("dir", Path.of("var/x"), "Where.");
  static final Setting<Path> POLICY =
      Setting.optionalPath("policy", "<dir>/policy.yaml", "The policy file.");
  static final Setting<Duration> SYNC =
      Setting.millis("sync-ms", Duration.ofMillis(100), Duration.ofMillis(1), "Sync.");
  static final Setting<Duration> EVERY =
      Setting.seconds("every-seconds", Duration.ofSeconds(10), Duration.ZERO, "Every.");
  static final Setting<Mode> MODE = Setting.oneOf("mode", Mode.STRICT,
      orderedOf("strict", Mode.STRICT, "lax", Mode.LAX), "Mode.");

  static final Settings ALL = Settings.of("test-program", "Does a test.",
      List.of(PORT, CACHE, BITS, RESUME, HOST), List.of(DIR, POLICY, SYNC, EVERY, MODE));

  static <T> Map<String, T> orderedOf(String k1, T v1, String k2, T v2) {
    var m = new LinkedHashMap<String, T>();
    m.put(k1, v1);
    m.put(k2, v2);
    return m;
  }

  @Test
  void eachTypeReadsItsValues() {
    Values v = ALL.parse(Map.of("service.grpc.port", " 8080 ", "cache-mb", "0",
        "bloom-bits", "7.5", "resume", "FALSE", "host", "kafka:9093", "dir", "/tmp/d",
        "policy", "/etc/p.yaml", "sync-ms", "250", "every-seconds", "0", "mode", "Lax"));
    assertThat(v.get(PORT)).isEqualTo(8080);
    assertThat(v.get(CACHE)).isEqualTo(0L);
    assertThat(v.get(BITS)).isEqualTo(7.5);
    assertThat(v.get(RESUME)).isFalse();
    assertThat(v.get(HOST)).isEqualTo("kafka:9093");
    assertThat(v.get(DIR)).isEqualTo(Path.of("/tmp/d"));
    assertThat(v.get(POLICY)).isEqualTo(Path.of("/etc/p.yaml"));
    assertThat(v.get(SYNC)).isEqualTo(Duration.ofMillis(250));
    assertThat(v.get(EVERY)).isEqualTo(Duration.ZERO);
    assertThat(v.get(MODE)).isEqualTo(Mode.LAX);
  }

  @Test
  void unsetSettingsTakeTheirDefaults() {
    Values v = ALL.defaults();
    assertThat(v.get(PORT)).isEqualTo(50051);
    assertThat(v.get(CACHE)).isEqualTo(256L);
    assertThat(v.get(BITS)).isEqualTo(10.0);
    assertThat(v.get(RESUME)).isTrue();
    assertThat(v.get(DIR)).isEqualTo(Path.of("var/x"));
    assertThat(v.get(POLICY)).isNull();
    assertThat(v.get(SYNC)).isEqualTo(Duration.ofMillis(100));
    assertThat(v.get(EVERY)).isEqualTo(Duration.ofSeconds(10));
    assertThat(v.get(MODE)).isEqualTo(Mode.STRICT);
    assertThat(ALL.parse(Map.of("policy", " ")).get(POLICY)).as("blank unsets").isNull();
  }

  @Test
  void anInvalidValueIsRefusedNamingTheKeyAndTheValue() {
    assertThatThrownBy(() -> ALL.parse(Map.of("service.grpc.port", "abc")))
        .isInstanceOf(SettingException.class)
        .hasMessage("service.grpc.port: \"abc\" is not an integer (1-65535)");
    assertThatThrownBy(() -> ALL.parse(Map.of("service.grpc.port", "0")))
        .hasMessage("service.grpc.port: \"0\" is not an integer (1-65535)");
    assertThatThrownBy(() -> ALL.parse(Map.of("cache-mb", "-1")))
        .hasMessage("cache-mb: \"-1\" is not an integer (0 or more)");
    assertThatThrownBy(() -> ALL.parse(Map.of("bloom-bits", "NaN")))
        .hasMessage("bloom-bits: \"NaN\" is not a number (0 or more)");
    assertThatThrownBy(() -> ALL.parse(Map.of("resume", "yes")))
        .hasMessage("resume: \"yes\" is not true or false");
    assertThatThrownBy(() -> ALL.parse(Map.of("host", " ")))
        .hasMessage("host: \" \" is not a non-blank text");
    assertThatThrownBy(() -> ALL.parse(Map.of("sync-ms", "0")))
        .hasMessage("sync-ms: \"0\" is not a whole number of milliseconds (1 or more)");
    assertThatThrownBy(() -> ALL.parse(Map.of("every-seconds", "1.5")))
        .hasMessage("every-seconds: \"1.5\" is not a whole number of seconds (0 or more)");
    assertThatThrownBy(() -> ALL.parse(Map.of("mode", "loose")))
        .hasMessage("mode: \"loose\" is not one of strict, lax");
  }

  @Test
  void aValueGivenInCodeIsCheckedAsAParsedOneIs() {
    Values v = ALL.defaults().with(PORT, 443);
    assertThat(v.get(PORT)).isEqualTo(443);
    assertThat(v).isEqualTo(ALL.parse(Map.of("service.grpc.port", "443")));
    assertThatThrownBy(() -> ALL.defaults().with(PORT, 70000))
        .hasMessage("service.grpc.port: \"70000\" is not an integer (1-65535)");
    assertThatThrownBy(() -> ALL.defaults().with(Setting.flag("other", false, "x"), true))
        .hasMessageContaining("other: not one of these settings");
  }

  @Test
  void anUnknownKeyIsRefusedNamingIt() {
    assertThatThrownBy(() -> ALL.parse(Map.of("service.grpc.prot", "1")))
        .isInstanceOf(SettingException.class)
        .hasMessage("service.grpc.prot: unknown setting (test-program --help lists every"
            + " setting)");
    assertThatThrownBy(() -> ALL.arguments("--prot", "1"))
        .hasMessageStartingWith("--prot: unknown setting");
  }

  @Test
  void aDefaultThatIsNotValidIsRefusedAtTheDeclaration() {
    assertThatThrownBy(() -> Setting.integer("n", 0, 1, 10, "N."))
        .hasMessage("n: the default 0 is not an integer (1-10)");
  }

  @Test
  void aKeyDeclaredTwiceIsRefused() {
    assertThatThrownBy(() -> Settings.of("p", "s.", List.of(PORT, PORT)))
        .hasMessage("service.grpc.port: declared twice in p");
  }

  @Test
  void commandLinesGiveValuesFlagsAndPositionalWords() {
    var a = ALL.arguments("config.properties", "--service.grpc.port", "1", "--cache-mb=2",
        "--no-resume", "--mode=lax");
    assertThat(a.given()).containsExactly(Map.entry("service.grpc.port", "1"),
        Map.entry("cache-mb", "2"), Map.entry("resume", "false"), Map.entry("mode", "lax"));
    assertThat(a.positional()).containsExactly("config.properties");
    assertThat(a.help()).isFalse();
    assertThat(ALL.arguments("--resume").given()).containsExactly(Map.entry("resume", "true"));
    assertThat(ALL.arguments("--resume=false").given())
        .containsExactly(Map.entry("resume", "false"));
    assertThat(ALL.arguments("-h").help()).isTrue();
    assertThat(ALL.arguments("--help").help()).isTrue();
    assertThatThrownBy(() -> ALL.arguments("--cache-mb"))
        .hasMessage("--cache-mb: a value is needed (integer (0 or more))");
    assertThatThrownBy(() -> ALL.arguments("--no-cache-mb"))
        .hasMessageStartingWith("--no-cache-mb: unknown setting");
  }

  @Test
  void theEnvironmentGivesDeclaredKeysOnly() {
    assertThat(Settings.environmentName("vigil.kafka.bootstrap-servers"))
        .isEqualTo("VIGIL_KAFKA_BOOTSTRAP_SERVERS");
    assertThat(ALL.environment(Map.of("SERVICE_GRPC_PORT", "7", "CACHE_MB", " ",
        "VIGIL_HOME", "/opt/vigil"))).containsExactly(Map.entry("service.grpc.port", "7"));
  }

  @Test
  void theEnvironmentNameOfAKeyIgnoresTheDefaultLocale() {
    Locale previous = Locale.getDefault();
    try {
      Locale.setDefault(Locale.forLanguageTag("tr")); // where "i".toUpperCase() is not "I"
      assertThat(Settings.environmentName("vigil.ingest.dedupe-retention-days"))
          .isEqualTo("VIGIL_INGEST_DEDUPE_RETENTION_DAYS");
      assertThat(ALL.parse(Map.of("resume", "TRUE")).get(RESUME)).isTrue();
      assertThat(ALL.parse(Map.of("mode", "LAX")).get(MODE)).isEqualTo(Mode.LAX);
    } finally {
      Locale.setDefault(previous);
    }
  }

  @Test
  void propertiesFilesAreReadKeyToText(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("c.properties");
    Files.writeString(file, "# a comment\nservice.grpc.port = 9000\nmode=lax\n");
    assertThat(Settings.properties(file)).containsOnly(Map.entry("service.grpc.port", "9000"),
        Map.entry("mode", "lax"));
  }

  @Test
  void aPropertiesFileASettingNamesIsReadOrRefusedNamingTheSettingAndTheFile(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("client.properties");
    Files.writeString(file, "security.protocol=SSL\n");
    assertThat(Settings.properties(POLICY, file)).containsOnly(
        Map.entry("security.protocol", "SSL"));
    Path missing = dir.resolve("missing.properties");
    assertThatThrownBy(() -> Settings.properties(POLICY, missing))
        .isInstanceOf(SettingException.class)
        .hasMessageStartingWith("policy: \"" + missing + "\" cannot be read: ");
  }

  @Test
  void helpListsEverySettingWithTypeDefaultAndDescription() {
    String help = ALL.help("[--option value]...", "--", "");
    assertThat(help).startsWith("Usage: test-program [--option value]...\n\nDoes a test.\n")
        .contains("  --service.grpc.port <integer (1-65535)>\n"
            + "      The gRPC port.\n      Default: 50051.\n")
        .contains("  --resume | --no-resume\n")
        .contains("  --policy <path>\n      The policy file.\n      Default: <dir>/policy.yaml.\n")
        .contains("  --mode <strict | lax>\n      Mode.\n      Default: strict.\n");
    for (Setting<?> s : ALL.all()) {
      assertThat(help).contains("--" + s.key());
    }
  }

  @Test
  void theReferenceIsATableOfEverySetting() {
    assertThat(ALL.reference("")).startsWith("| Key | Type | Default | Description |\n"
            + "|---|---|---|---|\n"
            + "| `service.grpc.port` | integer (1-65535) | 50051 | The gRPC port. |\n")
        .contains("| `resume` | boolean | true | Resume \\| or not. |\n")
        .contains("| `sync-ms` | milliseconds (1 or more) | 100 | Sync. |\n")
        .contains("| `mode` | strict \\| lax | strict | Mode. |\n");
  }

  @Test
  void aReferenceSectionIsReplacedInPlaceOrAppended(@TempDir Path dir) throws Exception {
    String doc = "# Settings\n\nIntro.\n";
    String one = Reference.withSection(doc, "job", "| a |\n");
    assertThat(one).isEqualTo("# Settings\n\nIntro.\n\n<!-- BEGIN generated: job -->\n"
        + "| a |\n<!-- END generated: job -->\n");
    String two = Reference.withSection(one + "\nAfter.\n", "job", "| b |\n");
    assertThat(two).isEqualTo("# Settings\n\nIntro.\n\n<!-- BEGIN generated: job -->\n"
        + "| b |\n<!-- END generated: job -->\n\nAfter.\n");
    assertThat(Reference.withSection(two, "job", "| b |\n")).isEqualTo(two);

    Path file = dir.resolve("settings.md");
    Files.writeString(file, one);
    assertThat(Reference.update(file, "job", "| b |\n", false)).isNotEqualTo(one);
    assertThat(Files.readString(file)).as("not rewritten unless asked").isEqualTo(one);
    String wanted = Reference.update(file, "job", "| b |\n", true);
    assertThat(Files.readString(file)).isEqualTo(wanted);
  }
}
