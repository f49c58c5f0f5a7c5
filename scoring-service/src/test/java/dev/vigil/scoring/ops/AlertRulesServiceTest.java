package dev.vigil.scoring.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.EventCodec;
import dev.vigil.features.profile.EntityKey;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.proto.v1.ListModelsRequest;
import dev.vigil.proto.v1.ModelAdminGrpc;
import dev.vigil.proto.v1.ProfileRecord;
import dev.vigil.proto.v1.ScoreTransactionRequest;
import dev.vigil.proto.v1.ScoringServiceGrpc;
import dev.vigil.registry.ModelRegistry;
import dev.vigil.scoring.TestService;
import dev.vigil.scoring.access.ClientTls;
import dev.vigil.scoring.access.LocalAuthority;
import dev.vigil.scoring.store.ProfileStore;
import dev.vigil.testkit.AlertRules;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alert rules file ({@link AlertRules#FILE}) has Prometheus' shape, each alert is explained
 * in docs/operations.md, and the service's rules (group vigil-service) use only metrics and labels
 * a started service exports: the service is scraped after its paths are exercised (scores, a
 * failing shadow model, a stand-in, refused and invalid calls, refused edits of the policy, roles
 * and TLS files) so that its labelled series exist.
 */
class AlertRulesServiceTest {
  /** Series Prometheus makes itself for every target, with their labels. */
  private static final Map<String, Set<String>> PROMETHEUS_OWN = Map.of(
      "up", Set.of("job", "instance"));

  @TempDir static Path dir;
  private static Path tls;
  private static TestService.Stack stack;

  @BeforeAll
  static void start() throws Exception {
    tls = Files.createDirectories(dir.resolve("tls"));
    LocalAuthority.init(tls, Clock.systemUTC());
    stack = TestService.Stack.start(dir, 1, env -> {
      TestService.useTls(env, tls);
      env.put("VIGIL_TLS_RELOAD_MS", "100");
      var registry = new ModelRegistry(Path.of(env.get("VIGIL_MODELS_REGISTRY")));
      registry.setShadow(Task.FRAUD, TestService.publishModelThatFails(registry));
    });
  }

  @AfterAll
  static void stop() throws Exception {
    stack.close();
  }

  @Test
  void theFileHasPrometheusShapeAndEachAlertIsExplainedInTheOperationsGuide() throws Exception {
    AlertRules rules = AlertRules.read(AlertRules.file(Path.of("")));
    assertThat(rules.groups()).extracting(AlertRules.Group::name)
        .containsExactly("vigil-service", "vigil-job");
    String guide = Files.readString(Path.of("").toAbsolutePath().getParent()
        .resolve("docs/operations.md"));
    for (AlertRules.Group group : rules.groups()) {
      for (AlertRules.Rule rule : group.rules()) {
        assertThat(guide).as("docs/operations.md explains " + rule.alert())
            .contains("| `" + rule.alert() + "` |");
      }
    }
  }

  @Test
  void everyMetricTheServicesRulesUseIsExported() throws Exception {
    exercise();
    AlertRules.Group service = AlertRules.read(AlertRules.file(Path.of("")))
        .group("vigil-service");
    var exported = new java.util.TreeMap<>(AlertRules.exported(scrape()));
    exported.putAll(PROMETHEUS_OWN);
    assertThat(AlertRules.missing(service, exported))
        .as("metrics the vigil-service rules use that the service does not export").isEmpty();
  }

  /** Runs the paths whose metrics the rules read, so that their labelled series exist. */
  private static void exercise() throws Exception {
    ManagedChannel admin = channel("admin");
    try {
      exercise(ScoringServiceGrpc.newBlockingStub(admin).withDeadlineAfter(2, TimeUnit.MINUTES));
    } finally {
      admin.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static void exercise(ScoringServiceGrpc.ScoringServiceBlockingStub scoring)
      throws Exception {
    // enough scores for a drift index (each also runs the failing shadow)
    for (int i = 0; i < 210; i++) {
      scoring.scoreTransaction(purchase("alert-" + i, "a-alert"));
    }
    // a stored profile that does not decode: the stand-in decision
    stack.server.store().apply("test", List.of(new ProfileStore.Update(
        EntityKey.account("a-unreadable"), ProfileRecord.newBuilder().setVersion(1).build())),
        Map.of());
    assertThat(scoring.scoreTransaction(purchase("alert-store", "a-unreadable")).getScore()
        .getStandIn()).isTrue();
    // a request without its event: INVALID_ARGUMENT
    assertThatThrownBy(() -> scoring.scoreTransaction(ScoreTransactionRequest.newBuilder()
        .setRequestId("alert-empty").build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(
            e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
    // a scorer listing models: PERMISSION_DENIED
    ManagedChannel scorer = channel("scorer");
    try {
      assertThatThrownBy(() -> ModelAdminGrpc.newBlockingStub(scorer)
          .withDeadlineAfter(30, TimeUnit.SECONDS).listModels(ListModelsRequest.newBuilder()
              .setTask(dev.vigil.proto.v1.Task.TASK_FRAUD).build()))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(
              e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
    } finally {
      scorer.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    // a policy whose first transaction rule fails at run time on a grocery purchase (an integer
    // division by zero; the policy's load-time probe has no merchant category, so it loads)
    Path policy = dir.resolve("state/policy.yaml");
    String original = Files.readString(policy);
    Files.writeString(policy, original.replace("version: \"2026-12-07.5\"",
        "version: \"alert-rules-1\"").replace("  rules:\n    - name: decline-very-high-risk",
        "  rules:\n    - name: divides-by-zero\n"
            + "      when: \"score / (request.mcc == '5411' ? 0 : 1) > 5000\"\n"
            + "      decision: DECLINE\n    - name: decline-very-high-risk"));
    try {
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      int n = 0;
      while (!scrape().contains("vigil_policy_rule_errors_total{rule=\"divides-by-zero\"}")
          && System.nanoTime() < deadline) {
        scoring.scoreTransaction(purchase("alert-rule-" + n++, "a-alert"));
        Thread.sleep(100);
      }
    } finally {
      Files.writeString(policy, original);
    }
    // edits that do not validate: refused, the previous ones stay in force; then put back
    refuseAnEdit(dir.resolve("state/policy.yaml"),
        "vigil_policy_reloads_total{outcome=\"refused\"}");
    refuseAnEdit(tls.resolve("roles.yaml"), "vigil_roles_reloads_total{outcome=\"refused\"}");
    refuseAnEdit(tls.resolve("server.key"),
        "vigil_tls_reloads_total{outcome=\"refused\",what=\"identity\"}");
  }

  /** A channel as client {@code name} of the test's own CA. */
  private static ManagedChannel channel(String name) throws Exception {
    return Grpc.newChannelBuilderForAddress("127.0.0.1", stack.server.port(),
        ClientTls.credentials(tls, name)).build();
  }

  private static void refuseAnEdit(Path file, String counted) throws Exception {
    byte[] original = Files.readAllBytes(file);
    Files.writeString(file, "groups: [not what this file holds\n");
    try {
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!scrape().contains(counted + " ") && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertThat(scrape()).contains(counted + " ");
    } finally {
      Files.write(file, original);
    }
  }

  private static ScoreTransactionRequest purchase(String id, String account) {
    return ScoreTransactionRequest.newBuilder().setRequestId(id).setEvent(EventCodec.toProto(
        new Event(id, TestService.NOW.toEpochMilli() - 1000, account, "c-alert",
            new Event.Transaction(new Event.Money(2_000, "USD"), Event.Direction.DEBIT,
                Event.Channel.CARD_PRESENT, "m-1", "5411", "US", "d-1", "")))).build();
  }

  private static String scrape() throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
            "http://127.0.0.1:" + stack.server.metricsPort() + "/metrics"))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
  }
}
