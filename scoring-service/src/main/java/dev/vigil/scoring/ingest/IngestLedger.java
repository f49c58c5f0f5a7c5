package dev.vigil.scoring.ingest;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.rocksdb.Options;
import org.rocksdb.RocksDBException;
import org.rocksdb.TtlDB;

/**
 * The ids of events the events topic has acknowledged, kept for a retention window, so that a
 * resent event is answered DUPLICATE instead of stored twice. One per replica, in its state
 * directory: it knows what this replica stored, not what another did (the job's dedupe by event
 * id folds such an event once).
 */
public interface IngestLedger extends AutoCloseable {

  /**
   * Opens (creating it) the ledger in {@code dir}: a RocksDB TTL database.
   *
   * @throws IllegalStateException if it cannot be opened
   */
  static IngestLedger open(Path dir, Duration retention) {
    return new Rocks(dir, retention);
  }

  /**
   * True if {@code eventId} was acknowledged within the retention window.
   *
   * @throws IllegalStateException if the ledger cannot be read
   */
  boolean contains(String eventId);

  /**
   * Notes that {@code eventId} was acknowledged.
   *
   * @throws IllegalStateException if the ledger cannot be written
   */
  void record(String eventId, long ackedAtMillis);

  @Override
  void close();

  /** The ledger in a RocksDB TTL database. */
  final class Rocks implements IngestLedger {
    private final Options options;
    private final TtlDB db;

    private Rocks(Path dir, Duration retention) {
      try {
        Files.createDirectories(dir);
        options = new Options().setCreateIfMissing(true);
        db = TtlDB.open(options, dir.toString(), (int) retention.toSeconds(), false);
      } catch (RocksDBException | IOException e) {
        throw new IllegalStateException("cannot open the ingest ledger at " + dir, e);
      }
    }

    @Override
    public boolean contains(String eventId) {
      try {
        return db.get(eventId.getBytes(StandardCharsets.UTF_8)) != null;
      } catch (RocksDBException e) {
        throw new IllegalStateException("cannot read the ingest ledger", e);
      }
    }

    @Override
    public void record(String eventId, long ackedAtMillis) {
      try {
        db.put(eventId.getBytes(StandardCharsets.UTF_8),
            ByteBuffer.allocate(8).putLong(ackedAtMillis).array());
      } catch (RocksDBException e) {
        throw new IllegalStateException("cannot write the ingest ledger", e);
      }
    }

    @Override
    public void close() {
      db.close();
      options.close();
    }
  }
}
