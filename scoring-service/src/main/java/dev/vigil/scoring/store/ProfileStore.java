package dev.vigil.scoring.store;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.vigil.features.profile.EntityKey;
import dev.vigil.features.profile.EntityType;
import dev.vigil.proto.v1.ProfileRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.DataBlockIndexType;
import org.rocksdb.LRUCache;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The service's online store: the newest version of every entity's profile, in an embedded RocksDB
 * with one column family per entity type, materialised from the profiles topic.
 *
 * <p>Values are the 8-byte version followed by the {@code vigil.v1.ProfileRecord}. A record whose
 * version is not newer than the stored one is ignored, so replays and at-least-once duplicates
 * change nothing. The consumer's next offset per partition is written in the same atomic batch as
 * the profiles it covers: after a crash the store resumes exactly where its data stops.
 *
 * <p>Thread-safe: RocksDB handles concurrent readers and the single writer.
 */
public final class ProfileStore implements AutoCloseable {
  static {
    RocksDB.loadLibrary();
  }

  /** Sizing: the block cache shared by all column families, and bloom filter bits per key. */
  public record Settings(long blockCacheBytes, double bloomBitsPerKey) {
    public static final Settings DEFAULT = new Settings(256L << 20, 10);
  }

  private static final byte[] OFFSETS = "offsets".getBytes(StandardCharsets.UTF_8);

  private final RocksDB db;
  private final LRUCache cache;
  private final DBOptions dbOptions;
  private final ColumnFamilyOptions cfOptions;
  private final List<ColumnFamilyHandle> handles = new ArrayList<>();
  private final Map<EntityType, ColumnFamilyHandle> families = new EnumMap<>(EntityType.class);
  private final ColumnFamilyHandle meta;
  private final WriteOptions writeOptions = new WriteOptions();
  /** Shared by every read: never changed after construction. */
  private final ReadOptions readOptions = new ReadOptions();
  private final List<Consumer<List<EntityKey>>> writeListeners = new CopyOnWriteArrayList<>();

  /**
   * Opens the store in {@code dir}; if RocksDB finds it corrupt or missing files, moves it aside to
   * {@code <dir>.unreadable} (replacing an older one there) and opens an empty store, which the
   * materialiser rebuilds from the compacted profiles topic (an empty store has no offsets).
   *
   * @param rebuilt told why, when the store had to be rebuilt
   * @throws IllegalStateException if even a new, empty store cannot be opened
   */
  public static ProfileStore openOrRebuild(Path dir, Settings settings,
      Consumer<String> rebuilt) {
    try {
      return new ProfileStore(dir, settings);
    } catch (IllegalStateException e) {
      if (!damaged(e.getCause())) {
        throw e;
      }
      String why = String.valueOf(e.getCause());
      Path aside = dir.resolveSibling(dir.getFileName() + ".unreadable");
      try {
        if (Files.exists(aside)) {
          try (var files = Files.walk(aside)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
              Files.delete(f);
            }
          }
        }
        Files.move(dir, aside);
      } catch (IOException io) {
        throw new IllegalStateException("cannot open the profile store at " + dir + " (" + why
            + ") nor move it aside: " + io, e);
      }
      rebuilt.accept(why);
      return new ProfileStore(dir, settings);
    }
  }

  /**
   * True if RocksDB refused to open because the store's files are damaged or missing: never when
   * another opener holds its lock (a second process on the same directory must not move the
   * live store aside).
   */
  private static boolean damaged(Throwable cause) {
    if (!(cause instanceof RocksDBException r) || r.getStatus() == null) {
      return false;
    }
    String message = String.valueOf(r.getMessage());
    return switch (r.getStatus().getCode()) {
      case Corruption -> true;
      case IOError, NotFound -> !message.contains("/LOCK");
      default -> false;
    };
  }

  public ProfileStore(Path dir, Settings settings) {
    try {
      Files.createDirectories(dir);
      cache = new LRUCache(settings.blockCacheBytes());
      // point lookups only: a hash index inside each data block, whole-key bloom filters kept
      // in the block cache with the index (pinned for level 0), one shared cache for all
      var table = new BlockBasedTableConfig().setBlockCache(cache)
          .setFilterPolicy(new BloomFilter(settings.bloomBitsPerKey(), false))
          .setCacheIndexAndFilterBlocks(true)
          .setPinL0FilterAndIndexBlocksInCache(true)
          .setDataBlockIndexType(DataBlockIndexType.kDataBlockBinaryAndHash);
      // (optimizeForPointLookup would replace this table configuration with its own)
      cfOptions = new ColumnFamilyOptions().setTableFormatConfig(table)
          .setLevelCompactionDynamicLevelBytes(true);
      dbOptions = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true);
      var descriptors = new ArrayList<ColumnFamilyDescriptor>();
      descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfOptions));
      for (EntityType type : EntityType.values()) {
        descriptors.add(new ColumnFamilyDescriptor(
            type.name().getBytes(StandardCharsets.UTF_8), cfOptions));
      }
      db = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
      meta = handles.get(0);
      for (EntityType type : EntityType.values()) {
        families.put(type, handles.get(1 + type.ordinal()));
      }
    } catch (RocksDBException | IOException e) {
      throw new IllegalStateException("cannot open the profile store at " + dir, e);
    }
  }

  /** One profile record read from the profiles topic. */
  public record Update(EntityKey key, ProfileRecord record) {}

  /**
   * Applies a batch of updates atomically with the offsets that follow the records they came
   * from ({@code nextOffsets}: partition to the next offset to read, unreadable records
   * included). Returns how many profiles were newer than what the store held.
   */
  public int apply(String topic, List<Update> updates, Map<Integer, Long> nextOffsets) {
    if (updates.isEmpty() && nextOffsets.isEmpty()) {
      return 0;
    }
    Map<EntityKey, Long> newest = new HashMap<>();
    Map<EntityKey, Update> winners = new HashMap<>();
    for (Update u : updates) {
      Long seen = newest.get(u.key());
      if (seen == null || u.record().getVersion() > seen) {
        newest.put(u.key(), u.record().getVersion());
        winners.put(u.key(), u);
      }
    }
    var keys = new ArrayList<>(winners.keySet());
    List<byte[]> stored = readRaw(keys);
    var written = new ArrayList<EntityKey>(keys.size());
    try (var batch = new WriteBatch()) {
      for (int i = 0; i < keys.size(); i++) {
        Update u = winners.get(keys.get(i));
        byte[] current = stored.get(i);
        if (current != null && ByteBuffer.wrap(current).getLong() >= u.record().getVersion()) {
          continue;
        }
        byte[] value = ByteBuffer.allocate(8 + u.record().getSerializedSize())
            .putLong(u.record().getVersion()).put(u.record().toByteArray()).array();
        batch.put(families.get(u.key().type()), id(u.key()), value);
        written.add(u.key());
      }
      for (var e : nextOffsets.entrySet()) {
        batch.put(meta, offsetKey(topic, e.getKey()), ByteBuffer.allocate(8).putLong(e.getValue())
            .array());
      }
      db.write(writeOptions, batch);
    } catch (RocksDBException e) {
      throw new IllegalStateException("cannot write to the profile store", e);
    }
    if (!written.isEmpty()) {
      writeListeners.forEach(l -> l.accept(written));
    }
    return written.size();
  }

  /**
   * Calls {@code listener} after every write with the keys whose profiles it replaced, once the
   * write is durable and visible to reads (on the materialiser's thread).
   */
  public void onWrite(Consumer<List<EntityKey>> listener) {
    writeListeners.add(listener);
  }

  /** The stored next offset of each partition of {@code topic} that has any. */
  public Map<Integer, Long> offsets(String topic) {
    var offsets = new HashMap<Integer, Long>();
    byte[] prefix = (new String(OFFSETS, StandardCharsets.UTF_8) + "/" + topic + "/")
        .getBytes(StandardCharsets.UTF_8);
    try (var it = db.newIterator(meta)) {
      for (it.seek(prefix); it.isValid(); it.next()) {
        String key = new String(it.key(), StandardCharsets.UTF_8);
        if (!key.startsWith(new String(prefix, StandardCharsets.UTF_8))) {
          break;
        }
        offsets.put(Integer.parseInt(key.substring(prefix.length)),
            ByteBuffer.wrap(it.value()).getLong());
      }
    }
    return offsets;
  }

  /** The newest record of each key, in one batched read; null where none is stored. */
  public List<ProfileRecord> get(List<EntityKey> keys) {
    List<byte[]> raw = readRaw(keys);
    var records = new ArrayList<ProfileRecord>(raw.size());
    for (byte[] value : raw) {
      records.add(value == null ? null : parse(value));
    }
    return records;
  }

  public ProfileRecord get(EntityKey key) {
    return get(List.of(key)).get(0);
  }

  /** Compacts every column family: the steady state of a long-running store, after a bulk load. */
  public void compact() {
    try {
      for (ColumnFamilyHandle h : families.values()) {
        db.compactRange(h);
      }
    } catch (RocksDBException e) {
      throw new IllegalStateException("cannot compact the profile store", e);
    }
  }

  /**
   * Reads every profile once, filling the block cache as far as it holds them: a replica about to
   * take traffic, or a benchmark that should measure the warm store. Returns the bytes read.
   */
  public long warm() {
    long bytes = 0;
    try (var fill = new ReadOptions().setFillCache(true)) {
      for (ColumnFamilyHandle h : families.values()) {
        try (var it = db.newIterator(h, fill)) {
          for (it.seekToFirst(); it.isValid(); it.next()) {
            bytes += it.value().length;
          }
        }
      }
    }
    return bytes;
  }

  /** Approximate number of profiles held, per entity type. */
  public Map<EntityType, Long> sizes() {
    var sizes = new EnumMap<EntityType, Long>(EntityType.class);
    try {
      for (var e : families.entrySet()) {
        sizes.put(e.getKey(), db.getLongProperty(e.getValue(), "rocksdb.estimate-num-keys"));
      }
    } catch (RocksDBException e) {
      throw new IllegalStateException(e);
    }
    return sizes;
  }

  private List<byte[]> readRaw(List<EntityKey> keys) {
    if (keys.isEmpty()) {
      return List.of();
    }
    var cfs = new ArrayList<ColumnFamilyHandle>(keys.size());
    var ids = new ArrayList<byte[]>(keys.size());
    for (EntityKey k : keys) {
      cfs.add(families.get(k.type()));
      ids.add(id(k));
    }
    try {
      return db.multiGetAsList(readOptions, cfs, ids);
    } catch (RocksDBException e) {
      throw new IllegalStateException("cannot read the profile store", e);
    }
  }

  private static ProfileRecord parse(byte[] value) {
    try {
      return ProfileRecord.parseFrom(ByteBuffer.wrap(value, 8, value.length - 8));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("corrupt profile in the store", e);
    }
  }

  private static byte[] id(EntityKey key) {
    return key.id().getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] offsetKey(String topic, int partition) {
    return ("offsets/" + topic + "/" + partition).getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    handles.forEach(ColumnFamilyHandle::close);
    db.close();
    writeOptions.close();
    readOptions.close();
    dbOptions.close();
    cfOptions.close();
    cache.close();
  }
}
