package dev.vigil.e2e;

import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The end-to-end suites' TLS: a local CA per run, made by ./vigil tls init's own command. */
final class TestTls {
  private TestTls() {}

  /**
   * Makes a CA and certificates under {@code dir} (valid from an hour before the real time of
   * the run: TLS checks validity against the real clock) and names them in a service's
   * environment.
   */
  static Path configure(Path dir, Map<String, String> env) throws IOException,
      InterruptedException {
    var init = new VigilProcess("tls-init", "tools",
        "dev.vigil.tools.cli.Vigil", "256m",
        List.of("tls", "init", "--dir", dir.toString()), Map.of(), dir.getParent()).start();
    if (init.waitFor(Duration.ofSeconds(60)) != 0) {
      throw new IOException("./vigil tls init failed\n" + init.tail());
    }
    env.put("VIGIL_TLS_CERT_FILE", dir.resolve("server.pem").toString());
    env.put("VIGIL_TLS_KEY_FILE", dir.resolve("server.key").toString());
    env.put("VIGIL_TLS_CLIENT_CA_FILE", dir.resolve("ca.pem").toString());
    env.put("VIGIL_ACCESS_ROLES_FILE", dir.resolve("roles.yaml").toString());
    return dir;
  }

  /** A mutual-TLS channel to the service on {@code port} as client {@code name}. */
  static ManagedChannel channel(Path dir, int port, String name) throws IOException {
    return Grpc.newChannelBuilderForAddress("127.0.0.1", port, TlsChannelCredentials.newBuilder()
        .trustManager(dir.resolve("ca.pem").toFile())
        .keyManager(dir.resolve(name + ".pem").toFile(), dir.resolve(name + ".key").toFile())
        .build()).build();
  }
}
