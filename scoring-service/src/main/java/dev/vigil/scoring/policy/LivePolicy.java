package dev.vigil.scoring.policy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The policy in force, reloaded without a restart when its file changes. A changed file that does
 * not validate is refused with a logged error naming the problem, and the previous policy keeps
 * serving.
 */
public final class LivePolicy implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LivePolicy.class);

  /** The outcome of a reload attempt. */
  public record Reload(boolean loaded, String version, String error) {}

  private final Path file;
  private final Consumer<Reload> listener;
  private final ScheduledExecutorService watcher;
  private volatile Policy current;
  private FileTime seen;

  /**
   * Loads {@code file} (which must be valid: the service does not start on a bad policy) and, when
   * {@code pollMillis} is positive, checks it for changes that often.
   */
  public LivePolicy(Path file, long pollMillis, Consumer<Reload> listener) throws IOException {
    this.file = file;
    this.listener = listener;
    this.seen = Files.getLastModifiedTime(file);
    this.current = Policy.parse(Files.readString(file, StandardCharsets.UTF_8));
    log.info("policy {} loaded from {}", current.version(), file);
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
    return current;
  }

  private void reloadIfChanged() {
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
      Policy next = Policy.parse(Files.readString(file, StandardCharsets.UTF_8));
      current = next;
      log.info("policy {} loaded from {}", next.version(), file);
      outcome = new Reload(true, next.version(), null);
    } catch (IOException | Policy.InvalidPolicyException e) {
      log.error("policy in {} refused, still serving {}: {}", file, current.version(),
          e.getMessage());
      outcome = new Reload(false, current.version(), e.getMessage());
    } catch (RuntimeException e) {
      // a shape validation did not foresee: refused all the same, and the watcher goes on
      log.error("policy in {} refused (unexpected {}), still serving {}", file, e,
          current.version());
      outcome = new Reload(false, current.version(), e.toString());
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
