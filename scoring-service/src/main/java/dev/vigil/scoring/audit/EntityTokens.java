package dev.vigil.scoring.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keyed tokens instead of personal data in audit records: an entity ({@code ACCOUNT/a-1}, a
 * check's MICR line...) is recorded as its type and the HMAC-SHA-256 of the whole key under a
 * secret key ({@code ACCOUNT/9f86d0...}), and the request's hash is keyed the same way, so that
 * nobody without the key can confirm a guess. An analyst with the key finds an account's
 * decisions by computing its token ({@code ./vigil audit token ACCOUNT/a-1}).
 *
 * <p>The key is 32 random bytes in a file ({@code vigil.audit.token-key-file}; by default {@code
 * <state-dir>/audit-token.key}, created with owner-only permissions on first start). Each record
 * names the key that made its tokens ({@code token_key_id}: the first 16 hex digits of the key's
 * SHA-256). Rotation: write a new key file and restart; keep the old file to look up the records
 * it made.
 *
 * <p>Replicas must be given one key file (distributed as a TLS key is): the default, one per
 * state directory, suits a single instance only, since two replicas that each create theirs give
 * one account two tokens. {@code ./vigil audit verify} reports writers whose records were made
 * with different keys at the same time.
 */
public final class EntityTokens {
  private static final Logger log = LoggerFactory.getLogger(EntityTokens.class);
  private static final HexFormat HEX = HexFormat.of();
  private final String keyId;
  /** One initialised MAC per thread: looking one up and keying it costs more than using it. */
  private final ThreadLocal<Mac> macs;

  private EntityTokens(byte[] key) {
    var spec = new SecretKeySpec(key, "HmacSHA256");
    macs = ThreadLocal.withInitial(() -> {
      try {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(spec);
        return mac;
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    });
    try {
      keyId = HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(key)).substring(0, 16);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The tokens of the key in {@code file}, creating the file with a new random key (owner-only
   * permissions where the file system has them) when it does not exist.
   *
   * @throws UncheckedIOException if the file cannot be read or created
   * @throws IllegalArgumentException if it holds fewer than 32 bytes
   */
  public static EntityTokens fromKeyFile(Path file) {
    try {
      boolean created = !Files.exists(file);
      if (created) {
        Files.createDirectories(file.toAbsolutePath().getParent());
        byte[] fresh = new byte[32];
        new SecureRandom().nextBytes(fresh);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try { // owner-only from its creation, never readable by others even for a moment
          Files.createFile(tmp, PosixFilePermissions.asFileAttribute(
              PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
          Files.createFile(tmp); // the file system's own protection applies
        }
        Files.write(tmp, fresh);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
      }
      byte[] key = Files.readAllBytes(file);
      if (key.length < 32) {
        throw new IllegalArgumentException("vigil.audit.token-key-file: " + file + " holds "
            + key.length + " bytes; a key needs at least 32");
      }
      var tokens = new EntityTokens(key);
      log.info("audit tokens are made with key {} from {}{}", tokens.keyId(), file, created
          ? " (created now: replicas of one service must all be given this one file)" : "");
      return tokens;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create the audit token key " + file, e);
    }
  }

  /** Which key made the tokens: the first 16 hex digits of its SHA-256. */
  public String keyId() {
    return keyId;
  }

  /** {@code TYPE/id} as {@code TYPE/<hex HMAC of "TYPE/id">}. */
  public String token(String entityKey) {
    int slash = entityKey.indexOf('/');
    String type = slash > 0 ? entityKey.substring(0, slash) : "ENTITY";
    return type + "/" + mac(entityKey.getBytes(StandardCharsets.UTF_8));
  }

  /** The keyed hash of a request's bytes, hex. */
  public String hash(byte[] bytes) {
    return mac(bytes);
  }

  private String mac(byte[] bytes) {
    return HEX.formatHex(macs.get().doFinal(bytes)); // doFinal resets it for the next use
  }
}
