package dev.vigil.scoring.audit;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A durable, bounded, append-only spool of audit records on the service's disk ({@link
 * SegmentLog}), and the drainer that delivers them to the decisions topic in the order they were
 * written, each once as the topic's readers see it ({@link TopicSender}). Scoring appends and goes
 * on: it never waits for Kafka.
 *
 * <p>An append returns once its record is written to the current segment, so a record survives
 * the process being killed; appends that overlap share one {@code write} (group commit, {@link
 * SegmentLog}); segments are {@code fsync}ed in batches every {@link Settings#syncEvery()} (a
 * machine that loses power may lose that much). Each record carries the
 * previous record's chain hash and its own ({@link AuditChain}), delivered as headers {@code
 * vigil.prev} and {@code vigil.hash}: an altered, removed or inserted record breaks the chain.
 *
 * <p>Exactly once: every record goes to one partition of the topic with headers {@code
 * vigil.spool} (the spool id) and {@code vigil.seq} (its sequence); after a failure, or on open,
 * delivery resumes after the highest sequence of this spool found on the partition, so a record
 * delivered before a crash but not yet noted is not sent twice, and none is skipped.
 */
public final class AuditSpool implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AuditSpool.class);
  static final String SPOOL_HEADER = "vigil.spool";
  static final String SEQ_HEADER = "vigil.seq";
  static final String HASH_HEADER = "vigil.hash";
  static final String PREVIOUS_HEADER = "vigil.prev";

  /** What an append does when the spool holds {@link Settings#maxBytes()} already. */
  public enum WhenFull {
    /** The record is not kept and the append says so: the call is refused (UNAVAILABLE). */
    REFUSE,
    /** The record is not kept, counted and logged by audit id; the call is answered. */
    COUNT
  }

  /**
   * How the spool is kept.
   *
   * @param dir where the spool's files live (the service's state directory)
   * @param maxBytes the most the spool's segments may hold on disk, delivered or not
   * @param whenFull what an append does when the spool is full
   * @param syncEvery how often appended records are forced to disk
   * @param segmentBytes the size at which a new segment file is started (delivered segments are
   *     deleted whole)
   */
  public record Settings(Path dir, long maxBytes, WhenFull whenFull, Duration syncEvery,
      long segmentBytes) {
    public Settings {
      Objects.requireNonNull(dir, "dir");
      Objects.requireNonNull(whenFull, "whenFull");
      if (segmentBytes < 1024 || maxBytes < segmentBytes) {
        throw new IllegalArgumentException("vigil.audit.spool-max-mb: " + maxBytes
            + " bytes must be at least one segment (" + segmentBytes
            + " bytes), and a segment at least 1 KiB");
      }
      if (syncEvery.isNegative() || syncEvery.isZero()) {
        throw new IllegalArgumentException("vigil.audit.sync-ms: " + syncEvery.toMillis()
            + " must be positive");
      }
    }

    /** {@code maxBytes} with 64 MiB segments (or a quarter of it, if smaller). */
    public static Settings of(Path dir, long maxBytes, WhenFull whenFull, Duration syncEvery) {
      return new Settings(dir, maxBytes, whenFull, syncEvery,
          Math.max(1024, Math.min(64L << 20, maxBytes / 4)));
    }
  }

  /** What became of an append. */
  public enum Appended { KEPT, REFUSED, DROPPED }


  private final SegmentLog segments;
  private final TopicSender sender;

  /**
   * Opens the spool in {@code settings.dir()} (creating it), cuts off a torn last frame, and
   * starts the drainer toward {@code topic}.
   *
   * @param kafka the Kafka client settings (bootstrap servers, security) the drainer's producer and
   *     its recovery reader use
   * @throws UncheckedIOException if the directory cannot be read or written
   */
  public AuditSpool(Settings settings, Properties kafka, String topic) {
    segments = new SegmentLog(settings);
    sender = new TopicSender(segments, kafka, topic);
    log.info("audit spool {} at {}: {} records to deliver", segments.id(), settings.dir(),
        pending());
  }

  /**
   * Appends one record; the caller may answer its call once this returns KEPT.
   *
   * @return KEPT; or, when the spool is full, REFUSED or DROPPED as configured (the record is not
   *     kept either way, and counted)
   * @throws UncheckedIOException if the disk refuses the write
   */
  public Appended append(byte[] key, byte[] value, long timestampMillis) {
    return segments.append(key, value, timestampMillis);
  }

  /** Records appended and not yet delivered. */
  public long pending() {
    return segments.pending();
  }

  /** Bytes the spool's segments hold on disk. */
  public long bytes() {
    return segments.bytes();
  }

  /** Records delivered to the topic since this spool opened. */
  public long delivered() {
    return sender.delivered();
  }

  /** Times a delivery failed (the drainer reconnects and resumes). */
  public long deliveryFailures() {
    return sender.deliveryFailures();
  }

  /** Records not kept because the spool was full. */
  public long notKept() {
    return segments.notKept();
  }

  /**
   * Writes to the segment files since this spool opened: one per append when appends do not
   * overlap, fewer when they do (each write takes every record waiting).
   */
  public long writes() {
    return segments.writes();
  }

  /** This spool's id, as its records' {@code vigil.spool} header carries it. */
  public String id() {
    return segments.id();
  }

  /**
   * Stops the drainer (waiting up to {@code drainFor} for what is spooled to be delivered first)
   * and forces the spool to disk. What is not delivered stays for the next start.
   */
  public void close(Duration drainFor) throws InterruptedException {
    long until = System.nanoTime() + drainFor.toNanos();
    while (pending() > 0 && System.nanoTime() < until) {
      Thread.sleep(20);
    }
    sender.close();
    segments.close();
  }

  @Override
  public void close() throws InterruptedException {
    close(Duration.ofSeconds(10));
  }

  static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }
}
