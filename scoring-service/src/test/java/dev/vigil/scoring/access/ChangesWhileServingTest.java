package dev.vigil.scoring.access;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.proto.v1.AuditRecord;
import dev.vigil.proto.v1.ListModelsRequest;
import dev.vigil.proto.v1.ModelAdminGrpc;
import dev.vigil.proto.v1.SetShadowRequest;
import dev.vigil.proto.v1.Task;
import dev.vigil.scoring.TestService;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import java.math.BigInteger;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What changes while the service serves, without a restart: a renewed server certificate, a new
 * client CA beside the old one, an edited roles file (a bad edit refused, the roles in force
 * kept); and who changed which model, on the audit trail.
 */
class ChangesWhileServingTest {
  /** Generous: the failure these waits catch is a change never taken, not a slow one. */
  private static final Duration PATIENCE = Duration.ofSeconds(30);

  @TempDir static Path dir;
  private static Path tls;
  private static LocalAuthority authority;
  private static TestService.Stack stack;

  @BeforeAll
  static void start() throws Exception {
    tls = Files.createDirectories(dir.resolve("tls"));
    authority = LocalAuthority.init(tls, Clock.systemUTC());
    stack = TestService.Stack.start(dir, 1, env -> {
      TestService.useTls(env, tls);
      // a client CA file of its own, so that the test can rotate it
      env.put("VIGIL_TLS_CLIENT_CA_FILE", tls.resolve("client-ca.pem").toString());
      env.put("VIGIL_TLS_RELOAD_MS", "200");
      Files.copy(tls.resolve("ca.pem"), tls.resolve("client-ca.pem"));
    });
  }

  @AfterAll
  static void stop() throws Exception {
    stack.close();
  }

  @Test
  void aRenewedServerCertificateIsPresentedWithoutARestart() throws Exception {
    BigInteger before = serverSerial();
    assertThat(before).as("the server's certificate, seen by the client").isNotNull();
    X509Certificate renewed = authority.issueServer("server", List.of("localhost"));
    assertThat(renewed.getSerialNumber()).isNotEqualTo(before);
    await("the renewed certificate is presented", () -> {
      BigInteger now = serverSerial();
      return renewed.getSerialNumber().equals(now);
    });
  }

  @Test
  void aClientCaAddedBesideTheOldOneIsTrustedWithoutARestart() throws Exception {
    Path next = Files.createDirectories(dir.resolve("next-ca"));
    LocalAuthority.init(next, Clock.systemUTC());
    ChannelCredentials nextAdmin = TlsChannelCredentials.newBuilder()
        .trustManager(tls.resolve("ca.pem").toFile())
        .keyManager(next.resolve("admin.pem").toFile(), next.resolve("admin.key").toFile())
        .build();
    assertThat(listModels(nextAdmin).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    // the rotation's first step: both CAs trusted, old clients go on working
    Files.writeString(tls.resolve("client-ca.pem.tmp"), Files.readString(tls.resolve("ca.pem"))
        + Files.readString(next.resolve("ca.pem")));
    Files.move(tls.resolve("client-ca.pem.tmp"), tls.resolve("client-ca.pem"),
        java.nio.file.StandardCopyOption.ATOMIC_MOVE,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    await("the new CA's client is served", () -> listModels(nextAdmin).isOk());
    assertThat(listModels(ClientTls.credentials(tls, "admin")).isOk()).isTrue();
  }

  @Test
  void anEditedRolesFileTakesEffectAndABadEditKeepsTheRolesInForce() throws Exception {
    ChannelCredentials scorer = ClientTls.credentials(tls, "scorer");
    assertThat(listModels(scorer).getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    String original = Files.readString(tls.resolve("roles.yaml"));
    Files.writeString(tls.resolve("roles.yaml"), original.replace("scorer: [scorer]",
        "scorer: [scorer, viewer]"));
    await("scorer is a viewer too", () -> listModels(scorer).isOk());

    double refusedBefore = metric("vigil_roles_reloads_total{outcome=\"refused\"}");
    Files.writeString(tls.resolve("roles.yaml"), original.replace("scorer: [scorer]",
        "scorer: [scorer, viewer, superuser]"));
    await("the bad edit is refused", () -> metric(
        "vigil_roles_reloads_total{outcome=\"refused\"}") > refusedBefore);
    assertThat(listModels(scorer).isOk()).isTrue();
  }

  @Test
  void modelAdminWritesAreAuditedWithTheirCaller() throws Exception {
    ManagedChannel admin = channel(ClientTls.credentials(tls, "admin"));
    try {
      ModelAdminGrpc.newBlockingStub(admin).withDeadlineAfter(30, TimeUnit.SECONDS)
          .setShadow(SetShadowRequest.newBuilder().setTask(Task.TASK_FRAUD).build());
    } finally {
      admin.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    var changes = new java.util.ArrayList<AuditRecord>();
    await("the change's records reach the decisions topic", () -> {
      changes.clear();
      for (ConsumerRecord<byte[], byte[]> r : stack.kafka.readAll("vigil.decisions")) {
        try {
          AuditRecord record = AuditRecord.parseFrom(r.value());
          if (record.hasModelChange()) {
            changes.add(record);
          }
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
          throw new AssertionError(e);
        }
      }
      return changes.size() >= 2;
    });
    assertThat(changes).extracting(AuditRecord::getDecision).containsExactly("REQUESTED", "DONE");
    assertThat(changes).allSatisfy(record -> {
      assertThat(record.getModelChange().getCaller()).isEqualTo("admin");
      assertThat(record.getModelChange().getAction()).isEqualTo("SetShadow");
      assertThat(record.getTask()).isEqualTo(Task.TASK_FRAUD);
    });
    assertThat(changes.get(1).getModelChange().getOutcome()).isEqualTo("OK");
  }

  /** A sample's value on the service's /metrics, 0 when absent. */
  private static double metric(String sample) throws Exception {
    String body = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest
        .newBuilder(java.net.URI.create("http://127.0.0.1:" + stack.server.metricsPort()
            + "/metrics")).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    for (String line : body.split("\n")) {
      if (line.startsWith(sample + " ")) {
        return Double.parseDouble(line.substring(sample.length() + 1).trim());
      }
    }
    return 0;
  }

  /** The serial number of the certificate the server presents to a new connection. */
  private static BigInteger serverSerial() throws Exception {
    var seen = new AtomicReference<BigInteger>();
    var keys = KeyStore.getInstance(KeyStore.getDefaultType());
    keys.load(null);
    keys.setCertificateEntry("ca", authority.certificate());
    var factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(keys);
    var trust = (X509ExtendedTrustManager) factory.getTrustManagers()[0];
    ChannelCredentials credentials = TlsChannelCredentials.newBuilder()
        .trustManager(new Recording(trust, seen))
        .keyManager(tls.resolve("admin.pem").toFile(), tls.resolve("admin.key").toFile())
        .build();
    assertThat(listModels(credentials).isOk()).isTrue();
    return seen.get();
  }

  private static Status listModels(ChannelCredentials credentials) throws Exception {
    ManagedChannel channel = channel(credentials);
    try {
      ModelAdminGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
          .listModels(ListModelsRequest.getDefaultInstance());
      return Status.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus();
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static ManagedChannel channel(ChannelCredentials credentials) {
    return Grpc.newChannelBuilderForAddress("127.0.0.1", stack.server.port(), credentials)
        .build();
  }

  private static void await(String what, ThrowingCondition condition) throws Exception {
    long end = System.nanoTime() + PATIENCE.toNanos();
    while (!condition.holds()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("not within " + PATIENCE + ": " + what);
      }
      Thread.sleep(100);
    }
  }

  @FunctionalInterface
  private interface ThrowingCondition {
    boolean holds() throws Exception;
  }

  /** Verifies as its delegate does, and keeps the leaf certificate the server presented. */
  private static final class Recording extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager delegate;
    private final AtomicReference<BigInteger> seen;

    Recording(X509ExtendedTrustManager delegate, AtomicReference<BigInteger> seen) {
      this.delegate = delegate;
      this.seen = seen;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String type, SSLEngine engine)
        throws CertificateException {
      delegate.checkServerTrusted(chain, type, engine);
      seen.set(chain[0].getSerialNumber());
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String type, Socket socket)
        throws CertificateException {
      delegate.checkServerTrusted(chain, type, socket);
      seen.set(chain[0].getSerialNumber());
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String type)
        throws CertificateException {
      delegate.checkServerTrusted(chain, type);
      seen.set(chain[0].getSerialNumber());
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String type, SSLEngine engine)
        throws CertificateException {
      delegate.checkClientTrusted(chain, type, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String type, Socket socket)
        throws CertificateException {
      delegate.checkClientTrusted(chain, type, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String type)
        throws CertificateException {
      delegate.checkClientTrusted(chain, type);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return delegate.getAcceptedIssuers();
    }
  }
}
