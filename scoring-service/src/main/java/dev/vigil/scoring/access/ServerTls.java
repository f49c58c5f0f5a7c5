package dev.vigil.scoring.access;

import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import io.grpc.util.CertificateUtils;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gRPC port's TLS: the server's certificate and key, and the CA that client certificates must
 * chain to, all PEM files, each reread when it changes (a renewed certificate or an added CA is
 * taken without a restart; connections already made keep theirs). Client certificates are asked
 * for and verified, not required at the handshake: a client without one connects and is answered
 * UNAUTHENTICATED by the {@link AccessGate} (health checks need none), while one whose
 * certificate does not verify (another CA, expired, not yet valid) is refused at the handshake,
 * and counted.
 *
 * <p>The files are checked every {@code reload} (their modification time and size); a changed
 * certificate is taken only with a key that matches it, so a renewal caught between writing the
 * key and the certificate keeps the previous pair until both are there. (gRPC's own file
 * watching is not used: it waits at least a minute and reloads only when both files changed.)
 */
public final class ServerTls implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ServerTls.class);

  /** What the TLS layer reports. */
  public interface Events {
    /** A client certificate failed verification at a handshake. */
    void rejected();

    /**
     * A changed file was reread.
     *
     * @param what {@code identity} (the server's certificate and key) or {@code client-ca}
     * @param taken false when it was refused and the previous one kept
     */
    void reloaded(String what, boolean taken);
  }

  /** The files and how often they are checked for change. */
  public record PemFiles(Path certificate, Path key, Path clientCa, Duration reload) {}

  private final PemFiles files;
  private final Events events;
  private final AdvancedTlsX509KeyManager keys = new AdvancedTlsX509KeyManager();
  private final AdvancedTlsX509TrustManager trust;
  private final ServerCredentials credentials;
  private final ScheduledFuture<?> watch;
  private List<Object> identitySeen;
  private List<Object> caSeen;

  /**
   * Loads the files now and checks them for change every {@code files.reload()} on
   * {@code scheduler}.
   *
   * @throws IOException naming the file that is missing or unreadable
   * @throws GeneralSecurityException if a file holds no usable certificate or key, or the key is
   *     not the certificate's
   */
  public ServerTls(PemFiles files, ScheduledExecutorService scheduler, Events events)
      throws IOException, GeneralSecurityException {
    this.files = files;
    this.events = events;
    for (Path file : new Path[] {files.certificate(), files.key(), files.clientCa()}) {
      if (!Files.isReadable(file)) {
        throw new IOException(file + ": not found or unreadable (TLS is on: name the PEM files"
            + " in vigil.tls.cert-file, vigil.tls.key-file and vigil.tls.client-ca-file, or run"
            + " ./vigil tls init)");
      }
    }
    trust = AdvancedTlsX509TrustManager.newBuilder()
        .setVerification(AdvancedTlsX509TrustManager.Verification.CERTIFICATE_ONLY_VERIFICATION)
        .build();
    identitySeen = stamp(files.certificate(), files.key());
    loadIdentity();
    caSeen = stamp(files.clientCa());
    loadClientCa();
    credentials = TlsServerCredentials.newBuilder()
        .keyManager(keys)
        .trustManager(new Counted(trust, events))
        .clientAuth(TlsServerCredentials.ClientAuth.OPTIONAL)
        .build();
    long period = Math.max(1, files.reload().toMillis());
    watch = scheduler.scheduleWithFixedDelay(this::refresh, period, period,
        TimeUnit.MILLISECONDS);
  }

  public ServerCredentials credentials() {
    return credentials;
  }

  /**
   * A JSSE context with the same key and trust managers as the gRPC port (for /metrics over
   * HTTPS): it presents the server's certificate, verifies client certificates against the client
   * CA, counts those refused, and takes reloaded files as the gRPC port does. Whether a client
   * certificate is required is for the server using it to say.
   */
  public SSLContext sslContext() throws GeneralSecurityException {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(new KeyManager[] {keys}, new TrustManager[] {new Counted(trust, events)},
        new SecureRandom());
    return context;
  }

  /** Rereads whichever files changed since they were last read. */
  synchronized void refresh() {
    try {
      List<Object> identity = stamp(files.certificate(), files.key());
      if (!identity.equals(identitySeen)) {
        identitySeen = identity;
        try {
          X509Certificate leaf = loadIdentity();
          log.info("server certificate reloaded from {}: serial {}, valid until {}",
              files.certificate(), leaf.getSerialNumber().toString(16),
              leaf.getNotAfter().toInstant());
          events.reloaded("identity", true);
        } catch (IOException | GeneralSecurityException e) {
          log.warn("server certificate {} not reloaded, the previous one is kept: {}",
              files.certificate(), e.getMessage());
          events.reloaded("identity", false);
        }
      }
      List<Object> ca = stamp(files.clientCa());
      if (!ca.equals(caSeen)) {
        caSeen = ca;
        try {
          int n = loadClientCa();
          log.info("client CA reloaded from {}: {} certificates", files.clientCa(), n);
          events.reloaded("client-ca", true);
        } catch (IOException | GeneralSecurityException e) {
          log.warn("client CA {} not reloaded, the previous one is kept: {}", files.clientCa(),
              e.getMessage());
          events.reloaded("client-ca", false);
        }
      }
    } catch (IOException e) {
      log.warn("TLS files unreadable, the ones in force are kept: {}", e.toString());
    }
  }

  private X509Certificate loadIdentity() throws IOException, GeneralSecurityException {
    PrivateKey key;
    X509Certificate[] chain;
    try (InputStream k = Files.newInputStream(files.key());
        InputStream c = Files.newInputStream(files.certificate())) {
      key = CertificateUtils.getPrivateKey(k);
      chain = CertificateUtils.getX509Certificates(c);
    }
    if (chain.length == 0) {
      throw new GeneralSecurityException(files.certificate() + ": no certificate");
    }
    requireMatch(chain[0], key);
    keys.updateIdentityCredentials(chain, key);
    return chain[0];
  }

  private int loadClientCa() throws IOException, GeneralSecurityException {
    X509Certificate[] cas;
    try (InputStream in = Files.newInputStream(files.clientCa())) {
      cas = CertificateUtils.getX509Certificates(in);
    }
    if (cas.length == 0) {
      throw new GeneralSecurityException(files.clientCa() + ": no certificate");
    }
    trust.updateTrustCredentials(cas);
    return cas.length;
  }

  /** Signs a challenge with the key and checks it with the certificate's public key. */
  private void requireMatch(X509Certificate certificate, PrivateKey key)
      throws GeneralSecurityException {
    String algorithm = switch (key.getAlgorithm()) {
      case "EC" -> "SHA256withECDSA";
      case "RSA" -> "SHA256withRSA";
      default -> key.getAlgorithm(); // Ed25519, Ed448
    };
    byte[] challenge = new byte[32];
    new SecureRandom().nextBytes(challenge);
    Signature signer = Signature.getInstance(algorithm);
    signer.initSign(key);
    signer.update(challenge);
    byte[] signature = signer.sign();
    Signature verifier = Signature.getInstance(algorithm);
    verifier.initVerify(certificate.getPublicKey());
    verifier.update(challenge);
    if (!verifier.verify(signature)) {
      throw new GeneralSecurityException(files.key() + " is not the key of "
          + files.certificate() + " (a renewal half written?)");
    }
  }

  private static List<Object> stamp(Path... paths) throws IOException {
    var stamp = new ArrayList<Object>();
    for (Path path : paths) {
      stamp.add(Files.getLastModifiedTime(path));
      stamp.add(Files.size(path));
    }
    return stamp;
  }

  /** Stops checking the files. */
  @Override
  public void close() {
    watch.cancel(false);
  }

  /** Counts each client certificate the trust manager refuses. */
  private static final class Counted extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager delegate;
    private final Events rejections;

    Counted(X509ExtendedTrustManager delegate, Events rejections) {
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
