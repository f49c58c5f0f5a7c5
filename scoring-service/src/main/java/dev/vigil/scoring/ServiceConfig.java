package dev.vigil.scoring;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/**
 * The service's configuration: a properties file, each key overridable by an environment variable
 * named after it ({@code vigil.kafka.bootstrap-servers} → {@code VIGIL_KAFKA_BOOTSTRAP_SERVERS}).
 *
 * <p>{@code vigil.policy.file} unset means {@code <state-dir>/policy.yaml}, created from the
 * bundled default policy on first start. The service refuses to start while a task has no
 * champion in {@code vigil.models.registry}, naming the task, unless {@code
 * vigil.models.allow-missing} is true (a demo setting: that task's score calls then answer
 * FAILED_PRECONDITION); it never trains models itself ({@code ./vigil models defaults} does). {@code vigil.metrics.port} -1 turns /metrics off.
 * {@code vigil.grpc.threads} (0: one per core) sizes the pool calls run on.
 *
 * <p>Audit records are spooled on disk under {@code <state-dir>/audit-spool} before they reach
 * the decisions topic: {@code vigil.audit.spool-max-mb} (1024) bounds the spool, {@code
 * vigil.audit.when-full} says what a full spool does ({@code refuse}: calls are answered
 * UNAVAILABLE, no decision is given unrecorded; {@code count}: calls are answered and the records
 * not kept are counted), {@code vigil.audit.sync-ms} (100) is how often the spool is forced to
 * disk. {@code vigil.ingest.kafka-timeout-ms} (10000) bounds how long Publish waits for the events
 * topic before answering UNAVAILABLE. A score call whose deadline leaves less than {@code
 * vigil.scoring.stand-in-margin-ms} (3) is given the policy's stand-in decision unscored. The
 * health service's readiness is NOT_SERVING while the store lags the profiles topic by more than
 * {@code vigil.health.max-lag-records} (10000).
 *
 * <p>Secure by default: the gRPC port listens on {@code vigil.bind-address} and /metrics on
 * {@code vigil.metrics.bind-address}, both 127.0.0.1 unless configured ({@code 0.0.0.0}: every
 * interface); server reflection is off unless {@code vigil.grpc.reflection} is true ({@code
 * ./vigil up} turns it on, for newcomers). Audit records carry keyed tokens, not ids, under the
 * key in {@code vigil.audit.token-key-file} ({@code <state-dir>/audit-token.key}, created on
 * first start).
 *
 * <p>TLS: {@code vigil.grpc.tls} is {@code mutual} (the default: the server presents {@code
 * vigil.tls.cert-file}/{@code vigil.tls.key-file}, clients identify themselves with certificates
 * issued by {@code vigil.tls.client-ca-file}; the files are reread every {@code
 * vigil.tls.reload-ms}, 60000) or {@code off} (plaintext, refused unless the bind address is a
 * loopback one; for benchmarks). Who may call what is in {@code vigil.access.roles-file} (YAML,
 * identity to roles; reread on change). Defaults are the files {@code ./vigil tls init} writes
 * under {@code var/tls}. Every Kafka client of the service is given the properties in {@code
 * vigil.kafka.client-properties-file} (SASL_SSL, mTLS: docs/security.md).
 *
 * <p>Drift: each task's features and score over the latest {@code vigil.drift.window} (10000)
 * scored requests are compared with the champion's training population ({@code vigil_drift_psi}).
 */
public record ServiceConfig(
    int port,
    String bootstrapServers,
    String eventsTopic,
    String profilesTopic,
    Path stateDir,
    long blockCacheBytes,
    double bloomBitsPerKey,
    long hotProfiles,
    int dedupeRetentionDays,
    String decisionsTopic,
    Path modelRegistry,
    boolean allowMissingModels,
    Path policyFile,
    long policyPollMillis,
    int metricsPort,
    int grpcThreads,
    long auditSpoolMaxBytes,
    dev.vigil.scoring.audit.AuditSpool.WhenFull auditWhenFull,
    java.time.Duration auditSync,
    java.time.Duration ingestKafkaTimeout,
    java.time.Duration standInMargin,
    long maxLagRecords,
    String bindAddress,
    String metricsBindAddress,
    boolean reflection,
    Path tokenKeyFile,
    boolean tls,
    dev.vigil.scoring.access.ServerTls.PemFiles tlsFiles,
    Path rolesFile,
    Properties kafkaClient,
    int driftWindow) {

  public static ServiceConfig load(Path file, Map<String, String> env) throws IOException {
    var p = new Properties();
    if (file != null) {
      try (Reader r = Files.newBufferedReader(file)) {
        p.load(r);
      }
    }
    return from(p, env);
  }

  static ServiceConfig from(Properties p, Map<String, String> env) {
    return new ServiceConfig(
        Integer.parseInt(value(p, env, "vigil.port", "50051")),
        value(p, env, "vigil.kafka.bootstrap-servers", "localhost:9092"),
        value(p, env, "vigil.topics.events", "vigil.events"),
        value(p, env, "vigil.topics.profiles", "vigil.profiles"),
        Path.of(value(p, env, "vigil.state-dir", "var/service")),
        Long.parseLong(value(p, env, "vigil.store.block-cache-mb", "256")) << 20,
        Double.parseDouble(value(p, env, "vigil.store.bloom-bits-per-key", "10")),
        Long.parseLong(value(p, env, "vigil.store.hot-profiles", "20000")),
        Integer.parseInt(value(p, env, "vigil.ingest.dedupe-retention-days", "7")),
        value(p, env, "vigil.topics.decisions", "vigil.decisions"),
        Path.of(value(p, env, "vigil.models.registry", "var/models")),
        Boolean.parseBoolean(value(p, env, "vigil.models.allow-missing", "false")),
        optionalPath(value(p, env, "vigil.policy.file", "")),
        Long.parseLong(value(p, env, "vigil.policy.poll-ms", "2000")),
        Integer.parseInt(value(p, env, "vigil.metrics.port", "9464")),
        Integer.parseInt(value(p, env, "vigil.grpc.threads", "0")),
        Long.parseLong(value(p, env, "vigil.audit.spool-max-mb", "1024")) << 20,
        dev.vigil.scoring.audit.AuditSpool.WhenFull.parse(
            value(p, env, "vigil.audit.when-full", "refuse")),
        java.time.Duration.ofMillis(Long.parseLong(value(p, env, "vigil.audit.sync-ms", "100"))),
        java.time.Duration.ofMillis(
            Long.parseLong(value(p, env, "vigil.ingest.kafka-timeout-ms", "10000"))),
        java.time.Duration.ofMillis(
            Long.parseLong(value(p, env, "vigil.scoring.stand-in-margin-ms", "3"))),
        Long.parseLong(value(p, env, "vigil.health.max-lag-records", "10000")),
        value(p, env, "vigil.bind-address", "127.0.0.1"),
        value(p, env, "vigil.metrics.bind-address", "127.0.0.1"),
        Boolean.parseBoolean(value(p, env, "vigil.grpc.reflection", "false")),
        tokenKeyFile(p, env),
        tls(value(p, env, "vigil.grpc.tls", "mutual")),
        new dev.vigil.scoring.access.ServerTls.PemFiles(
            Path.of(value(p, env, "vigil.tls.cert-file", "var/tls/server.pem")),
            Path.of(value(p, env, "vigil.tls.key-file", "var/tls/server.key")),
            Path.of(value(p, env, "vigil.tls.client-ca-file", "var/tls/ca.pem")),
            java.time.Duration.ofMillis(
                Long.parseLong(value(p, env, "vigil.tls.reload-ms", "60000")))),
        Path.of(value(p, env, "vigil.access.roles-file", "var/tls/roles.yaml")),
        kafkaClient(value(p, env, "vigil.kafka.client-properties-file", "")),
        Integer.parseInt(value(p, env, "vigil.drift.window", "10000")));
  }

  private static boolean tls(String mode) {
    return switch (mode) {
      case "mutual" -> true;
      case "off" -> false;
      default -> throw new IllegalArgumentException("vigil.grpc.tls: must be mutual or off, not '"
          + mode + "'");
    };
  }

  /**
   * The Kafka client properties every Kafka client of the service is given (security.protocol,
   * sasl.*, ssl.*...), read from {@code vigil.kafka.client-properties-file}; none when unset.
   */
  static Properties kafkaClient(String file) {
    var p = new Properties();
    if (file.isBlank()) {
      return p;
    }
    try (Reader r = Files.newBufferedReader(Path.of(file))) {
      p.load(r);
    } catch (IOException e) {
      throw new IllegalArgumentException("vigil.kafka.client-properties-file: cannot read "
          + file + ": " + e.getMessage());
    }
    return p;
  }

  /**
   * The Kafka client settings every client of the service starts from: the bootstrap servers
   * and the client properties file's settings (which may not name other servers).
   */
  public Properties kafka() {
    var p = new Properties();
    p.putAll(kafkaClient);
    p.put("bootstrap.servers", bootstrapServers);
    return p;
  }

  /** {@code vigil.audit.token-key-file}, by default {@code <state-dir>/audit-token.key}. */
  private static Path tokenKeyFile(Properties p, Map<String, String> env) {
    String file = value(p, env, "vigil.audit.token-key-file", "");
    return file.isBlank()
        ? Path.of(value(p, env, "vigil.state-dir", "var/service")).resolve("audit-token.key")
        : Path.of(file);
  }

  private static Path optionalPath(String value) {
    return value.isBlank() ? null : Path.of(value);
  }

  private static String value(Properties p, Map<String, String> env, String key, String fallback) {
    String fromEnv = env.get(key.toUpperCase().replace('.', '_').replace('-', '_'));
    if (fromEnv != null && !fromEnv.isBlank()) {
      return fromEnv;
    }
    return p.getProperty(key, fallback);
  }
}
