package dev.vigil.scoring.access;

import java.io.IOException;
import java.io.StringWriter;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A local certificate authority for the embedded default ({@code ./vigil tls init}, run by
 * {@code ./vigil up} on its first start): under one directory, {@code ca.pem} (and its key {@code
 * ca.key}), the server's {@code server.pem}/{@code server.key} for localhost, 127.0.0.1 and ::1,
 * and a client certificate and key for each role ({@code scorer}, {@code producer}, {@code
 * analyst}, and {@code prometheus} with the {@code metrics} role) and for {@code admin}, who holds
 * every role, with {@code roles.yaml} saying so. Keys
 * are ECDSA P-256 in PKCS#8 PEM, readable by their owner only; certificates are X.509 v3 made
 * with Bouncy Castle. A bank's own PKI replaces all of it in production: the service only reads
 * PEM files.
 */
public final class LocalAuthority {
  /** The client certificates {@code init} makes, and the roles each is given. */
  public static final Map<String, List<Role>> CLIENTS = Map.of(
      "scorer", List.of(Role.SCORER),
      "producer", List.of(Role.PRODUCER),
      "analyst", List.of(Role.ANALYST),
      "prometheus", List.of(Role.METRICS),
      "admin", List.of(Role.values()));

  private static final Duration CA_VALIDITY = Duration.ofDays(3650);
  /** How long a certificate it issues is valid: renew before (./vigil tls renew NAME). */
  public static final Duration LEAF_VALIDITY = Duration.ofDays(397);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path dir;
  private final X509Certificate ca;
  private final PrivateKey caKey;
  private final Clock clock;

  private LocalAuthority(Path dir, X509Certificate ca, PrivateKey caKey, Clock clock) {
    this.dir = dir;
    this.ca = ca;
    this.caKey = caKey;
    this.clock = clock;
  }

  /**
   * Opens the authority in {@code dir}, creating its CA if there is none, and issues each of the
   * server's and clients' certificates that is missing, and {@code roles.yaml} if missing.
   * Nothing already there is replaced.
   *
   * @param clock when the certificates it issues start (an hour before, for clocks a little
   *     behind)
   * @throws IOException if a file cannot be read or written
   */
  public static LocalAuthority init(Path dir, Clock clock) throws IOException {
    Files.createDirectories(dir);
    LocalAuthority authority;
    if (Files.exists(dir.resolve("ca.pem")) && Files.exists(dir.resolve("ca.key"))) {
      authority = new LocalAuthority(dir, readCertificate(dir.resolve("ca.pem")),
          readKey(dir.resolve("ca.key")), clock);
    } else {
      KeyPair pair = newKeyPair();
      Instant from = clock.instant().minus(Duration.ofHours(1));
      X500Name name = name("Vigil local CA");
      var builder = new JcaX509v3CertificateBuilder(name, serial(), Date.from(from),
          Date.from(from.plus(CA_VALIDITY)), name, pair.getPublic());
      try {
        var ext = new JcaX509ExtensionUtils();
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
        builder.addExtension(Extension.keyUsage, true,
            new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        builder.addExtension(Extension.subjectKeyIdentifier, false,
            ext.createSubjectKeyIdentifier(pair.getPublic()));
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
      X509Certificate cert = sign(builder, pair.getPrivate());
      writeKey(dir.resolve("ca.key"), pair.getPrivate());
      writePem(dir.resolve("ca.pem"), cert);
      authority = new LocalAuthority(dir, cert, pair.getPrivate(), clock);
    }
    if (!Files.exists(dir.resolve("server.pem")) || !Files.exists(dir.resolve("server.key"))) {
      authority.issueServer("server", List.of("localhost"));
    }
    for (String client : CLIENTS.keySet()) {
      if (!Files.exists(dir.resolve(client + ".pem"))
          || !Files.exists(dir.resolve(client + ".key"))) {
        authority.issueClient(client);
      }
    }
    Path roles = dir.resolve("roles.yaml");
    if (!Files.exists(roles)) {
      var text = new StringBuilder("# Who may call what: a client certificate's identity (its URI"
          + " SAN, such as\n# spiffe://bank.example/payments/core, else its subject CN) -> roles."
          + "\n# Roles: scorer, producer, analyst, model-admin, policy-admin, policy-approver,"
          + " viewer, metrics.\n# A policy proposed (policy-admin) serves once another identity"
          + " approves it (policy-approver).\n# Reread on change.\n");
      for (String client : List.of("scorer", "producer", "analyst", "prometheus", "admin")) {
        text.append(client).append(": [").append(String.join(", ",
            CLIENTS.get(client).stream().map(Role::id).toList())).append("]\n");
      }
      atomically(roles, text.toString(), false);
    }
    return authority;
  }

  /** The CA's certificate. */
  public X509Certificate certificate() {
    return ca;
  }

  /**
   * Issues {@code name}.pem and {@code name}.key: a server certificate for localhost, 127.0.0.1,
   * ::1 and {@code hosts}, valid {@link #LEAF_VALIDITY} from now. Replaces files of that name.
   */
  public X509Certificate issueServer(String name, List<String> hosts) throws IOException {
    var names = new ArrayList<GeneralName>();
    for (String host : hosts) {
      names.add(new GeneralName(GeneralName.dNSName, host));
    }
    names.add(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
    names.add(new GeneralName(GeneralName.iPAddress, "::1"));
    Instant from = clock.instant().minus(Duration.ofHours(1));
    return issue(name, "Vigil scoring service", names, KeyPurposeId.id_kp_serverAuth, from,
        from.plus(LEAF_VALIDITY));
  }

  /** Issues {@code name}.pem and {@code name}.key: a client certificate whose CN is the name. */
  public X509Certificate issueClient(String name) throws IOException {
    Instant from = clock.instant().minus(Duration.ofHours(1));
    return issueClient(name, null, from, from.plus(LEAF_VALIDITY));
  }

  /**
   * Issues {@code file}.pem and {@code file}.key: a client certificate with subject CN {@code
   * commonName}, the URI SAN {@code uri} when not null, valid from {@code from} to {@code to}.
   */
  public X509Certificate issueClient(String file, String uri, Instant from, Instant to)
      throws IOException {
    List<GeneralName> names = uri == null ? List.of()
        : List.of(new GeneralName(GeneralName.uniformResourceIdentifier, uri));
    return issue(file, file, names, KeyPurposeId.id_kp_clientAuth, from, to);
  }

  private X509Certificate issue(String file, String commonName, List<GeneralName> altNames,
      KeyPurposeId purpose, Instant from, Instant to) throws IOException {
    KeyPair pair = newKeyPair();
    var builder = new JcaX509v3CertificateBuilder(ca, serial(), Date.from(from), Date.from(to),
        name(commonName), pair.getPublic());
    try {
      var ext = new JcaX509ExtensionUtils();
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      builder.addExtension(Extension.keyUsage, true,
          new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
      builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
      builder.addExtension(Extension.authorityKeyIdentifier, false,
          ext.createAuthorityKeyIdentifier(ca));
      if (!altNames.isEmpty()) {
        builder.addExtension(Extension.subjectAlternativeName, false,
            new GeneralNames(altNames.toArray(GeneralName[]::new)));
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
    X509Certificate cert = sign(builder, caKey);
    // the key first: a reader that sees the new certificate finds its key already there
    writeKey(dir.resolve(file + ".key"), pair.getPrivate());
    writePem(dir.resolve(file + ".pem"), cert);
    return cert;
  }

  /** CN={@code commonName}, O=Vigil. */
  private static X500Name name(String commonName) {
    return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName)
        .addRDN(BCStyle.O, "Vigil").build();
  }

  private static X509Certificate sign(JcaX509v3CertificateBuilder builder, PrivateKey key) {
    try {
      X509CertificateHolder holder = builder.build(
          new JcaContentSignerBuilder("SHA256withECDSA").build(key));
      return new JcaX509CertificateConverter().getCertificate(holder);
    } catch (OperatorCreationException | GeneralSecurityException e) {
      throw new IllegalStateException("could not sign a certificate", e);
    }
  }

  private static KeyPair newKeyPair() {
    try {
      var generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no EC P-256 key generator in this JVM", e);
    }
  }

  private static BigInteger serial() {
    return new BigInteger(127, RANDOM).add(BigInteger.ONE);
  }

  private static void writePem(Path file, Object object) throws IOException {
    atomically(file, pem(object), false);
  }

  /** Writes a private key as PKCS#8 PEM, readable and writable by its owner only. */
  private static void writeKey(Path file, PrivateKey key) throws IOException {
    atomically(file, pem(new JcaPKCS8Generator(key, null)), true);
  }

  private static String pem(Object object) throws IOException {
    var text = new StringWriter();
    try (var pem = new JcaPEMWriter(text)) {
      pem.writeObject(object);
    }
    return text.toString();
  }

  /**
   * Writes {@code text} to a sibling file, then moves it over {@code file} in one step: a reader
   * (the service's reload) sees the old file or the new one, never half of one.
   *
   * @param ownerOnly the file is readable and writable by its owner only, from its creation
   */
  private static void atomically(Path file, String text, boolean ownerOnly) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    if (ownerOnly) {
      try {
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(
            PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException e) {
        Files.createFile(tmp); // not a POSIX file system
      }
    }
    try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.US_ASCII)) {
      w.write(text);
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static X509Certificate readCertificate(Path file) throws IOException {
    try (var parser = new PEMParser(Files.newBufferedReader(file))) {
      Object o = parser.readObject();
      if (!(o instanceof X509CertificateHolder holder)) {
        throw new IOException(file + ": no certificate");
      }
      return new JcaX509CertificateConverter().getCertificate(holder);
    } catch (GeneralSecurityException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
  }

  private static PrivateKey readKey(Path file) throws IOException {
    try (var parser = new PEMParser(Files.newBufferedReader(file))) {
      Object o = parser.readObject();
      if (!(o instanceof PrivateKeyInfo info)) {
        throw new IOException(file + ": no PKCS#8 private key");
      }
      return new JcaPEMKeyConverter().getPrivateKey(info);
    }
  }
}
