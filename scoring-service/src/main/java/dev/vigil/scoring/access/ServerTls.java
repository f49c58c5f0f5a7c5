package dev.vigil.scoring.access;

import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The gRPC port's TLS: the server's certificate and key, and the CA that client certificates must
 * chain to, all PEM files, each reread when it changes (a renewed certificate or an added CA is
 * taken without a restart; handshakes already made keep theirs). Client certificates are asked
 * for and verified, not required at the handshake: a client without one connects and is answered
 * UNAUTHENTICATED by the {@link AccessGate} (health checks need none), while one whose
 * certificate does not verify (another CA, expired) is refused at the handshake, and counted.
 */
public final class ServerTls implements AutoCloseable {
  /** Where client certificates that fail verification are counted. */
  public interface Rejections {
    void rejected();
  }

  /** The files and how often they are checked for change. */
  public record PemFiles(Path certificate, Path key, Path clientCa, Duration reload) {}

  private final ServerCredentials credentials;
  private final AdvancedTlsX509KeyManager.Closeable keyReload;
  private final AdvancedTlsX509TrustManager.Closeable trustReload;

  /**
   * Loads the files now and checks them for change every {@code files.reload()} on
   * {@code scheduler}.
   *
   * @throws IOException naming the file that is missing or unreadable
   * @throws GeneralSecurityException if a file holds no usable certificate or key
   */
  public ServerTls(PemFiles files, ScheduledExecutorService scheduler, Rejections rejections)
      throws IOException, GeneralSecurityException {
    for (Path file : new Path[] {files.certificate(), files.key(), files.clientCa()}) {
      if (!Files.isReadable(file)) {
        throw new IOException(file + ": not found or unreadable (TLS is on: name the PEM files"
            + " in vigil.tls.cert-file, vigil.tls.key-file and vigil.tls.client-ca-file, or run"
            + " ./vigil tls init)");
      }
    }
    long period = Math.max(1, files.reload().toMillis());
    var keys = new AdvancedTlsX509KeyManager();
    keyReload = keys.updateIdentityCredentials(files.certificate().toFile(), files.key().toFile(),
        period, TimeUnit.MILLISECONDS, scheduler);
    var trust = AdvancedTlsX509TrustManager.newBuilder()
        .setVerification(AdvancedTlsX509TrustManager.Verification.CERTIFICATE_ONLY_VERIFICATION)
        .build();
    trustReload = trust.updateTrustCredentials(files.clientCa().toFile(), period,
        TimeUnit.MILLISECONDS, scheduler);
    credentials = TlsServerCredentials.newBuilder()
        .keyManager(keys)
        .trustManager(new Counted(trust, rejections))
        .clientAuth(TlsServerCredentials.ClientAuth.OPTIONAL)
        .build();
  }

  public ServerCredentials credentials() {
    return credentials;
  }

  /** Stops checking the files. */
  @Override
  public void close() {
    keyReload.close();
    trustReload.close();
  }

  /** Counts each client certificate the trust manager refuses. */
  private static final class Counted extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager delegate;
    private final Rejections rejections;

    Counted(X509ExtendedTrustManager delegate, Rejections rejections) {
      this.delegate = delegate;
      this.rejections = rejections;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      try {
        delegate.checkClientTrusted(chain, authType, socket);
      } catch (CertificateException e) {
        rejections.rejected();
        throw e;
      }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      try {
        delegate.checkClientTrusted(chain, authType, engine);
      } catch (CertificateException e) {
        rejections.rejected();
        throw e;
      }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      try {
        delegate.checkClientTrusted(chain, authType);
      } catch (CertificateException e) {
        rejections.rejected();
        throw e;
      }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      delegate.checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      delegate.checkServerTrusted(chain, authType, engine);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      delegate.checkServerTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return delegate.getAcceptedIssuers();
    }
  }
}
