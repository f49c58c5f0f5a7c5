package dev.vigil.scoring.ops;

import com.sun.net.httpserver.Authenticator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import dev.vigil.scoring.access.Caller;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * The service's Prometheus metrics, served at {@code /metrics} on their own port: latency per RPC
 * and status, decisions by task and outcome, the model versions serving, how far behind the
 * request the profiles used were (feature freshness), profiles stored per entity type, policy
 * reloads, and the audit spool. Served in plain HTTP ({@link #serve(String, int)}, loopback only:
 * see {@link MetricsTls}) or over HTTPS with a client certificate required ({@link #serve(String,
 * int, Https)}).
 */
public final class ServiceMetrics implements AutoCloseable {
  private static final double[] LATENCY_BUCKETS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
      0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
  private static final double[] FRESHNESS_BUCKETS = {0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300,
      3600, 86_400};

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Histogram rpcSeconds = Histogram.builder().name("vigil_rpc_duration_seconds")
      .help("Server-side duration of each RPC, by method and status")
      .labelNames("method", "code").classicOnly().classicUpperBounds(LATENCY_BUCKETS)
      .register(registry);
  private final Counter decisions = Counter.builder().name("vigil_decisions_total")
      .help("Decisions by task and outcome").labelNames("task", "decision").register(registry);
  private final Gauge models = Gauge.builder().name("vigil_model_serving")
      .help("1 for each model version serving, by task and role")
      .labelNames("task", "role", "version").register(registry);
  private final Histogram freshness = Histogram.builder().name("vigil_feature_freshness_seconds")
      .help("Request time minus the newest event time in the profiles used")
      .labelNames("task").classicOnly().classicUpperBounds(FRESHNESS_BUCKETS).register(registry);
  private final Counter policyReloads = Counter.builder().name("vigil_policy_reloads_total")
      .help("Policy reloads by outcome (loaded, refused)").labelNames("outcome")
      .register(registry);
  private final Counter policyRuleErrors = Counter.builder().name("vigil_policy_rule_errors_total")
      .help("Rule evaluations that failed at run time (the call took the task's on_error"
          + " outcome)")
      .labelNames("rule").register(registry);
  private final Counter shadowPolicyErrors = Counter.builder()
      .name("vigil_shadow_policy_errors_total")
      .help("Calls on which a shadow policy failed or was skipped (no shadow decision recorded;"
          + " the answer is the serving policy's all the same), by task")
      .labelNames("task").register(registry);
  private final Counter modelFailures = Counter.builder().name("vigil_model_failures_total")
      .help("Challenger, shadow and roll models that failed on a request, or no roll model"
          + " served a cure answer (the champion answered)")
      .labelNames("task", "role").register(registry);
  private final Counter standIns = Counter.builder().name("vigil_stand_in_total")
      .help("Calls answered with the policy's stand-in decision, by task and cause (store,"
          + " model, deadline)").labelNames("task", "cause").register(registry);
  private final Counter streamFailures = Counter.builder().name("vigil_stream_failures_total")
      .help("ScoreStream requests that failed unexpectedly (answered INTERNAL; the stream went"
          + " on)").register(registry);
  private HTTPServer http;

  public PrometheusRegistry registry() {
    return registry;
  }

  /** Publishes a gauge per entity type of the online store's profile counts. */
  public void storeSizes(Supplier<Map<?, Long>> sizes) {
    GaugeWithCallback.builder().name("vigil_store_profiles")
        .help("Profiles in the online store (RocksDB's estimate), by entity type")
        .labelNames("entity_type")
        .callback(cb -> sizes.get().forEach((type, n) -> cb.call(n, type.toString())))
        .register(registry);
  }

  /** One population stability index: of a task's feature (or its score). */
  public record Psi(String task, String variable, double psi) {}

  /**
   * Publishes each task's population stability index per feature and for the score, against
   * the champion's training population, over the latest scored requests.
   */
  public void drift(Supplier<? extends Collection<Psi>> indices) {
    GaugeWithCallback.builder().name("vigil_drift_psi")
        .help("Population stability index of a feature (or the score) over the latest scored"
            + " requests against the champion's training population: under 0.1 stable, over"
            + " 0.25 moved")
        .labelNames("task", "variable")
        .callback(cb -> indices.get().forEach(i -> cb.call(i.psi(), i.task(), i.variable())))
        .register(registry);
  }

  private final Counter storeRebuilds = Counter.builder().name("vigil_store_rebuilds_total")
      .help("Profile stores found corrupt at start, moved aside and rebuilt from the topic")
      .register(registry);

  public void storeRebuilt() {
    storeRebuilds.inc();
  }

  /**
   * What the online store's feed from the profiles topic reports.
   *
   * @param lag records of the topic not yet in the store (as of the last fetch)
   * @param caughtUp whether the store has caught up with the topic since start
   * @param failures failures of the feed so far (each followed by a resume)
   */
  public record StoreFeed(LongSupplier lag, BooleanSupplier caughtUp, LongSupplier failures) {}

  /** Publishes the store feed's lag, failures and whether it has caught up. */
  public void storeFeed(StoreFeed feed) {
    GaugeWithCallback.builder().name("vigil_store_lag_records")
        .help("Records of the profiles topic not yet in the store (as of the last fetch)")
        .callback(cb -> cb.call(feed.lag().getAsLong())).register(registry);
    GaugeWithCallback.builder().name("vigil_store_caught_up")
        .help("1 once the store has caught up with the profiles topic since start")
        .callback(cb -> cb.call(feed.caughtUp().getAsBoolean() ? 1 : 0)).register(registry);
    CounterWithCallback.builder().name("vigil_store_materializer_failures")
        .help("Failures of the store's materialiser (each followed by a resume)")
        .callback(cb -> cb.call(feed.failures().getAsLong())).register(registry);
  }

  public void hotProfiles(LongSupplier cached) {
    GaugeWithCallback.builder().name("vigil_store_hot_profiles")
        .help("Merchant profiles kept decoded in front of the store (an estimate)")
        .callback(cb -> cb.call(cached.getAsLong()))
        .register(registry);
  }

  /**
   * Serves /metrics in plain HTTP on {@code address}:{@code port} (port 0: a free port; negative:
   * not at all). The caller has checked that plain HTTP is allowed there ({@link MetricsTls}).
   */
  public void serve(String address, int port) throws IOException {
    if (port >= 0) {
      http = HTTPServer.builder().hostname(address).port(port).registry(registry)
          .buildAndStart();
    }
  }

  /**
   * Mutual TLS for /metrics.
   *
   * @param context the server's certificate and the client CA ({@code ServerTls.sslContext()})
   * @param mayScrape whether a client identity (a certificate's URI SAN, else its CN) may read
   *     the metrics; asked on every request, so a reread roles file takes effect at once
   */
  public record Https(SSLContext context, Predicate<String> mayScrape) {}

  /**
   * Serves /metrics over HTTPS on {@code address}:{@code port} (port 0: a free port; negative:
   * not at all): a client without a certificate from the client CA fails the handshake, one whose
   * identity may not scrape is answered 403; each refusal is counted in
   * vigil_access_refused_total{method="/metrics"}.
   */
  public void serve(String address, int port, Https https) throws IOException {
    if (port < 0) {
      return;
    }
    var configurator = new HttpsConfigurator(https.context()) {
      @Override
      public void configure(HttpsParameters params) {
        SSLParameters parameters = getSSLContext().getDefaultSSLParameters();
        parameters.setNeedClientAuth(true);
        params.setSSLParameters(parameters);
      }
    };
    var authenticator = new Authenticator() {
      @Override
      public Result authenticate(HttpExchange exchange) {
        Optional<Caller> caller = exchange instanceof HttpsExchange tls
            ? caller(tls) : Optional.empty();
        if (caller.isEmpty()) {
          accessRefused(METRICS_PATH, "unauthenticated");
          return new Failure(401);
        }
        if (!https.mayScrape().test(caller.get().identity())) {
          accessRefused(METRICS_PATH, "permission_denied");
          return new Failure(403);
        }
        return new Success(new HttpPrincipal(caller.get().identity(), "vigil"));
      }
    };
    http = HTTPServer.builder().hostname(address).port(port).registry(registry)
        .httpsConfigurator(configurator).authenticator(authenticator).buildAndStart();
  }

  private static final String METRICS_PATH = "/metrics";

  private static Optional<Caller> caller(HttpsExchange exchange) {
    try {
      Certificate[] chain = exchange.getSSLSession().getPeerCertificates();
      if (chain.length > 0 && chain[0] instanceof X509Certificate leaf) {
        return Caller.of(leaf);
      }
    } catch (SSLPeerUnverifiedException e) {
      // no client certificate: the handshake requires one, so this is not reached in practice
    }
    return Optional.empty();
  }

  public int port() {
    return http == null ? -1 : http.getPort();
  }

  public void decided(String task, String decision) {
    decisions.labelValues(task, decision).inc();
  }

  public void freshness(String task, double seconds) {
    freshness.labelValues(task).observe(Math.max(0, seconds));
  }

  /** A model version serving a task in a role. */
  public record ModelRole(String task, String role, String version) {}

  private Set<ModelRole> serving = Set.of();

  /** The models serving now: each at 1, those no longer serving back to 0. */
  public synchronized void serving(Collection<ModelRole> now) {
    for (ModelRole gone : serving) {
      if (!now.contains(gone)) {
        models.labelValues(gone.task(), gone.role(), gone.version()).set(0);
      }
    }
    for (ModelRole r : now) {
      models.labelValues(r.task(), r.role(), r.version()).set(1);
    }
    serving = Set.copyOf(now);
  }

  public void policyReload(boolean loaded) {
    policyReloads.labelValues(loaded ? "loaded" : "refused").inc();
  }

  public void policyRuleFailed(String rule) {
    policyRuleErrors.labelValues(rule).inc();
  }

  public void shadowPolicyFailed(String task) {
    shadowPolicyErrors.labelValues(task).inc();
  }

  public void modelFailed(String task, String role) {
    modelFailures.labelValues(task, role).inc();
  }

  public void standIn(String task, String cause) {
    standIns.labelValues(task, cause).inc();
  }

  private final Counter accessRefused = Counter.builder().name("vigil_access_refused_total")
      .help("Calls refused by the access gate, by method and reason (unauthenticated: no client"
          + " certificate; permission_denied: the caller lacks the method's role)")
      .labelNames("method", "reason").register(registry);
  private final Counter certificatesRejected = Counter.builder()
      .name("vigil_tls_client_certificates_rejected_total")
      .help("Client certificates refused at the TLS handshake (another CA, expired, not yet"
          + " valid)").register(registry);
  private final Counter rolesReloads = Counter.builder().name("vigil_roles_reloads_total")
      .help("Rereads of the roles file, by outcome (refused: the previous roles stay)")
      .labelNames("outcome").register(registry);

  public void accessRefused(String method, String reason) {
    accessRefused.labelValues(method, reason).inc();
  }

  private final Counter tlsReloads = Counter.builder().name("vigil_tls_reloads_total")
      .help("Rereads of changed TLS files, by what (identity: the server's certificate and key;"
          + " client-ca) and outcome (refused: the previous ones stay)")
      .labelNames("what", "outcome").register(registry);

  /** A client certificate refused at the TLS handshake. */
  public void certificateRejected() {
    certificatesRejected.inc();
  }

  /** A reread of changed TLS files ({@code what}: identity or client-ca), taken or refused. */
  public void tlsReloaded(String what, boolean taken) {
    tlsReloads.labelValues(what, taken ? "taken" : "refused").inc();
  }

  public void rolesReloaded(boolean taken) {
    rolesReloads.labelValues(taken ? "taken" : "refused").inc();
  }

  public void streamFailed() {
    streamFailures.inc();
  }

  /**
   * What the audit spool reports.
   *
   * @param bytes bytes on disk
   * @param pending records waiting for the decisions topic
   * @param delivered records delivered since start
   * @param deliveryFailures delivery failures (each followed by a retry)
   * @param notKept records not kept because the spool was full
   * @param writes writes to the spool's segment files (overlapping appends share one)
   */
  public record SpoolReadings(LongSupplier bytes, LongSupplier pending, LongSupplier delivered,
      LongSupplier deliveryFailures, LongSupplier notKept, LongSupplier writes) {}

  /** Publishes the audit spool's readings. */
  public void auditSpool(SpoolReadings spool) {
    GaugeWithCallback.builder().name("vigil_audit_spool_bytes")
        .help("Bytes the audit spool holds on disk")
        .callback(cb -> cb.call(spool.bytes().getAsLong())).register(registry);
    GaugeWithCallback.builder().name("vigil_audit_spool_pending")
        .help("Audit records spooled and not yet delivered to the decisions topic")
        .callback(cb -> cb.call(spool.pending().getAsLong())).register(registry);
    CounterWithCallback.builder().name("vigil_audit_delivered")
        .help("Audit records delivered to the decisions topic since start")
        .callback(cb -> cb.call(spool.delivered().getAsLong())).register(registry);
    CounterWithCallback.builder().name("vigil_audit_delivery_failures")
        .help("Deliveries to the decisions topic that failed (the drainer retries)")
        .callback(cb -> cb.call(spool.deliveryFailures().getAsLong())).register(registry);
    CounterWithCallback.builder().name("vigil_audit_not_kept")
        .help("Audit records not kept because the spool was full (refused or dropped, as"
            + " vigil.audit.when-full says)")
        .callback(cb -> cb.call(spool.notKept().getAsLong())).register(registry);
    CounterWithCallback.builder().name("vigil_audit_spool_writes")
        .help("Writes to the audit spool's segment files since start (appends that overlap share"
            + " one)")
        .callback(cb -> cb.call(spool.writes().getAsLong())).register(registry);
  }

  /** Times every call by method and final status. */
  public ServerInterceptor interceptor() {
    return new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
          ServerCallHandler<Q, R> next) {
        long start = System.nanoTime();
        String method = call.getMethodDescriptor().getBareMethodName();
        return next.startCall(new SimpleForwardingServerCall<>(call) {
          @Override
          public void close(Status status, Metadata trailers) {
            rpcSeconds.labelValues(method, status.getCode().name())
                .observe((System.nanoTime() - start) / 1e9);
            super.close(status, trailers);
          }
        }, headers);
      }
    };
  }

  @Override
  public void close() {
    if (http != null) {
      http.close();
    }
  }
}
