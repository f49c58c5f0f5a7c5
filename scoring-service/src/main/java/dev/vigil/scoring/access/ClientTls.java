package dev.vigil.scoring.access;

import io.grpc.ChannelCredentials;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A client's side of the service's mutual TLS, from the PEM files {@code ./vigil tls init}
 * writes: the CA that issued the server's certificate ({@code ca.pem}) and the client's own
 * certificate and key ({@code NAME.pem}, {@code NAME.key}), whose CN is the identity the roles
 * file grants roles to.
 */
public final class ClientTls {
  private ClientTls() {}

  /**
   * Credentials for a channel to the service as client {@code name}.
   *
   * @param dir the directory holding {@code ca.pem}, {@code NAME.pem} and {@code NAME.key}
   * @param name the client certificate's name: scorer, producer, analyst, admin...
   * @throws IOException naming the file that is missing or unreadable
   */
  public static ChannelCredentials credentials(Path dir, String name) throws IOException {
    Path ca = dir.resolve("ca.pem");
    Path cert = dir.resolve(name + ".pem");
    Path key = dir.resolve(name + ".key");
    for (Path file : new Path[] {ca, cert, key}) {
      if (!Files.isReadable(file)) {
        throw new IOException(file + ": not found or unreadable (./vigil up creates the"
            + " certificates under var/tls; ./vigil tls init does it alone)");
      }
    }
    return TlsChannelCredentials.newBuilder()
        .trustManager(ca.toFile())
        .keyManager(cert.toFile(), key.toFile())
        .build();
  }
}
