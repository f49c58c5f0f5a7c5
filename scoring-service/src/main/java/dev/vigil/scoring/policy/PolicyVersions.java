package dev.vigil.scoring.policy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Every policy text that has served, kept in a directory (the service's {@code
 * <state-dir>/policies}): each text once, as {@code <sha256>.yaml}, and an index ({@code
 * versions.jsonl}, one JSON line per version, appended and forced to disk) that gives each
 * activation a version, counting up from 1. A text becomes a new version when it begins to serve
 * after a different one; the same text loaded again (a restart, a file touched but unchanged) is
 * the version already serving. The files outlive the process: a restart continues the count, and
 * {@code ./vigil audit replay} reads the texts a decision's record names.
 */
public final class PolicyVersions {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String INDEX = "versions.jsonl";

  /**
   * One version.
   *
   * @param sha256 of the text's bytes, lowercase hex
   * @param label the policy's own {@code version:} field
   * @param activatedAtMillis when it began to serve
   * @param source what made it serve: {@code file:PATH} or {@code api:IDENTITY}; or {@code
   *     shadow:CALLER} for a shadow policy's text (kept, never served)
   */
  public record Kept(long version, String sha256, String label, long activatedAtMillis,
      String source) {
    /** True for a shadow policy's text, kept but never served. */
    public boolean shadow() {
      return source.startsWith(SHADOW);
    }
  }

  /** The source of a shadow policy's version: {@code shadow:CALLER}. */
  public static final String SHADOW = "shadow:";

  private final Path dir;
  private final List<Kept> versions;

  private PolicyVersions(Path dir, List<Kept> versions) {
    this.dir = dir;
    this.versions = versions;
  }

  /**
   * The versions kept in {@code dir}, created when it does not exist.
   *
   * @throws IOException if the directory or its index cannot be read, or a line of the index is
   *     damaged (named by its line number)
   */
  public static PolicyVersions open(Path dir) throws IOException {
    Files.createDirectories(dir);
    var versions = new ArrayList<Kept>();
    Path index = dir.resolve(INDEX);
    List<String> lines = ForcedLines.read(index);
    for (int i = 0; i < lines.size(); i++) {
      if (!lines.get(i).isBlank()) {
        versions.add(ForcedLines.parse(JSON, index, i, lines.get(i), Kept.class));
      }
    }
    return new PolicyVersions(dir, versions);
  }

  /** SHA-256 of {@code bytes}, lowercase hex. */
  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  /**
   * Records {@code text} as serving from {@code atMillis}: the version serving already when it is
   * the same text, else a new version (its text kept first, then its index line, forced).
   *
   * @throws UncheckedIOException if it cannot be written
   */
  public synchronized Kept activate(byte[] text, String label, String source, long atMillis) {
    String sha = sha256(text);
    Optional<Kept> serving = versions.stream().filter(k -> !k.shadow())
        .reduce((first, second) -> second);
    if (serving.isPresent() && serving.get().sha256().equals(sha)) {
      return serving.get();
    }
    return keep(text, sha, label, source, atMillis);
  }

  /**
   * Keeps {@code text} as a version that does not serve: a shadow policy's, started by {@code
   * caller} ({@code shadow:CALLER}); the same text kept already is that version.
   *
   * @throws UncheckedIOException if it cannot be written
   */
  public synchronized Kept keepShadow(byte[] text, String label, String caller, long atMillis) {
    String sha = sha256(text);
    Optional<Kept> same = versions.stream().filter(k -> k.sha256().equals(sha)).findFirst();
    return same.orElseGet(() -> keep(text, sha, label, SHADOW + caller, atMillis));
  }

  private Kept keep(byte[] text, String sha, String label, String source, long atMillis) {
    var kept = new Kept(versions.isEmpty() ? 1 : versions.get(versions.size() - 1).version() + 1,
        sha, label, atMillis, source);
    try {
      Path file = dir.resolve(sha + ".yaml");
      if (!Files.exists(file)) {
        Path tmp = dir.resolve(sha + ".yaml.tmp");
        Files.write(tmp, text);
        try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
          c.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      }
      ForcedLines.append(JSON, dir.resolve(INDEX), kept);
    } catch (IOException e) {
      throw new UncheckedIOException("policy versions in " + dir + ": " + e.getMessage(), e);
    }
    versions.add(kept);
    return kept;
  }

  /** Every version, oldest first. */
  public synchronized List<Kept> all() {
    return List.copyOf(versions);
  }

  /** The newest version, if any. */
  public synchronized Optional<Kept> latest() {
    return versions.isEmpty() ? Optional.empty() : Optional.of(versions.get(versions.size() - 1));
  }

  /** The version numbered {@code version}. */
  public synchronized Optional<Kept> version(long version) {
    return versions.stream().filter(k -> k.version() == version).findFirst();
  }

  /**
   * The text whose SHA-256 is {@code sha256}, if kept (and still whole: a file whose bytes no
   * longer hash to its name is not returned).
   */
  public Optional<byte[]> text(String sha256) {
    if (!sha256.matches("[0-9a-f]{64}")) {
      return Optional.empty();
    }
    Path file = dir.resolve(sha256 + ".yaml");
    try {
      byte[] bytes = Files.readAllBytes(file);
      return sha256(bytes).equals(sha256) ? Optional.of(bytes) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** Where the versions are kept. */
  public Path dir() {
    return dir;
  }
}
