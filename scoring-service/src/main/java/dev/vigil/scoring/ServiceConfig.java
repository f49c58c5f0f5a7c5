package dev.vigil.scoring;

import dev.vigil.scoring.access.ServerTls;
import dev.vigil.scoring.audit.AuditSpool.WhenFull;
import dev.vigil.scoring.ops.MetricsTls;
import dev.vigil.settings.Setting;
import dev.vigil.settings.SettingException;
import dev.vigil.settings.Settings;
import dev.vigil.settings.Values;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The service's configuration, in five groups: its ports and who may call them ({@link
 * Network}), Kafka ({@link Kafka}), the online store ({@link Store}), the audit trail ({@link
 * Audit}) and what decides ({@link Decisions}). Every setting is declared once, in its group
 * ({@link #SETTINGS}: key, type, default, description); the declarations drive parsing, the
 * errors a bad value gets, {@code --help} and docs/settings.md.
 *
 * <p>Values come from a properties file, then environment variables named after the keys
 * ({@code vigil.kafka.bootstrap-servers} → {@code VIGIL_KAFKA_BOOTSTRAP_SERVERS}), then
 * command-line options ({@code --vigil.port=50052}), each overriding the one before. A key the
 * file or the command line gives that is not declared is refused, naming it; an environment
 * variable that names no key is not read.
 *
 * @param network the gRPC and metrics ports, TLS and roles
 * @param kafka the brokers, the topics and the clients' properties
 * @param store the online store and the ingest ledger under the state directory
 * @param audit the audit spool and the tokens audit records carry
 * @param decisions the models, the policy and the drift monitor
 * @param lists the allow and block lists' topic
 */
public record ServiceConfig(Network network, Kafka kafka, Store store, Audit audit,
    Decisions decisions, Lists lists) {
  /** What {@code --help} says after the summary: where values come from. */
  static final String SOURCES = "Settings come from the properties file, then from environment"
      + " variables named after the keys (vigil.kafka.bootstrap-servers:"
      + " VIGIL_KAFKA_BOOTSTRAP_SERVERS), then from --key=value options, each overriding the one"
      + " before. A key that is not listed here is refused.";

  /**
   * The gRPC and metrics ports and who may call them.
   *
   * @param tls mutual TLS on the gRPC port (false: plaintext, loopback only)
   * @param metricsPort -1: no /metrics
   * @param metricsTls plain HTTP or mutual TLS for /metrics (plain on loopback only)
   */
  public record Network(int port, String bindAddress, int grpcThreads, boolean reflection,
      boolean tls, ServerTls.PemFiles tlsFiles, Path rolesFile, int metricsPort,
      String metricsBindAddress, MetricsTls metricsTls) {
    public static final Setting<Integer> PORT = Setting.integer("vigil.port", 50051, 0, 65535,
        "The gRPC port (0: any free port).");
    public static final Setting<String> BIND_ADDRESS = Setting.text("vigil.bind-address",
        "127.0.0.1", "The address the gRPC port listens on (0.0.0.0: every interface).");
    public static final Setting<Integer> GRPC_THREADS = Setting.integer("vigil.grpc.threads", 0,
        0, Integer.MAX_VALUE, "Threads calls run on, work-stealing (0: one per core).");
    public static final Setting<Boolean> REFLECTION = Setting.flag("vigil.grpc.reflection",
        false, "gRPC server reflection (./vigil up turns it on, for newcomers).");
    public static final Setting<Boolean> TLS = Setting.oneOf("vigil.grpc.tls", true,
        ordered("mutual", true, "off", false), "mutual: the server presents vigil.tls.cert-file"
            + " and clients identify themselves with certificates issued by"
            + " vigil.tls.client-ca-file; off: plaintext, refused unless the bind address is a"
            + " loopback one (for benchmarks).");
    public static final Setting<Path> CERT_FILE = Setting.path("vigil.tls.cert-file",
        Path.of("var/tls/server.pem"), "The server's certificate chain (PEM; ./vigil tls init"
            + " writes it).");
    public static final Setting<Path> KEY_FILE = Setting.path("vigil.tls.key-file",
        Path.of("var/tls/server.key"), "The server's private key (PEM).");
    public static final Setting<Path> CLIENT_CA_FILE = Setting.path("vigil.tls.client-ca-file",
        Path.of("var/tls/ca.pem"), "The certificate authority that issues clients'"
            + " certificates (PEM).");
    public static final Setting<Duration> TLS_RELOAD = Setting.millis("vigil.tls.reload-ms",
        Duration.ofMillis(60000), Duration.ofMillis(1), "How often the TLS files are reread.");
    public static final Setting<Path> ROLES_FILE = Setting.path("vigil.access.roles-file",
        Path.of("var/tls/roles.yaml"), "Who may call what: client identity to roles (YAML;"
            + " reread on change).");
    public static final Setting<Integer> METRICS_PORT = Setting.integer("vigil.metrics.port",
        9464, -1, 65535, "The port of /metrics (-1: no metrics; 0: any free port).");
    public static final Setting<String> METRICS_BIND_ADDRESS =
        Setting.text("vigil.metrics.bind-address", "127.0.0.1", "The address /metrics listens"
            + " on (0.0.0.0: every interface).");
    public static final Setting<MetricsTls> METRICS_TLS = Setting.oneOf("vigil.metrics.tls",
        MetricsTls.AUTO, ordered("auto", MetricsTls.AUTO, "mutual", MetricsTls.MUTUAL, "off",
            MetricsTls.OFF), "auto: plain HTTP on a loopback vigil.metrics.bind-address, HTTPS"
            + " on any other; mutual: HTTPS everywhere; off: plain HTTP, refused unless the bind"
            + " address is a loopback one. HTTPS presents vigil.tls.cert-file, requires a client"
            + " certificate issued by vigil.tls.client-ca-file (reread as the gRPC port's are),"
            + " whose identity holds the metrics role in vigil.access.roles-file.");
    static final List<Setting<?>> SETTINGS = List.of(PORT, BIND_ADDRESS, GRPC_THREADS,
        REFLECTION, TLS, CERT_FILE, KEY_FILE, CLIENT_CA_FILE, TLS_RELOAD, ROLES_FILE,
        METRICS_PORT, METRICS_BIND_ADDRESS, METRICS_TLS);

    static Network of(Values v) {
      return new Network(v.get(PORT), v.get(BIND_ADDRESS), v.get(GRPC_THREADS),
          v.get(REFLECTION), v.get(TLS), new ServerTls.PemFiles(v.get(CERT_FILE),
              v.get(KEY_FILE), v.get(CLIENT_CA_FILE), v.get(TLS_RELOAD)),
          v.get(ROLES_FILE), v.get(METRICS_PORT), v.get(METRICS_BIND_ADDRESS),
          v.get(METRICS_TLS));
    }
  }

  /**
   * Kafka: the brokers, the service's topics and what every client of the service is given.
   *
   * @param client the properties of {@code vigil.kafka.client-properties-file} (none when unset)
   * @param ingestTimeout how long Publish waits for the events topic before answering
   *     UNAVAILABLE
   */
  public record Kafka(String bootstrapServers, String eventsTopic, String profilesTopic,
      String decisionsTopic, Properties client, Duration ingestTimeout) {
    public static final Setting<String> BOOTSTRAP_SERVERS =
        Setting.text("vigil.kafka.bootstrap-servers", "localhost:9092", "Kafka's bootstrap"
            + " servers.");
    public static final Setting<Path> CLIENT_PROPERTIES_FILE =
        Setting.optionalPath("vigil.kafka.client-properties-file", "(none)", "Properties every"
            + " Kafka client of the service is given (security.protocol=SASL_SSL, sasl.*, ssl.*:"
            + " docs/security.md); they may not name other servers.");
    public static final Setting<String> EVENTS_TOPIC = Setting.text("vigil.topics.events",
        "vigil.events", "The topic Publish writes events to.");
    public static final Setting<String> PROFILES_TOPIC = Setting.text("vigil.topics.profiles",
        "vigil.profiles", "The compacted topic the store is materialised from.");
    public static final Setting<String> DECISIONS_TOPIC = Setting.text("vigil.topics.decisions",
        "vigil.decisions", "The topic audit records go to.");
    public static final Setting<Duration> INGEST_TIMEOUT =
        Setting.millis("vigil.ingest.kafka-timeout-ms", Duration.ofMillis(10000),
            Duration.ofMillis(1), "How long Publish waits for the events topic before answering"
                + " UNAVAILABLE.");
    static final List<Setting<?>> SETTINGS = List.of(BOOTSTRAP_SERVERS, CLIENT_PROPERTIES_FILE,
        EVENTS_TOPIC, PROFILES_TOPIC, DECISIONS_TOPIC, INGEST_TIMEOUT);

    static Kafka of(Values v) {
      return new Kafka(v.get(BOOTSTRAP_SERVERS), v.get(EVENTS_TOPIC), v.get(PROFILES_TOPIC),
          v.get(DECISIONS_TOPIC), client(v.get(CLIENT_PROPERTIES_FILE)), v.get(INGEST_TIMEOUT));
    }

    /**
     * The Kafka client settings every client of the service starts from: the bootstrap servers
     * and the client properties file's settings (which may not name other servers).
     */
    public Properties properties() {
      var p = new Properties();
      p.putAll(client);
      p.put("bootstrap.servers", bootstrapServers);
      return p;
    }

    /** The properties in {@code file}; none when it is null. */
    static Properties client(Path file) {
      var p = new Properties();
      if (file != null) {
        p.putAll(Settings.properties(CLIENT_PROPERTIES_FILE, file));
      }
      return p;
    }
  }

  /**
   * The online store and the ingest ledger, under the state directory.
   *
   * @param blockCacheBytes RocksDB's block cache
   * @param hotProfiles decoded merchant profiles kept in memory
   * @param maxLagRecords readiness is NOT_SERVING while the store lags the profiles topic by more
   */
  public record Store(Path stateDir, long blockCacheBytes, double bloomBitsPerKey,
      long hotProfiles, int dedupeRetentionDays, long maxLagRecords) {
    public static final Setting<Path> STATE_DIR = Setting.path("vigil.state-dir",
        Path.of("var/service"), "Where the service keeps its store, ingest ledger, audit spool"
            + " and (unless configured) its policy and audit token key.");
    public static final Setting<Long> BLOCK_CACHE_MB = Setting.count("vigil.store.block-cache-mb",
        256, 0, "The online store's RocksDB block cache, in MiB.");
    public static final Setting<Double> BLOOM_BITS_PER_KEY =
        Setting.decimal("vigil.store.bloom-bits-per-key", 10, 0, "Bloom filter bits per key of"
            + " the online store.");
    public static final Setting<Long> HOT_PROFILES = Setting.count("vigil.store.hot-profiles",
        20000, 0, "Decoded merchant profiles kept in memory.");
    public static final Setting<Integer> DEDUPE_RETENTION_DAYS =
        Setting.integer("vigil.ingest.dedupe-retention-days", 7, 0, Integer.MAX_VALUE, "How"
            + " long the ingest ledger remembers an event id: Publish answers a repeat within it"
            + " as a duplicate.");
    public static final Setting<Long> MAX_LAG_RECORDS =
        Setting.count("vigil.health.max-lag-records", 10000, 0, "Readiness is NOT_SERVING while"
            + " the store lags the profiles topic by more records than this.");
    static final List<Setting<?>> SETTINGS = List.of(STATE_DIR, BLOCK_CACHE_MB,
        BLOOM_BITS_PER_KEY, HOT_PROFILES, DEDUPE_RETENTION_DAYS, MAX_LAG_RECORDS);

    static Store of(Values v) {
      return new Store(v.get(STATE_DIR), v.get(BLOCK_CACHE_MB) << 20, v.get(BLOOM_BITS_PER_KEY),
          v.get(HOT_PROFILES), v.get(DEDUPE_RETENTION_DAYS), v.get(MAX_LAG_RECORDS));
    }
  }

  /**
   * The audit trail: records are spooled on disk under {@code <state-dir>/audit-spool} before
   * they reach the decisions topic, and carry keyed tokens, not ids.
   *
   * @param sync how often the spool is forced to disk
   */
  public record Audit(long spoolMaxBytes, WhenFull whenFull, Duration sync, Path tokenKeyFile) {
    public static final Setting<Long> SPOOL_MAX_MB = Setting.count("vigil.audit.spool-max-mb",
        1024, 0, "The most the audit spool holds on disk, in MiB.");
    public static final Setting<WhenFull> WHEN_FULL = Setting.oneOf("vigil.audit.when-full",
        WhenFull.REFUSE, ordered("refuse", WhenFull.REFUSE, "count", WhenFull.COUNT), "What a"
            + " full spool does. refuse: calls are answered UNAVAILABLE, no decision is given"
            + " unrecorded; count: calls are answered and the records not kept are counted.");
    public static final Setting<Duration> SYNC = Setting.millis("vigil.audit.sync-ms",
        Duration.ofMillis(100), Duration.ofMillis(1), "How often the spool is forced to disk.");
    public static final Setting<Path> TOKEN_KEY_FILE =
        Setting.optionalPath("vigil.audit.token-key-file", "<state-dir>/audit-token.key", "The"
            + " key of the tokens audit records carry in place of ids (created on first start"
            + " when missing); replicas must all be given one file, or one account has two"
            + " tokens.");
    static final List<Setting<?>> SETTINGS = List.of(SPOOL_MAX_MB, WHEN_FULL, SYNC,
        TOKEN_KEY_FILE);

    static Audit of(Values v) {
      Path key = v.get(TOKEN_KEY_FILE);
      return new Audit(v.get(SPOOL_MAX_MB) << 20, v.get(WHEN_FULL), v.get(SYNC),
          key != null ? key : v.get(Store.STATE_DIR).resolve("audit-token.key"));
    }
  }

  /**
   * What decides: the models, the policy, the stand-in margin and drift.
   *
   * @param allowMissingModels start while a task has no champion (a demo setting: that task's
   *     score calls then answer FAILED_PRECONDITION)
   * @param policyFile null: {@code <state-dir>/policy.yaml}, created from the bundled default
   *     policy on first start
   * @param standInMargin a score call whose deadline leaves less is given the policy's stand-in
   *     decision unscored
   * @param driftWindow the latest scored requests each task's drift is measured over
   * @param registryPoll how often the registry's roles are reread (another replica's or the
   *     CLI's change is served within it)
   */
  public record Decisions(Path modelRegistry, boolean allowMissingModels, Path policyFile,
      long policyPollMillis, Duration standInMargin, int driftWindow, Duration registryPoll) {
    public static final Setting<Path> MODEL_REGISTRY = Setting.path("vigil.models.registry",
        Path.of("var/models"), "The model registry the service serves from (it never trains"
            + " models itself: ./vigil models defaults does); replicas share one, a directory"
            + " every replica mounts.");
    public static final Setting<Boolean> ALLOW_MISSING_MODELS =
        Setting.flag("vigil.models.allow-missing", false, "Start while a task has no champion"
            + " (a demo setting: that task's score calls then answer FAILED_PRECONDITION);"
            + " otherwise the service refuses to start, naming the task.");
    public static final Setting<Path> POLICY_FILE = Setting.optionalPath("vigil.policy.file",
        "<state-dir>/policy.yaml", "The policy (YAML; reread on change). Unset: created from the"
            + " bundled default policy on first start.");
    public static final Setting<Duration> POLICY_POLL = Setting.millis("vigil.policy.poll-ms",
        Duration.ofMillis(2000), Duration.ofMillis(1), "How often the policy file is checked"
            + " for changes.");
    public static final Setting<Duration> STAND_IN_MARGIN =
        Setting.millis("vigil.scoring.stand-in-margin-ms", Duration.ofMillis(3), Duration.ZERO,
            "A score call whose deadline leaves less than this is given the policy's stand-in"
                + " decision unscored.");
    public static final Setting<Integer> DRIFT_WINDOW = Setting.integer("vigil.drift.window",
        10000, 1, Integer.MAX_VALUE, "Each task's features and score over this many latest"
            + " scored requests are compared with the champion's training population"
            + " (vigil_drift_psi).");
    public static final Setting<Duration> REGISTRY_POLL = Setting.millis("vigil.models.poll-ms",
        Duration.ofMillis(5000), Duration.ofMillis(100), "How often the model registry's roles"
            + " are reread: a change another replica or the CLI makes is served within this.");
    static final List<Setting<?>> SETTINGS = List.of(MODEL_REGISTRY, ALLOW_MISSING_MODELS,
        REGISTRY_POLL, POLICY_FILE, POLICY_POLL, STAND_IN_MARGIN, DRIFT_WINDOW);

    static Decisions of(Values v) {
      return new Decisions(v.get(MODEL_REGISTRY), v.get(ALLOW_MISSING_MODELS),
          v.get(POLICY_FILE), v.get(POLICY_POLL).toMillis(), v.get(STAND_IN_MARGIN),
          v.get(DRIFT_WINDOW), v.get(REGISTRY_POLL));
    }
  }

  /**
   * The allow and block lists: a log every replica reads from the beginning and follows.
   *
   * @param timeout how long a replica waits for the topic at start, and a list change to be
   *     written and read back
   */
  public record Lists(String topic, Duration timeout) {
    public static final Setting<String> TOPIC = Setting.text("vigil.topics.lists", "vigil.lists",
        "The topic of the allow and block lists' changes (one partition, compacted, keyed by"
            + " entry): every replica reads it from the beginning at start and follows it.");
    public static final Setting<Duration> TIMEOUT = Setting.millis("vigil.lists.kafka-timeout-ms",
        Duration.ofMillis(10000), Duration.ofMillis(1), "How long the service waits at start to"
            + " read the lists topic to its end, and how long a list change may take to be"
            + " written and read back before it is answered UNAVAILABLE.");
    static final List<Setting<?>> SETTINGS = List.of(TOPIC, TIMEOUT);

    static Lists of(Values v) {
      return new Lists(v.get(TOPIC), v.get(TIMEOUT));
    }
  }

  /** Every setting of the service, group by group. */
  public static final Settings SETTINGS = Settings.of("vigil-service",
      "The scoring service: scores transactions, deposits and delinquencies over gRPC from the"
          + " profiles the streaming job publishes.",
      Network.SETTINGS, Kafka.SETTINGS, Store.SETTINGS, Audit.SETTINGS, Decisions.SETTINGS,
      Lists.SETTINGS);

  /** The configuration {@code values} (of {@link #SETTINGS}) give. */
  public static ServiceConfig of(Values values) {
    return new ServiceConfig(Network.of(values), Kafka.of(values), Store.of(values),
        Audit.of(values), Decisions.of(values), Lists.of(values));
  }

  /**
   * Reads the configuration: {@code file}'s settings, overridden by the environment's.
   *
   * @param file a properties file, or null
   * @throws SettingException naming the key and the value of a setting that is not declared or
   *     not valid
   */
  public static ServiceConfig load(Path file, Map<String, String> env) throws IOException {
    return load(file, env, Map.of());
  }

  /**
   * As {@link #load(Path, Map)}, then {@code overrides} (key to text: a command line's).
   */
  public static ServiceConfig load(Path file, Map<String, String> env,
      Map<String, String> overrides) throws IOException {
    var given = new LinkedHashMap<String, String>();
    if (file != null) {
      given.putAll(Settings.properties(file));
    }
    given.putAll(SETTINGS.environment(env));
    given.putAll(overrides);
    return of(SETTINGS.parse(given));
  }

  /** What {@code ScoringServer --help} prints. */
  public static String help() {
    return SETTINGS.help("[config.properties] [--key=value]...", "", SOURCES);
  }

  /** The service's section of docs/settings.md. */
  public static String reference() {
    return "## Scoring service\n\n`bin/vigil-service [config.properties] [--key=value]...`"
        + " (the release's launcher of `ScoringServer`; `--help` lists the same). " + SOURCES
        + "\n\n" + SETTINGS.reference("") + "\n";
  }

  private static <T> Map<String, T> ordered(String word, T value, String other, T otherValue) {
    var m = new LinkedHashMap<String, T>();
    m.put(word, value);
    m.put(other, otherValue);
    return m;
  }

  private static <T> Map<String, T> ordered(String word, T value, String second, T secondValue,
      String third, T thirdValue) {
    var m = ordered(word, value, second, secondValue);
    m.put(third, thirdValue);
    return m;
  }
}
