package dev.vigil.scoring;

import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.features.profile.ProfileCodec;
import dev.vigil.features.profile.ProfileSettings;
import dev.vigil.registry.ModelRegistry;
import dev.vigil.scoring.access.AccessGate;
import dev.vigil.scoring.access.Caller;
import dev.vigil.scoring.access.Role;
import dev.vigil.scoring.access.RoleBook;
import dev.vigil.scoring.access.ServerTls;
import dev.vigil.scoring.audit.AuditLog;
import dev.vigil.scoring.audit.AuditSpool;
import dev.vigil.scoring.audit.EntityTokens;
import dev.vigil.scoring.collections.TreatmentPlanner;
import dev.vigil.scoring.drift.DriftMonitor;
import dev.vigil.scoring.ingest.Ingest;
import dev.vigil.scoring.ingest.IngestLedger;
import dev.vigil.scoring.model.ModelAdministration;
import dev.vigil.scoring.model.ServingModels;
import dev.vigil.scoring.ops.Readiness;
import dev.vigil.scoring.ops.ServiceMetrics;
import dev.vigil.scoring.policy.LiveLists;
import dev.vigil.scoring.policy.LivePolicy;
import dev.vigil.scoring.policy.Policy;
import dev.vigil.scoring.policy.PolicyAdministration;
import dev.vigil.scoring.policy.PolicyProposals;
import dev.vigil.scoring.policy.PolicyVersions;
import dev.vigil.scoring.policy.ShadowPolicies;
import dev.vigil.scoring.profile.ProfileLookup;
import dev.vigil.scoring.reason.ReasonCatalogue;
import dev.vigil.scoring.score.Assessor;
import dev.vigil.scoring.score.Scoring;
import dev.vigil.scoring.store.HotProfiles;
import dev.vigil.scoring.store.ProfileMaterializer;
import dev.vigil.scoring.store.ProfileStore;
import dev.vigil.settings.SettingException;
import dev.vigil.settings.Settings;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scoring service process: its composition root. Opens the online store and keeps it
 * materialised from the profiles topic, opens the ingest ledger and producer, and serves the gRPC
 * services on one port with health checking and server reflection.
 *
 * <p>Wiring, in order: the roles file, the TLS files and the model registry's serving line-up,
 * each checked before anything else is opened (no task may lack a champion unless configured);
 * the online store and its materialiser; the policy file, watched for changes; the audit spool (with its drainer to the decisions
 * topic) and the ingest producer; metrics on their own port; then the gRPC services behind one
 * interceptor chain (metrics timing outermost, then the {@link AccessGate} that checks the
 * caller's role, then the store gate of {@link Readiness}) on a mutual-TLS port ({@link
 * ServerTls}; plaintext only on loopback, when configured), and readiness kept up to date every
 * half second. /metrics is plain HTTP on loopback and HTTPS with a client certificate holding the
 * {@code metrics} role beyond ({@code vigil.metrics.tls}), with the same TLS files.
 */
public final class ScoringServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ScoringServer.class);
  /**
   * The largest request message the server reads (gRPC's default is 4 MiB), as large as the
   * largest record Kafka takes by default: an event over its own limits but under this one is
   * parsed and refused naming its field; a larger message is answered RESOURCE_EXHAUSTED unread.
   */
  public static final int MAX_INBOUND_MESSAGE_BYTES = 1024 * 1024;

  private final Server server;
  private final HealthStatusManager health;
  private final ProfileStore store;
  private final ProfileMaterializer materializer;
  private final IngestLedger ledger;
  private final KafkaProducer<byte[], byte[]> producer;
  private final LivePolicy policy;
  private final ServingModels models;
  private final ServiceMetrics metrics;
  private final ScheduledExecutorService registryWatch;
  private final Scoring scoring;
  private final java.util.concurrent.ExecutorService callExecutor;
  private final AuditSpool spool;
  private final Ingest ingest;
  private final LiveLists lists;
  private final ShadowPolicies shadows;
  private final ServerTls tls; // null when neither the gRPC port nor /metrics has TLS

  private ScoringServer(Server server, HealthStatusManager health, ProfileStore store,
      ProfileMaterializer materializer, IngestLedger ledger,
      KafkaProducer<byte[], byte[]> producer, LivePolicy policy, ServingModels models,
      ServiceMetrics metrics, ScheduledExecutorService registryWatch, Scoring scoring,
      java.util.concurrent.ExecutorService callExecutor, AuditSpool spool, Ingest ingest,
      LiveLists lists, ShadowPolicies shadows, ServerTls tls) {
    this.tls = tls;
    this.lists = lists;
    this.shadows = shadows;
    this.spool = spool;
    this.ingest = ingest;
    this.scoring = scoring;
    this.callExecutor = callExecutor;
    this.server = server;
    this.health = health;
    this.store = store;
    this.materializer = materializer;
    this.ledger = ledger;
    this.producer = producer;
    this.policy = policy;
    this.models = models;
    this.metrics = metrics;
    this.registryWatch = registryWatch;
  }

  /** Wires and starts everything the configuration describes, on the system clock (UTC). */
  public static ScoringServer start(ServiceConfig config) throws IOException {
    return start(config, Clock.systemUTC());
  }

  /**
   * Wires and starts everything the configuration describes.
   *
   * @param clock the one clock of the process: "now" for requests without their own time (a
   *     delinquency or profile request without as_of), the "not in the future" checks of scored
   *     and ingested events, decision and ledger times
   */
  public static ScoringServer start(ServiceConfig config, Clock clock) throws IOException {
    var metrics = new ServiceMetrics();
    // /metrics in plain HTTP beyond loopback is refused before anything is opened
    boolean metricsOverTls = config.network().metricsPort() >= 0
        && config.network().metricsTls().overTls(config.network().metricsBindAddress());
    // the files that say who may call what first: a service that cannot check callers does not
    // open anything else
    ScheduledExecutorService registryWatch = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "registry-watch"); // also watches the policy, roles and TLS files
      t.setDaemon(true);
      return t;
    });
    RoleBook.Live roles;
    ServingModels models;
    ServerTls tls = null;
    ServerCredentials credentials;
    SSLContext metricsContext = null;
    try {
      if (!Files.isReadable(config.network().rolesFile())) {
        throw new IOException("vigil.access.roles-file: " + config.network().rolesFile()
            + " not found or unreadable (it says which client may call which RPC; ./vigil tls"
            + " init writes one)");
      }
      roles = new RoleBook.Live(config.network().rolesFile(), metrics::rolesReloaded);
      registryWatch.scheduleWithFixedDelay(roles::refresh, 2, 2, TimeUnit.SECONDS);
      if (config.network().tls() || metricsOverTls) {
        try {
          tls = new ServerTls(config.network().tlsFiles(), registryWatch, new ServerTls.Events() {
            @Override
            public void rejected() {
              metrics.certificateRejected();
            }

            @Override
            public void reloaded(String what, boolean taken) {
              metrics.tlsReloaded(what, taken);
            }
          });
          if (metricsOverTls) {
            metricsContext = tls.sslContext();
          }
        } catch (GeneralSecurityException e) {
          throw new IOException("TLS: " + e.getMessage(), e);
        }
      }
      if (config.network().tls()) {
        credentials = tls.credentials();
      } else {
        if (!java.net.InetAddress.getByName(config.network().bindAddress()).isLoopbackAddress()) {
          throw new IllegalStateException("vigil.grpc.tls=off is allowed on a loopback address"
              + " only, and vigil.bind-address is " + config.network().bindAddress());
        }
        log.warn("*** TLS IS OFF (vigil.grpc.tls=off): the gRPC port is PLAINTEXT on {}, every"
            + " caller is '{}' with the roles {} grants it. For benchmarks only. ***",
            config.network().bindAddress(), Caller.LOOPBACK, config.network().rolesFile());
        credentials = InsecureServerCredentials.create();
      }
      // a champion for every task, or a refusal naming those without: a registry path that is
      // wrong or not mounted must not start a service that cannot decide
      models = new ServingModels(new ModelRegistry(config.decisions().modelRegistry()));
      models.refresh();
      var missing = java.util.Arrays.stream(Task.values())
          .filter(task -> models.lineup(task).champion() == null).map(Task::id).toList();
      if (!missing.isEmpty()) {
        String what = "no champion model for " + String.join(", ", missing) + " in "
            + config.decisions().modelRegistry();
        if (!config.decisions().allowMissingModels()) {
          throw new IllegalStateException(what + ": publish and activate one (./vigil models"
              + " train --task TASK --publish --activate), or run ./vigil models defaults for"
              + " models trained on simulated data (for trying Vigil only); set"
              + " vigil.models.allow-missing=true to start without (score calls for those"
              + " tasks then answer FAILED_PRECONDITION)");
        }
        log.warn("{}: starting anyway (vigil.models.allow-missing); score calls for those tasks"
            + " answer FAILED_PRECONDITION until one is activated", what);
      }
    } catch (IOException | RuntimeException e) {
      registryWatch.shutdownNow(); // nothing else is open yet
      throw e;
    }
    var store = ProfileStore.openOrRebuild(config.store().stateDir().resolve("profiles"),
        new ProfileStore.Settings(config.store().blockCacheBytes(),
            config.store().bloomBitsPerKey()), why -> {
          log.warn("the profile store could not be opened ({}); moved aside, rebuilding it from"
              + " {}", why, config.kafka().profilesTopic());
          metrics.storeRebuilt();
        });
    var materializer = new ProfileMaterializer(store, config.kafka().properties(),
        config.kafka().profilesTopic()).start();
    var ledger = IngestLedger.open(config.store().stateDir().resolve("ingested"),
        Duration.ofDays(config.store().dedupeRetentionDays()));
    var producer = Ingest.producer(config.kafka().properties(), config.kafka().ingestTimeout());
    metrics.storeFeed(new ServiceMetrics.StoreFeed(materializer::lag, materializer::caughtUp,
        materializer::failures));
    metrics.storeSizes(store::sizes);

    Runnable publishModels = () -> publishModels(models, metrics);
    publishModels.run();
    // the registry may change under us (the CLI, another replica's ModelAdmin call)
    long registryPoll = config.decisions().registryPoll().toMillis();
    registryWatch.scheduleWithFixedDelay(() -> {
      models.refresh();
      publishModels.run();
    }, registryPoll, registryPoll, TimeUnit.MILLISECONDS);

    // every policy that serves is kept as a version, across restarts
    var policy = new LivePolicy(policyFile(config), config.decisions().policyPollMillis(),
        PolicyVersions.open(config.store().stateDir().resolve("policies")), clock,
        reload -> metrics.policyReload(reload.loaded()));
    // the allow and block lists: read to the end of their log before serving, then followed
    var lists = new LiveLists(config.kafka().properties(), config.lists().topic(),
        config.lists().timeout());
    var shadows = new ShadowPolicies(policy.versions(), clock);
    var spool = new AuditSpool(AuditSpool.Settings.of(
        config.store().stateDir().resolve("audit-spool"), config.audit().spoolMaxBytes(),
        config.audit().whenFull(), config.audit().sync()),
        config.kafka().properties(), config.kafka().decisionsTopic());
    metrics.auditSpool(new ServiceMetrics.SpoolReadings(spool::bytes, spool::pending,
        spool::delivered, spool::deliveryFailures, spool::notKept, spool::writes));
    var audit = new AuditLog(spool);
    var codec = new ProfileCodec(ProfileSettings.DEFAULT);
    var hotProfiles = new HotProfiles(store, codec, config.store().hotProfiles());
    metrics.hotProfiles(hotProfiles::cached);
    var drift = new DriftMonitor(config.decisions().driftWindow());
    metrics.drift(() -> drift.indices().stream()
        .map(i -> new ServiceMetrics.Psi(i.task().id(), i.variable(), i.psi())).toList());
    var tokens = EntityTokens.fromKeyFile(config.audit().tokenKeyFile());
    var scoring = new Scoring(new Assessor(hotProfiles, models, ReasonCatalogue.load(), drift),
        policy, lists, shadows,
        new TreatmentPlanner(), audit, tokens,
        metrics, clock, config.decisions().standInMargin());
    if (metricsContext != null) {
      metrics.serve(config.network().metricsBindAddress(), config.network().metricsPort(),
          new ServiceMetrics.Https(metricsContext,
              identity -> roles.current().rolesOf(identity).contains(Role.METRICS)));
    } else {
      metrics.serve(config.network().metricsBindAddress(), config.network().metricsPort());
    }

    var health = new HealthStatusManager();
    var builder = io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder.forAddress(
        new java.net.InetSocketAddress(config.network().bindAddress(), config.network().port()),
        credentials);
    // calls are short and CPU-bound: a work-stealing pool sized to the cores, not gRPC's default
    // unbounded cached pool (one thread per concurrent call, and a hand-off for every call)
    var executor = callExecutor(config.network().grpcThreads());
    builder.executor(executor);
    builder.maxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES);
    var readiness = new Readiness(health, materializer, config.store().maxLagRecords());
    builder.intercept(readiness.storeGate());
    // before the store gate: a caller without the role learns nothing, not even readiness
    builder.intercept(new AccessGate(roles::current, !config.network().tls(),
        metrics::accessRefused));
    builder.intercept(metrics.interceptor()); // outermost: refusals are timed too
    builder.addService(scoring);
    builder.addService(new ModelAdministration(models, publishModels, audit, clock));
    builder.addService(new PolicyAdministration(policy,
        PolicyProposals.open(config.store().stateDir().resolve("policies")), lists, shadows,
        audit, tokens, clock, config.lists().timeout()));
    builder.addService(new ProfileLookup(store, codec, clock));
    var ingest = new Ingest(producer, config.kafka().eventsTopic(), ledger, clock);
    builder.addService(ingest);
    builder.addService(health.getHealthService());
    if (config.network().reflection()) {
      builder.addService(ProtoReflectionServiceV1.newInstance());
    }
    Server server = builder.build().start();
    registryWatch.scheduleWithFixedDelay(readiness::update, 0, 500, TimeUnit.MILLISECONDS);
    log.info("Vigil scoring service listening on {}:{} ({}){}", config.network().bindAddress(),
        server.getPort(), config.network().tls()
            ? "mutual TLS, client CA " + config.network().tlsFiles().clientCa() : "PLAINTEXT",
        config.network().reflection() ? " (server reflection on)" : "");
    return new ScoringServer(server, health, store, materializer, ledger, producer, policy,
        models, metrics, registryWatch, scoring, executor, spool, ingest, lists, shadows, tls);
  }

  /** The executor gRPC runs calls on: {@code threads} work-stealing threads (0: one per core). */
  public static java.util.concurrent.ExecutorService callExecutor(int threads) {
    int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    return new java.util.concurrent.ForkJoinPool(n,
        java.util.concurrent.ForkJoinPool.defaultForkJoinWorkerThreadFactory, null, true);
  }

  /** The configured policy file, or {@code <state-dir>/policy.yaml} seeded with the default. */
  private static Path policyFile(ServiceConfig config) throws IOException {
    if (config.decisions().policyFile() != null) {
      return config.decisions().policyFile();
    }
    Path file = config.store().stateDir().resolve("policy.yaml");
    if (!Files.exists(file)) {
      Files.createDirectories(config.store().stateDir());
      try (InputStream in = Policy.class.getResourceAsStream("default-policy.yaml")) {
        Files.copy(in, file);
      }
      log.info("wrote the default policy to {}; edit it there, it reloads on change", file);
    }
    return file;
  }

  private static void publishModels(ServingModels models, ServiceMetrics metrics) {
    var serving = new java.util.ArrayList<ServiceMetrics.ModelRole>();
    for (Task task : Task.values()) {
      ServingModels.Lineup l = models.lineup(task);
      String t = task.id();
      if (l.champion() != null) {
        serving.add(new ServiceMetrics.ModelRole(t, "champion", l.champion().version()));
      }
      if (l.challenger() != null) {
        serving.add(new ServiceMetrics.ModelRole(t, "challenger", l.challenger().version()));
      }
      if (l.shadow() != null) {
        serving.add(new ServiceMetrics.ModelRole(t, "shadow", l.shadow().version()));
      }
    }
    metrics.serving(serving);
  }

  public int port() {
    return server.getPort();
  }

  /** The addresses the gRPC server listens on. */
  public List<? extends java.net.SocketAddress> listenAddresses() {
    return server.getListenSockets();
  }

  public ProfileMaterializer materializer() {
    return materializer;
  }

  public ProfileStore store() {
    return store;
  }

  /** Decisions recorded in the audit spool and not yet delivered to the decisions topic. */
  public long auditPending() {
    return spool.pending();
  }

  /** The scoring handler itself, for in-process cost measurement. */
  public Scoring scoring() {
    return scoring;
  }

  public ServingModels models() {
    return models;
  }

  /** The allow and block lists this replica serves. */
  public LiveLists lists() {
    return lists;
  }

  /** The shadow policies of this replica. */
  public ShadowPolicies shadows() {
    return shadows;
  }

  public LivePolicy policy() {
    return policy;
  }

  /** The /metrics port, or -1 when metrics are not served. */
  public int metricsPort() {
    return metrics.port();
  }

  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  /** Stops taking calls, lets calls in flight finish for up to 10 seconds, then closes. */
  @Override
  public void close() throws InterruptedException {
    health.enterTerminalState();
    server.shutdown();
    if (!server.awaitTermination(10, TimeUnit.SECONDS)) {
      server.shutdownNow();
    }
    callExecutor.shutdown();
    registryWatch.shutdownNow();
    if (tls != null) {
      tls.close();
    }
    policy.close();
    lists.close();
    metrics.close();
    ingest.close();
    producer.close(Duration.ofSeconds(10));
    spool.close(Duration.ofSeconds(5)); // delivers what it can; the rest waits on disk
    materializer.close();
    ledger.close();
    store.close();
  }

  /**
   * {@code ScoringServer [config.properties] [--key=value]...}: environment variables override
   * the file, options override both; {@code --help} lists every setting. A setting refused ends
   * the process with exit code 2 and a message naming its key and value.
   */
  public static void main(String[] args) throws Exception {
    ServiceConfig config;
    try {
      Settings.Arguments arguments = ServiceConfig.SETTINGS.arguments(args);
      if (arguments.help()) {
        System.out.print(ServiceConfig.help());
        return;
      }
      if (arguments.positional().size() > 1) {
        throw new SettingException("one properties file at most, not "
            + arguments.positional());
      }
      Path file = arguments.positional().isEmpty() ? null : Path.of(arguments.positional().get(0));
      config = ServiceConfig.load(file, System.getenv(), arguments.given());
    } catch (SettingException e) {
      System.err.println(ServiceConfig.SETTINGS.program() + ": " + e.getMessage());
      System.exit(2);
      return;
    }
    ScoringServer scoring = start(config);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        scoring.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "shutdown"));
    scoring.awaitTermination();
  }
}
