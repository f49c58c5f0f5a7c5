package dev.vigil.scoring.access;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.proto.v1.IngestServiceGrpc;
import dev.vigil.proto.v1.ModelAdminGrpc;
import dev.vigil.proto.v1.PolicyAdminGrpc;
import dev.vigil.proto.v1.ProfileServiceGrpc;
import dev.vigil.proto.v1.ScoringServiceGrpc;
import dev.vigil.scoring.TestService;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.ClientCall;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who may call what, over a real mutual-TLS port: every RPC with every role, with a certificate
 * that holds no role, and with no certificate at all; certificates from another CA and expired
 * ones refused at the handshake; health open to all.
 */
class AccessTest {
  private static final List<ServiceDescriptor> SERVICES = List.of(
      ScoringServiceGrpc.getServiceDescriptor(), IngestServiceGrpc.getServiceDescriptor(),
      ProfileServiceGrpc.getServiceDescriptor(), ModelAdminGrpc.getServiceDescriptor(),
      PolicyAdminGrpc.getServiceDescriptor());

  /** The test's clients and the roles its roles.yaml grants each. */
  private static final Map<String, Set<Role>> CLIENTS = Map.of(
      "scorer", EnumSet.of(Role.SCORER),
      "producer", EnumSet.of(Role.PRODUCER),
      "analyst", EnumSet.of(Role.ANALYST),
      "model-admin", EnumSet.of(Role.MODEL_ADMIN),
      "viewer", EnumSet.of(Role.VIEWER),
      "admin", EnumSet.allOf(Role.class),
      "nobody", EnumSet.noneOf(Role.class));

  @TempDir static Path dir;
  private static Path tls;
  private static LocalAuthority authority;
  private static TestService.Stack stack;

  @BeforeAll
  static void start() throws Exception {
    // a CA of the test's own: the clients above, and one expired certificate (TLS judges
    // validity by the real clock: valid ones start an hour before now, the expired one ended in
    // 2020, whenever this runs)
    tls = Files.createDirectories(dir.resolve("tls"));
    authority = LocalAuthority.init(tls, Clock.systemUTC());
    for (String client : List.of("model-admin", "viewer", "nobody")) {
      authority.issueClient(client);
    }
    authority.issueClient("expired", null, Instant.parse("2020-01-01T00:00:00Z"),
        Instant.parse("2020-01-02T00:00:00Z"));
    var roles = new StringBuilder();
    CLIENTS.forEach((client, held) -> roles.append('"').append(client).append("\": [")
        .append(String.join(", ", held.stream().map(Role::id).toList())).append("]\n"));
    Files.writeString(tls.resolve("roles.yaml"), roles);
    stack = TestService.Stack.start(dir, 1, env -> TestService.useTls(env, tls));
  }

  @AfterAll
  static void stop() throws Exception {
    stack.close();
  }

  @Test
  void everyRpcOfVigilsServicesRequiresARole() {
    var methods = new ArrayList<String>();
    for (ServiceDescriptor service : SERVICES) {
      for (MethodDescriptor<?, ?> method : service.getMethods()) {
        methods.add(method.getFullMethodName());
      }
    }
    assertThat(Permissions.table().keySet()).containsExactlyInAnyOrderElementsOf(methods);
  }

  @Test
  void eachRpcAnswersOnlyTheRoleItRequires() throws Exception {
    for (var client : CLIENTS.entrySet()) {
      ManagedChannel channel = channel(ClientTls.credentials(tls, client.getKey()));
      try {
        for (var rpc : Permissions.table().entrySet()) {
          Status status = call(channel, method(rpc.getKey()));
          String what = client.getKey() + " calling " + rpc.getKey() + ": " + status;
          if (client.getValue().contains(rpc.getValue())) {
            assertThat(status.getCode()).as(what)
                .isNotIn(Status.Code.PERMISSION_DENIED, Status.Code.UNAUTHENTICATED);
          } else {
            assertThat(status.getCode()).as(what).isEqualTo(Status.Code.PERMISSION_DENIED);
            assertThat(status.getDescription()).as(what).contains("'" + client.getKey() + "'")
                .contains(rpc.getValue().id());
          }
        }
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
    assertThat(metric("vigil_access_refused_total{method=\"vigil.v1.ModelAdmin/RollbackModel\","
        + "reason=\"permission_denied\"}")).isGreaterThanOrEqualTo(CLIENTS.size() - 2);
  }

  @Test
  void noCertificateIsUnauthenticatedForEveryRpcAndCounted() throws Exception {
    double before = metric("vigil_access_refused_total{method=\"vigil.v1.ScoringService/"
        + "ScoreTransaction\",reason=\"unauthenticated\"}");
    ManagedChannel anonymous = channel(TlsChannelCredentials.newBuilder()
        .trustManager(tls.resolve("ca.pem").toFile()).build());
    try {
      for (String rpc : Permissions.table().keySet()) {
        assertThat(call(anonymous, method(rpc)).getCode()).as(rpc)
            .isEqualTo(Status.Code.UNAUTHENTICATED);
      }
      // health checking stays open, as load balancers expect
      assertThat(HealthGrpc.newBlockingStub(anonymous).withDeadlineAfter(10, TimeUnit.SECONDS)
          .check(HealthCheckRequest.newBuilder().setService("liveness").build()).getStatus())
          .isEqualTo(io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING);
    } finally {
      anonymous.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    assertThat(metric("vigil_access_refused_total{method=\"vigil.v1.ScoringService/"
        + "ScoreTransaction\",reason=\"unauthenticated\"}")).isEqualTo(before + 1);
  }

  @Test
  void aCertificateFromAnotherCaIsRefusedAtTheHandshakeAndCounted() throws Exception {
    Path other = Files.createDirectories(dir.resolve("other-ca"));
    LocalAuthority.init(other, Clock.systemUTC());
    double before = metric("vigil_tls_client_certificates_rejected_total");
    // the server is trusted; the client's certificate is the other CA's "admin"
    Status status = callWith(TlsChannelCredentials.newBuilder()
        .trustManager(tls.resolve("ca.pem").toFile())
        .keyManager(other.resolve("admin.pem").toFile(), other.resolve("admin.key").toFile())
        .build());
    assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(metric("vigil_tls_client_certificates_rejected_total")).isGreaterThan(before);
  }

  @Test
  void anExpiredCertificateIsRefusedAtTheHandshake() throws Exception {
    double before = metric("vigil_tls_client_certificates_rejected_total");
    Status status = callWith(ClientTls.credentials(tls, "expired"));
    assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(metric("vigil_tls_client_certificates_rejected_total")).isGreaterThan(before);
  }

  @Test
  void aPlaintextClientIsNotServed() throws Exception {
    ManagedChannel plain = Grpc.newChannelBuilderForAddress("127.0.0.1", stack.server.port(),
        io.grpc.InsecureChannelCredentials.create()).build();
    try {
      assertThat(call(plain, ScoringServiceGrpc.getScoreTransactionMethod()).getCode())
          .isEqualTo(Status.Code.UNAVAILABLE);
    } finally {
      plain.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void plaintextIsRefusedOnAnAddressOtherThanLoopbackAndAMissingRolesFileStopsTheStart()
      throws Exception {
    var env = new java.util.HashMap<String, String>();
    env.put("VIGIL_STATE_DIR", dir.resolve("refused").toString());
    env.put("VIGIL_GRPC_TLS", "off");
    env.put("VIGIL_BIND_ADDRESS", "0.0.0.0");
    env.put("VIGIL_ACCESS_ROLES_FILE", tls.resolve("roles.yaml").toString());
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> dev.vigil.scoring.ScoringServer
            .start(dev.vigil.scoring.ServiceConfig.load(null, env), TestService.CLOCK))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("loopback");
    env.put("VIGIL_GRPC_TLS", "mutual");
    env.put("VIGIL_ACCESS_ROLES_FILE", dir.resolve("no-such-roles.yaml").toString());
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> dev.vigil.scoring.ScoringServer
            .start(dev.vigil.scoring.ServiceConfig.load(null, env), TestService.CLOCK))
        .hasMessageContaining("vigil.access.roles-file").hasMessageContaining("no-such-roles");
    // neither opened the store
    assertThat(dir.resolve("refused").resolve("profiles")).doesNotExist();
  }

  /** ScoreTransaction through a new channel made with {@code credentials}; its status. */
  private static Status callWith(ChannelCredentials credentials) throws Exception {
    ManagedChannel channel = channel(credentials);
    try {
      return call(channel, ScoringServiceGrpc.getScoreTransactionMethod());
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static ManagedChannel channel(ChannelCredentials credentials) {
    return Grpc.newChannelBuilderForAddress("127.0.0.1", stack.server.port(), credentials)
        .build();
  }

  private static MethodDescriptor<?, ?> method(String fullName) {
    for (ServiceDescriptor service : SERVICES) {
      for (MethodDescriptor<?, ?> method : service.getMethods()) {
        if (method.getFullMethodName().equals(fullName)) {
          return method;
        }
      }
    }
    throw new IllegalArgumentException(fullName);
  }

  /**
   * Calls {@code method} with its request type's empty message (none for a client stream), and
   * returns the status it ends with: the gate answers before the handler, a handler reached
   * answers what it makes of an empty request.
   */
  @SuppressWarnings("unchecked")
  static Status call(Channel channel, MethodDescriptor<?, ?> method) throws Exception {
    var m = (MethodDescriptor<Object, Object>) method;
    ClientCall<Object, Object> call = channel.newCall(m,
        CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS));
    var closed = new CompletableFuture<Status>();
    call.start(new ClientCall.Listener<>() {
      @Override
      public void onClose(Status status, Metadata trailers) {
        closed.complete(status);
      }
    }, new Metadata());
    call.request(Integer.MAX_VALUE);
    if (!m.getType().clientSendsOneMessage()) {
      call.halfClose();
    } else {
      call.sendMessage(((MethodDescriptor.PrototypeMarshaller<Object>) m.getRequestMarshaller())
          .getMessagePrototype());
      call.halfClose();
    }
    return closed.get(60, TimeUnit.SECONDS);
  }

  /** A sample's value on /metrics, 0 when absent. */
  static double metric(String sample) throws Exception {
    String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
        "http://127.0.0.1:" + stack.server.metricsPort() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    for (String line : body.split("\n")) {
      if (line.startsWith(sample + " ")) {
        return Double.parseDouble(line.substring(sample.length() + 1).trim());
      }
    }
    return 0;
  }
}
