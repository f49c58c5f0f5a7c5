package dev.vigil.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.scoring.access.ServerTls;
import dev.vigil.scoring.audit.AuditSpool.WhenFull;
import dev.vigil.scoring.ops.MetricsTls;
import dev.vigil.settings.Reference;
import dev.vigil.settings.Setting;
import dev.vigil.settings.SettingException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The service's settings: declared once, read from a file, the environment and options. */
class ServiceConfigTest {
  /**
   * Every key the service accepted before its settings were declared, with the default it had
   * (ServiceConfig.from, as it was): the declarations must keep them all.
   */
  static final Map<String, String> OLD_DEFAULTS = Map.ofEntries(
      Map.entry("vigil.access.roles-file", "var/tls/roles.yaml"),
      Map.entry("vigil.audit.spool-max-mb", "1024"),
      Map.entry("vigil.audit.sync-ms", "100"),
      Map.entry("vigil.audit.token-key-file", ""),
      Map.entry("vigil.audit.when-full", "refuse"),
      Map.entry("vigil.bind-address", "127.0.0.1"),
      Map.entry("vigil.drift.window", "10000"),
      Map.entry("vigil.grpc.reflection", "false"),
      Map.entry("vigil.grpc.threads", "0"),
      Map.entry("vigil.grpc.tls", "mutual"),
      Map.entry("vigil.health.max-lag-records", "10000"),
      Map.entry("vigil.ingest.dedupe-retention-days", "7"),
      Map.entry("vigil.ingest.kafka-timeout-ms", "10000"),
      Map.entry("vigil.kafka.bootstrap-servers", "localhost:9092"),
      Map.entry("vigil.kafka.client-properties-file", ""),
      Map.entry("vigil.metrics.bind-address", "127.0.0.1"),
      Map.entry("vigil.metrics.port", "9464"),
      Map.entry("vigil.metrics.tls", "auto"),
      Map.entry("vigil.models.allow-missing", "false"),
      Map.entry("vigil.models.poll-ms", "5000"), // the registry watch's fixed 5 s
      Map.entry("vigil.models.registry", "var/models"),
      Map.entry("vigil.policy.file", ""),
      Map.entry("vigil.policy.poll-ms", "2000"),
      Map.entry("vigil.port", "50051"),
      Map.entry("vigil.scoring.stand-in-margin-ms", "3"),
      Map.entry("vigil.state-dir", "var/service"),
      Map.entry("vigil.store.block-cache-mb", "256"),
      Map.entry("vigil.store.bloom-bits-per-key", "10"),
      Map.entry("vigil.store.hot-profiles", "20000"),
      Map.entry("vigil.tls.cert-file", "var/tls/server.pem"),
      Map.entry("vigil.tls.client-ca-file", "var/tls/ca.pem"),
      Map.entry("vigil.tls.key-file", "var/tls/server.key"),
      Map.entry("vigil.tls.reload-ms", "60000"),
      Map.entry("vigil.topics.decisions", "vigil.decisions"),
      Map.entry("vigil.topics.events", "vigil.events"),
      Map.entry("vigil.topics.profiles", "vigil.profiles"),
      Map.entry("vigil.topics.lists", "vigil.lists"),
      Map.entry("vigil.lists.kafka-timeout-ms", "10000"));

  @Test
  void everyOldKeyIsDeclaredWithItsOldDefault() {
    Set<String> keys = ServiceConfig.SETTINGS.all().stream().map(Setting::key)
        .collect(Collectors.toSet());
    assertThat(keys).isEqualTo(OLD_DEFAULTS.keySet());
    for (Setting<?> s : ServiceConfig.SETTINGS.all()) {
      String old = OLD_DEFAULTS.get(s.key());
      assertThat(old.isEmpty() ? null : s.parse(old)).as(s.key()).isEqualTo(s.defaultValue());
    }
  }

  @Test
  void theDefaultsAreTheOldOnes() throws Exception {
    ServiceConfig c = ServiceConfig.load(null, Map.of());
    assertThat(c.network()).isEqualTo(new ServiceConfig.Network(50051, "127.0.0.1", 0, false,
        true, new ServerTls.PemFiles(Path.of("var/tls/server.pem"), Path.of("var/tls/server.key"),
            Path.of("var/tls/ca.pem"), Duration.ofMillis(60000)), Path.of("var/tls/roles.yaml"),
        9464, "127.0.0.1", MetricsTls.AUTO));
    assertThat(c.kafka()).isEqualTo(new ServiceConfig.Kafka("localhost:9092", "vigil.events",
        "vigil.profiles", "vigil.decisions", new Properties(), Duration.ofMillis(10000)));
    assertThat(c.store()).isEqualTo(new ServiceConfig.Store(Path.of("var/service"), 256L << 20,
        10.0, 20000, 7, 10000));
    assertThat(c.audit()).isEqualTo(new ServiceConfig.Audit(1024L << 20, WhenFull.REFUSE,
        Duration.ofMillis(100), Path.of("var/service/audit-token.key")));
    assertThat(c.decisions()).isEqualTo(new ServiceConfig.Decisions(Path.of("var/models"),
        false, null, 2000, Duration.ofMillis(3), 10000, Duration.ofMillis(5000)));
    assertThat(c.kafka().properties()).containsOnly(Map.entry("bootstrap.servers",
        "localhost:9092"));
  }

  @Test
  void theEnvironmentOverridesTheFileAndOptionsOverrideBoth(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("service.properties");
    Files.writeString(file, "vigil.port=1000\nvigil.metrics.port=2000\nvigil.grpc.tls=OFF\n"
        + "vigil.state-dir=/srv/vigil\n");
    ServiceConfig c = ServiceConfig.load(file, Map.of("VIGIL_PORT", "1001",
        "VIGIL_METRICS_PORT", " ", "VIGIL_HOME", "/opt/vigil"), Map.of("vigil.port", "1002"));
    assertThat(c.network().port()).isEqualTo(1002);
    assertThat(c.network().metricsPort()).as("a blank variable is not read").isEqualTo(2000);
    assertThat(c.network().tls()).isFalse();
    assertThat(c.audit().tokenKeyFile()).as("under the state directory, as configured")
        .isEqualTo(Path.of("/srv/vigil/audit-token.key"));
  }

  @Test
  void anInvalidValueIsRefusedNamingTheKeyAndTheValue(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> ServiceConfig.load(null, Map.of("VIGIL_PORT", "abc")))
        .isInstanceOf(SettingException.class)
        .hasMessage("vigil.port: \"abc\" is not an integer (0-65535)");
    assertThatThrownBy(() -> ServiceConfig.load(null, Map.of("VIGIL_GRPC_TLS", "on")))
        .hasMessage("vigil.grpc.tls: \"on\" is not one of mutual, off");
    assertThatThrownBy(() -> ServiceConfig.load(null, Map.of("VIGIL_AUDIT_WHEN_FULL", "drop")))
        .hasMessage("vigil.audit.when-full: \"drop\" is not one of refuse, count");
    assertThatThrownBy(() -> ServiceConfig.load(null, Map.of("VIGIL_MODELS_ALLOW_MISSING",
        "yes"))).hasMessage("vigil.models.allow-missing: \"yes\" is not true or false");
    Path missing = dir.resolve("no-such.properties");
    assertThatThrownBy(() -> ServiceConfig.load(null,
        Map.of("VIGIL_KAFKA_CLIENT_PROPERTIES_FILE", missing.toString())))
        .hasMessageStartingWith("vigil.kafka.client-properties-file: \"" + missing
            + "\" cannot be read");
  }

  @Test
  void anUnknownKeyInTheFileOrOnTheCommandLineIsRefusedNamingIt(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("service.properties");
    Files.writeString(file, "vigil.prot=50051\n");
    assertThatThrownBy(() -> ServiceConfig.load(file, Map.of()))
        .isInstanceOf(SettingException.class)
        .hasMessage("vigil.prot: unknown setting (vigil-service --help lists every"
            + " setting)");
    assertThatThrownBy(() -> ServiceConfig.SETTINGS.arguments("--vigil.prot=1"))
        .hasMessageStartingWith("--vigil.prot: unknown setting");
  }

  @Test
  void helpListsEverySettingAndExitsWithoutStarting() throws Exception {
    var out = new ByteArrayOutputStream();
    PrintStream previous = System.out;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      ScoringServer.main(new String[] {"--help"});
    } finally {
      System.setOut(previous);
    }
    String help = out.toString(StandardCharsets.UTF_8);
    assertThat(help).startsWith("Usage: vigil-service [config.properties]");
    for (Setting<?> s : ServiceConfig.SETTINGS.all()) {
      assertThat(help).contains("  " + s.key() + " <" + s.type() + ">\n");
    }
    assertThat(help).contains("      The gRPC port (0: any free port).\n      Default: 50051.\n");
  }

  /** docs/settings.md's service section is what the declarations generate. */
  @Test
  void theDocsReferenceIsCurrent() throws Exception {
    Path doc = Path.of("").toAbsolutePath().getParent().resolve("docs/settings.md");
    String wanted = Reference.update(doc, "service", ServiceConfig.reference(),
        Boolean.getBoolean("vigil.settings.write"));
    assertThat(Files.exists(doc) ? Files.readString(doc) : "")
        .as("docs/settings.md is stale: regenerate it with"
            + " mvn -o -q -pl scoring-service test -Dtest=ServiceConfigTest"
            + " -Dvigil.settings.write=true")
        .isEqualTo(wanted);
  }
}
