package dev.vigil.scoring.ingest;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.rocksdb.Options;
import org.rocksdb.RocksDBException;
import org.rocksdb.TtlDB;

/**
 * The ids of events the events topic has acknowledged, kept for a retention window (a RocksDB
 * TTL database), so that a resent event is answered DUPLICATE instead of stored twice.
 */
public final class IngestLedger implements AutoCloseable {
  private final Options options;
  private final TtlDB db;

  public IngestLedger(Path dir, Duration retention) {
    try {
      Files.createDirectories(dir);
      options = new Options().setCreateIfMissing(true);
      db = TtlDB.open(options, dir.toString(), (int) retention.toSeconds(), false);
    } catch (RocksDBException | java.io.IOException e) {
      throw new IllegalStateException("cannot open the ingest ledger at " + dir, e);
    }
  }

  public boolean contains(String eventId) {
    try {
      return db.get(eventId.getBytes(StandardCharsets.UTF_8)) != null;
    } catch (RocksDBException e) {
      throw new IllegalStateException("cannot read the ingest ledger", e);
    }
  }

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
