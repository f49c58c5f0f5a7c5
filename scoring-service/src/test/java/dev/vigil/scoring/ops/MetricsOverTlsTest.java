package dev.vigil.scoring.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vigil.scoring.ScoringServer;
import dev.vigil.scoring.ServiceConfig;
import dev.vigil.scoring.TestService;
import dev.vigil.scoring.access.LocalAuthority;
import io.grpc.util.CertificateUtils;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * /metrics over HTTPS (vigil.metrics.tls=mutual) on a started service: a scrape with a client
 * certificate whose identity holds the metrics role succeeds, one without a certificate or with
 * another CA's is refused at the handshake, one without the role is answered 403 and counted; a
 * renewed server certificate is presented without a restart; plain HTTP beyond loopback refuses
 * to start, naming the key.
 */
class MetricsOverTlsTest {
  @TempDir static Path dir;
  private static Path tls;
  private static LocalAuthority authority;
  private static TestService.Stack stack;

  @BeforeAll
  static void start() throws Exception {
    // the test's own CA (certificates valid from an hour before the real time: TLS judges
    // validity by the real clock); "nobody" is issued by the CA and holds no role
    tls = Files.createDirectories(dir.resolve("tls"));
    authority = LocalAuthority.init(tls, Clock.systemUTC());
    authority.issueClient("nobody");
    stack = TestService.Stack.start(dir, 1, env -> {
      TestService.useTls(env, tls);
      env.put("VIGIL_METRICS_TLS", "mutual");
      env.put("VIGIL_TLS_RELOAD_MS", "100");
    });
  }

  @AfterAll
  static void stop() throws Exception {
    stack.close();
  }

  @Test
  void aClientCertificateHoldingTheMetricsRoleScrapes() throws Exception {
    for (String client : List.of("prometheus", "admin")) {
      HttpResponse<String> response = scrape(Optional.of(client));
      assertThat(response.statusCode()).as(client).isEqualTo(200);
      assertThat(response.body()).as(client).contains("vigil_store_caught_up")
          .contains("vigil_audit_spool_pending");
    }
  }

  @Test
  void aCertificateWithoutTheRoleIsAnswered403AndCounted() throws Exception {
    String refused = "vigil_access_refused_total{method=\"/metrics\",reason=\"permission_denied\"}";
    double before = sample(scrape(Optional.of("prometheus")).body(), refused);
    assertThat(scrape(Optional.of("nobody")).statusCode()).isEqualTo(403);
    assertThat(sample(scrape(Optional.of("prometheus")).body(), refused)).isEqualTo(before + 1);
  }

  @Test
  void noCertificateOrAnotherCasIsRefusedAtTheHandshake() throws Exception {
    assertThatThrownBy(() -> scrape(Optional.empty())).isInstanceOf(IOException.class);
    Path other = Files.createDirectories(dir.resolve("other-ca"));
    LocalAuthority.init(other, Clock.systemUTC());
    assertThatThrownBy(() -> get(client(tls.resolve("ca.pem"),
        Optional.of(other.resolve("admin")))))
        .isInstanceOf(IOException.class);
  }

  @Test
  void plainHttpIsNotServedOnTheTlsPort() {
    HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + stack.server.metricsPort() + "/metrics")).timeout(Duration.ofSeconds(10)).build();
    assertThatThrownBy(() -> plain.send(request, HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(IOException.class);
  }

  @Test
  void aRenewedServerCertificateIsPresentedWithoutARestart() throws Exception {
    BigInteger renewed = authority.issueServer("server", List.of("localhost"))
        .getSerialNumber();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    BigInteger presented = presentedSerial();
    while (!presented.equals(renewed) && System.nanoTime() < deadline) {
      Thread.sleep(100);
      presented = presentedSerial();
    }
    assertThat(presented).isEqualTo(renewed);
  }

  @Test
  void plainHttpBeyondLoopbackRefusesToStartNamingTheKey() throws Exception {
    assertThat(MetricsTls.AUTO.overTls("127.0.0.1")).isFalse();
    assertThat(MetricsTls.AUTO.overTls("::1")).isFalse();
    assertThat(MetricsTls.AUTO.overTls("0.0.0.0")).isTrue();
    assertThat(MetricsTls.MUTUAL.overTls("127.0.0.1")).isTrue();
    assertThat(MetricsTls.OFF.overTls("127.0.0.1")).isFalse();
    assertThatThrownBy(() -> MetricsTls.OFF.overTls("0.0.0.0"))
        .hasMessageContaining("vigil.metrics.tls=off")
        .hasMessageContaining("vigil.metrics.bind-address is 0.0.0.0");

    // and the service itself, on this machine's own address beyond loopback if it has one
    Optional<InetAddress> outside = Collections.list(NetworkInterface.getNetworkInterfaces())
        .stream().flatMap(n -> Collections.list(n.getInetAddresses()).stream())
        .filter(a -> !a.isLoopbackAddress() && !a.isLinkLocalAddress()).findFirst();
    assumeTrue(outside.isPresent(), "this machine has no address beyond loopback");
    String address = outside.get().getHostAddress();
    var env = new HashMap<String, String>();
    env.put("VIGIL_STATE_DIR", dir.resolve("refused").toString());
    env.put("VIGIL_METRICS_TLS", "off");
    env.put("VIGIL_METRICS_BIND_ADDRESS", address);
    TestService.useTls(env, tls);
    assertThatThrownBy(() -> ScoringServer.start(ServiceConfig.load(null, env),
        TestService.CLOCK)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("vigil.metrics.tls=off")
        .hasMessageContaining("vigil.metrics.bind-address is " + address);
    assertThat(dir.resolve("refused").resolve("profiles")).doesNotExist();
  }

  /** The serial number of the certificate the server presents to a new connection. */
  private static BigInteger presentedSerial() throws Exception {
    HttpResponse<String> response = scrape(Optional.of("prometheus"));
    return ((X509Certificate) response.sslSession().orElseThrow().getPeerCertificates()[0])
        .getSerialNumber();
  }

  /** GET /metrics over HTTPS as client {@code name} of the test's CA (none: no certificate). */
  private static HttpResponse<String> scrape(Optional<String> name) throws Exception {
    return get(client(tls.resolve("ca.pem"), name.map(tls::resolve)));
  }

  private static HttpResponse<String> get(HttpClient client) throws Exception {
    // a new client each time: a fresh handshake, not a pooled connection
    HttpRequest request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:"
        + stack.server.metricsPort() + "/metrics")).timeout(Duration.ofSeconds(10)).build();
    return client.send(request, HttpResponse.BodyHandlers.ofString());
  }

  /**
   * An HTTPS client trusting {@code ca} and presenting the certificate {@code client}.pem with
   * its key {@code client}.key, as Prometheus' tls_config {ca_file, cert_file, key_file} does.
   */
  private static HttpClient client(Path ca, Optional<Path> client) throws Exception {
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    try (InputStream in = Files.newInputStream(ca)) {
      trusted.setCertificateEntry("ca", CertificateUtils.getX509Certificates(in)[0]);
    }
    TrustManagerFactory trust = TrustManagerFactory.getInstance(
        TrustManagerFactory.getDefaultAlgorithm());
    trust.init(trusted);
    KeyManager[] keys = null;
    if (client.isPresent()) {
      char[] password = "unused".toCharArray();
      KeyStore own = KeyStore.getInstance("PKCS12");
      own.load(null, null);
      X509Certificate[] chain;
      PrivateKey key;
      try (InputStream c = Files.newInputStream(Path.of(client.get() + ".pem"));
          InputStream k = Files.newInputStream(Path.of(client.get() + ".key"))) {
        chain = CertificateUtils.getX509Certificates(c);
        key = CertificateUtils.getPrivateKey(k);
      }
      own.setKeyEntry("client", key, password, chain);
      KeyManagerFactory factory = KeyManagerFactory.getInstance(
          KeyManagerFactory.getDefaultAlgorithm());
      factory.init(own, password);
      keys = factory.getKeyManagers();
    }
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keys, trust.getTrustManagers(), new SecureRandom());
    return HttpClient.newBuilder().sslContext(context).connectTimeout(Duration.ofSeconds(10))
        .build();
  }

  /** A sample's value in a scrape, 0 when absent. */
  private static double sample(String scrape, String series) {
    return scrape.lines().filter(l -> l.startsWith(series + " ")).findFirst()
        .map(l -> Double.parseDouble(l.substring(series.length() + 1).trim())).orElse(0.0);
  }
}
