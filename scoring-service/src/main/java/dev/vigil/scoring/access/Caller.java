package dev.vigil.scoring.access;

import io.grpc.Context;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * Who is calling: the identity of an authenticated client, as the roles file names it.
 *
 * @param identity a client certificate's URI SAN ({@code spiffe://...}) if it has one, else its
 *     subject's CN; {@link #LOOPBACK} on a plaintext loopback port
 */
public record Caller(String identity) {
  /** The identity of every caller when TLS is off (allowed on a loopback address only). */
  public static final String LOOPBACK = "loopback";

  /** The caller of the call in progress, set by the {@link AccessGate}. */
  public static final Context.Key<Caller> CURRENT = Context.key("vigil-caller");

  /** The caller of the current call, or "unknown" outside one (in-process use). */
  public static String currentIdentity() {
    Caller caller = CURRENT.get();
    return caller == null ? "unknown" : caller.identity();
  }

  /**
   * The identity a client certificate proves: its first URI subject alternative name (the
   * SPIFFE style, {@code spiffe://trust-domain/path}), else its subject's common name.
   */
  public static Optional<Caller> of(X509Certificate certificate) {
    try {
      Collection<List<?>> names = certificate.getSubjectAlternativeNames();
      if (names != null) {
        for (List<?> name : names) {
          if (Integer.valueOf(6).equals(name.get(0))) { // uniformResourceIdentifier
            return Optional.of(new Caller(String.valueOf(name.get(1))));
          }
        }
      }
    } catch (CertificateParsingException e) {
      return Optional.empty();
    }
    try {
      var subject = new LdapName(certificate.getSubjectX500Principal().getName());
      for (Rdn rdn : subject.getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          return Optional.of(new Caller(String.valueOf(rdn.getValue())));
        }
      }
    } catch (InvalidNameException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }
}
