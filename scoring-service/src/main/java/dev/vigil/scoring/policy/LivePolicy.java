package dev.vigil.scoring.policy;

import dev.vigil.proto.v1.PolicyRef;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The policy in force, reloaded without a restart when its file changes. A changed file that does
 * not validate is refused with a logged error naming the problem, and the previous policy keeps
 * serving. Each text that serves is kept as a version ({@link PolicyVersions}); {@link #activate}
 * serves a text approved through the API, written to the file first so that a restart serves it
 * too.
 */
public final class LivePolicy implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LivePolicy.class);

  /** The outcome of a reload attempt. */
  public record Reload(boolean loaded, String version, String error) {}

  /**
   * The policy serving and its kept version; {@code ref} is the version as the audit record names
   * it, made once per load (a constant of each call).
   */
  public record Served(Policy policy, PolicyVersions.Kept kept, PolicyRef ref) {
    static Served of(Policy policy, PolicyVersions.Kept kept) {
      return new Served(policy, kept, PolicyRef.newBuilder().setVersion(kept.version())
          .setSha256(kept.sha256()).build());
    }
  }

  private final Path file;
  private final PolicyVersions versions;
  private final Clock clock;
  private final Consumer<Reload> listener;
  private final ScheduledExecutorService watcher;
  private volatile Served current;
  private FileTime seen;

  /**
   * Loads {@code file} (which must be valid: the service does not start on a bad policy), keeps
   * it as a version in {@code versions} (the version already serving when its text is the newest
   * kept) and, when {@code pollMillis} is positive, checks it for changes that often.
   *
   * @param clock when a version began to serve
   */
  public LivePolicy(Path file, long pollMillis, PolicyVersions versions, Clock clock,
      Consumer<Reload> listener) throws IOException {
    this.file = file;
    this.versions = versions;
    this.clock = clock;
    this.listener = listener;
    this.seen = Files.getLastModifiedTime(file);
    try {
      this.current = load(Files.readAllBytes(file), "file:" + file);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    log.info("policy {} (version {}) loaded from {}", current.policy().version(),
        current.kept().version(), file);
    if (pollMillis > 0) {
      watcher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "policy-watch");
        t.setDaemon(true);
        return t;
      });
      watcher.scheduleWithFixedDelay(this::reloadIfChanged, pollMillis, pollMillis,
          TimeUnit.MILLISECONDS);
    } else {
      watcher = null;
    }
  }

  public Policy current() {
    return current.policy();
  }

  /** The policy serving with its kept version. */
  public Served served() {
    return current;
  }

  /** Every version kept. */
  public PolicyVersions versions() {
    return versions;
  }

  private Served load(byte[] text, String source) {
    Policy policy = Policy.parse(new String(text, StandardCharsets.UTF_8));
    return Served.of(policy, versions.activate(text, policy.version(), source, clock.millis()));
  }

  /** The version serving is not the one an activation was made against. */
  public static final class StaleException extends Exception {
    StaleException(long expected, long serving) {
      super("proposed against version " + expected + ", but version " + serving
          + " serves now");
    }
  }

  /**
   * Serves {@code yaml} from now on, as a new version made by {@code source} ({@code
   * api:PROPOSER+APPROVER}), provided version {@code baseVersion} is still the one serving:
   * validated, written to the policy file (replacing it whole), kept, served. The check and the
   * change are one step: no reload or other activation comes between them.
   *
   * @throws StaleException when another version serves now (nothing changed then)
   * @throws Policy.InvalidPolicyException naming the problem when it does not validate
   * @throws IOException when the policy file cannot be written (nothing changed then)
   */
  public synchronized Served activate(String yaml, String source, long baseVersion)
      throws IOException, StaleException {
    if (current.kept().version() != baseVersion) {
      throw new StaleException(baseVersion, current.kept().version());
    }
    byte[] text = yaml.getBytes(StandardCharsets.UTF_8);
    Policy.parse(yaml); // refused before anything is written
    byte[] before = Files.readAllBytes(file);
    replaceFile(text);
    try {
      current = load(text, source);
    } catch (UncheckedIOException e) {
      // not kept, so not served: the file goes back to the text serving, or the watcher would
      // serve the refused activation as a file edit
      replaceFile(before);
      seen = Files.getLastModifiedTime(file);
      throw e.getCause();
    }
    seen = Files.getLastModifiedTime(file);
    log.info("policy {} (version {}) activated by {}", current.policy().version(),
        current.kept().version(), source);
    listener.accept(new Reload(true, current.policy().version(), null));
    return current;
  }

  private void replaceFile(byte[] text) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".activating");
    Files.write(tmp, text);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private synchronized void reloadIfChanged() {
    try {
      FileTime modified = Files.getLastModifiedTime(file);
      if (!modified.equals(seen)) {
        seen = modified;
        reload();
      }
    } catch (IOException | RuntimeException e) {
      // never let the watcher's task end: a scheduled task that throws is never run again
      log.warn("policy file {} unreadable: {}", file, e.toString());
    }
  }

  /** Reads the file again; keeps the current policy if the new one is refused. */
  public synchronized Reload reload() {
    Reload outcome;
    try {
      Served next = load(Files.readAllBytes(file), "file:" + file);
      current = next;
      log.info("policy {} (version {}) loaded from {}", next.policy().version(),
          next.kept().version(), file);
      outcome = new Reload(true, next.policy().version(), null);
    } catch (IOException | UncheckedIOException | Policy.InvalidPolicyException e) {
      log.error("policy in {} refused, still serving {}: {}", file, current.policy().version(),
          e.getMessage());
      outcome = new Reload(false, current.policy().version(), e.getMessage());
    } catch (RuntimeException e) {
      // a shape validation did not foresee: refused all the same, and the watcher goes on
      log.error("policy in {} refused (unexpected {}), still serving {}", file, e,
          current.policy().version());
      outcome = new Reload(false, current.policy().version(), e.toString());
    }
    listener.accept(outcome);
    return outcome;
  }

  @Override
  public void close() {
    if (watcher != null) {
      watcher.shutdownNow();
    }
  }
}
