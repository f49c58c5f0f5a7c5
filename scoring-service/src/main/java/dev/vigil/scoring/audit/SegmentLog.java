package dev.vigil.scoring.audit;

import dev.vigil.scoring.audit.AuditSpool.Appended;
import dev.vigil.scoring.audit.AuditSpool.Settings;
import dev.vigil.scoring.audit.AuditSpool.WhenFull;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit spool's on-disk half: a bounded, append-only log of framed records in segment files,
 * with the cursor of what has been delivered, in {@code dir}: {@code spool.id} (the spool's id,
 * frame layout and where it was made: {@link #identity}), segment files {@code <first
 * sequence>.seg} of frames {@code [length][CRC32C]
 * [sequence][timestamp][previous chain hash][chain hash][key length][key][value]}, and {@code
 * cursor} (the next sequence to deliver, the partition written to, the offset of the last record
 * delivered). An append is one {@code write} before it returns; segments are {@code fsync}ed every
 * {@link Settings#syncEvery()}; a torn frame at the end of the newest segment is cut off on open;
 * segments wholly before the cursor are deleted.
 */
final class SegmentLog implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SegmentLog.class);
  private static final int FRAME_HEADER = 4 + 4; // length, CRC
  private static final int HASH = 32;
  // sequence, timestamp, previous record's chain hash, this record's, key length
  private static final int RECORD_HEADER = 8 + 8 + HASH + HASH + 2;
  /** The frame layout's version, in {@code spool.id}; a spool of another layout is set aside. */
  static final String FORMAT = "format 2";
  /** The line of {@code spool.id} that says where the spool was made (host:directory). */
  private static final String ORIGIN = "origin ";
  private static final int MAX_BATCH = 2000;

  private final Settings settings;
  private final String spoolId;
  private final TreeMap<Long, Path> segments = new TreeMap<>(); // first sequence -> file
  private final AtomicLong bytes = new AtomicLong();
  private final AtomicLong notKept = new AtomicLong();
  private final ScheduledExecutorService sync;
  private FileChannel head; // the segment appends go to
  private long nextSeq; // the sequence the next append gets
  private byte[] lastHash = AuditChain.GENESIS; // the chain hash of the newest record appended
  private volatile Cursor cursor;
  private boolean dirty;
  private boolean open = true;

  /** The drainer's place: the next sequence to deliver, the partition, the last offset known. */
  record Cursor(long nextSeq, int partition, long lastOffset) {}

  /**
   * Opens the log in {@code settings.dir()} (creating it), cuts off a torn last frame and starts
   * forcing appends to disk every {@code settings.syncEvery()}.
   *
   * @throws UncheckedIOException if the directory cannot be read or written
   */
  SegmentLog(Settings settings) {
    this.settings = settings;
    try {
      Files.createDirectories(settings.dir());
      Path idFile = settings.dir().resolve("spool.id");
      if (Files.exists(idFile) && !Files.readString(idFile).contains(FORMAT)) {
        setAsideOlderFormat(settings.dir());
        Files.createDirectories(settings.dir());
      }
      spoolId = identity(idFile, origin(settings.dir()));
      cursor = readCursor();
      try (var files = Files.list(settings.dir())) {
        files.filter(f -> f.getFileName().toString().endsWith(".seg")).forEach(f -> segments.put(
            firstSequenceOf(f), f));
      }
      nextSeq = segments.isEmpty() ? cursor.nextSeq() : recoverTail();
      for (Path f : segments.values()) {
        bytes.addAndGet(Files.size(f));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the audit spool at " + settings.dir(), e);
    }
    sync = new ScheduledThreadPoolExecutor(1, r -> AuditSpool.daemon(r, "audit-spool-sync"));
    long every = settings.syncEvery().toMillis();
    sync.scheduleWithFixedDelay(this::force, every, every, TimeUnit.MILLISECONDS);
  }

  /**
   * The spool's id, from {@code spool.id}: made at random where the spool is first opened, and
   * kept as long as the spool is opened where it was made ({@code origin}, noted beside the id).
   * A spool opened elsewhere (its state directory copied to seed another replica, or restored on
   * another host) is given a new id there: two replicas never write one chain, and a copy does
   * not take the original's delivered records for its own. Its chain goes on from the record
   * before (a verifier takes a chain's first record as it is); records it had not delivered are
   * delivered under the new id.
   */
  private static String identity(Path idFile, String origin) throws IOException {
    List<String> lines = Files.exists(idFile) ? Files.readAllLines(idFile) : List.of();
    String id = lines.isEmpty() ? null : lines.get(0).trim();
    String madeAt = lines.stream().filter(l -> l.startsWith(ORIGIN)).findFirst()
        .map(l -> l.substring(ORIGIN.length())).orElse(null);
    if (id == null || (madeAt != null && !madeAt.equals(origin))) {
      String fresh = UUID.randomUUID().toString();
      if (id != null) {
        log.warn("audit spool {} was made at {} and is opened at {} (a copied or restored state"
            + " directory): it writes as spool {} from here on", id, madeAt, origin, fresh);
      }
      id = fresh;
    }
    if (!origin.equals(madeAt)) {
      write(idFile, id + "\n" + FORMAT + "\n" + ORIGIN + origin + "\n");
    }
    return id;
  }

  /** Where a spool is: this host's name and the directory's absolute path. */
  private static String origin(Path dir) throws IOException {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      host = "unknown-host";
    }
    return host + ":" + dir.toRealPath();
  }

  /** This spool's id, as its records' {@code vigil.spool} header carries it. */
  String id() {
    return spoolId;
  }

  /** See {@link AuditSpool#append}. */
  Appended append(byte[] key, byte[] value, long timestampMillis) {
    int frame = FRAME_HEADER + RECORD_HEADER + key.length + value.length;
    synchronized (this) {
      if (bytes.get() + frame > settings.maxBytes()) {
        notKept.incrementAndGet();
        return settings.whenFull() == WhenFull.REFUSE ? Appended.REFUSED : Appended.DROPPED;
      }
      byte[] hash = AuditChain.link(lastHash, nextSeq, key, value);
      ByteBuffer b = ByteBuffer.allocate(frame);
      b.putInt(frame - FRAME_HEADER).putInt(0).putLong(nextSeq).putLong(timestampMillis)
          .put(lastHash).put(hash).putShort((short) key.length).put(key).put(value);
      var crc = new CRC32C();
      crc.update(b.array(), FRAME_HEADER, frame - FRAME_HEADER);
      b.putInt(4, (int) crc.getValue()).flip();
      try {
        if (head == null || head.size() >= settings.segmentBytes()) {
          roll();
        }
        while (b.hasRemaining()) {
          head.write(b);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write the audit spool at " + settings.dir(), e);
      }
      nextSeq++;
      lastHash = hash;
      bytes.addAndGet(frame);
      dirty = true;
      notifyAll();
    }
    return Appended.KEPT;
  }

  /** Records appended and not yet delivered. */
  synchronized long pending() {
    return nextSeq - cursor.nextSeq();
  }

  /** Bytes the segments hold on disk. */
  long bytes() {
    return bytes.get();
  }

  /** Records not kept because the log was full. */
  long notKept() {
    return notKept.get();
  }

  Cursor cursor() {
    return cursor;
  }

  /** The next frames to deliver from {@code reader}, at most a batch; empty at its end. */
  List<Frame> nextBatch(SegmentReader reader) throws IOException {
    var batch = new ArrayList<Frame>();
    long limit;
    synchronized (this) {
      limit = nextSeq;
    }
    Frame f;
    while (batch.size() < MAX_BATCH && reader.lastSeq() + 1 < limit
        && (f = reader.next()) != null) {
      if (f.seq() >= cursor.nextSeq()) {
        batch.add(f);
      }
    }
    return batch;
  }

  /** True if a later segment exists than the one {@code reader} reads (it is read to its end). */
  synchronized boolean nextSegmentAfter(SegmentReader reader) {
    return segments.higherKey(reader.first()) != null
        && segments.higherKey(reader.first()) <= cursor.nextSeq();
  }

  /** A reader positioned in the segment holding {@code seq}, or null if none holds it yet. */
  SegmentReader readerAt(long seq) throws IOException {
    Long first;
    Path file;
    synchronized (this) {
      if (seq >= nextSeq) {
        return null;
      }
      first = segments.floorKey(seq);
      if (first == null) {
        return null;
      }
      file = segments.get(first);
    }
    return new SegmentReader(file, first);
  }

  /** Waits (at most 200 ms) for a record with sequence {@code seq} to be appended. */
  synchronized void awaitAppend(long seq) throws InterruptedException {
    if (nextSeq <= seq && open) {
      wait(200);
    }
  }

  /** Notes the cursor durably, then deletes the segments wholly before it. */
  void advance(Cursor next) throws IOException {
    write(settings.dir().resolve("cursor"),
        next.nextSeq() + " " + next.partition() + " " + next.lastOffset());
    List<Path> done = new ArrayList<>();
    synchronized (this) {
      cursor = next;
      // a segment is done when the next one starts at or before the cursor
      while (segments.size() > 1 && segments.higherKey(segments.firstKey()) <= next.nextSeq()) {
        done.add(segments.pollFirstEntry().getValue());
      }
    }
    for (Path f : done) {
      long size = Files.size(f);
      Files.delete(f);
      bytes.addAndGet(-size);
    }
  }

  /** Stops forcing and forces what was appended; the log's files stay for the next start. */
  @Override
  public void close() {
    sync.shutdownNow();
    synchronized (this) {
      open = false;
      notifyAll();
      if (head != null) {
        try {
          head.force(false);
          head.close();
        } catch (IOException e) {
          log.error("closing the audit spool: {}", e.toString());
        }
      }
    }
  }

  /**
   * Moves a spool written in an older frame layout to {@code <dir>.format-1-<millis>}, loudly:
   * this version cannot read its records; the version that wrote them can deliver any left.
   */
  private static void setAsideOlderFormat(Path dir) throws IOException {
    Path aside = dir.resolveSibling(dir.getFileName() + ".format-1-" + System.currentTimeMillis());
    Files.move(dir, aside);
    log.warn("audit spool at {} is of an older layout: moved to {}; records it had not delivered"
        + " are there (the previous version delivers them)", dir, aside);
  }

  /** A segment file's first sequence, from its name ({@code <first sequence>.seg}). */
  private static long firstSequenceOf(Path segment) {
    String name = segment.getFileName().toString();
    return Long.parseLong(name.substring(0, name.length() - ".seg".length()));
  }

  private void roll() throws IOException {
    if (head != null) {
      head.force(false);
      head.close();
    }
    Path f = settings.dir().resolve(String.format("%020d.seg", nextSeq));
    head = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.APPEND);
    segments.put(nextSeq, f);
  }

  private void force() {
    FileChannel channel;
    synchronized (this) {
      if (!dirty || head == null) {
        return;
      }
      dirty = false;
      channel = head;
    }
    try {
      channel.force(false);
    } catch (ClosedChannelException e) {
      // rolled meanwhile: roll() forced it
    } catch (IOException e) {
      log.error("cannot force the audit spool to disk: {}", e.toString());
    }
  }

  /** Reads the newest segment to its last whole frame, cuts off the rest; the next sequence. */
  private long recoverTail() throws IOException {
    var last = segments.lastEntry();
    long seq = last.getKey();
    long validEnd = 0;
    try (var reader = new SegmentReader(last.getValue(), 0)) {
      Frame f;
      while ((f = reader.next()) != null) {
        seq = f.seq() + 1;
        validEnd = reader.position();
        lastHash = f.hash();
      }
    }
    try (FileChannel ch = FileChannel.open(last.getValue(), StandardOpenOption.WRITE)) {
      if (ch.size() > validEnd) {
        log.warn("audit spool: cut a torn frame ({} bytes) off {}", ch.size() - validEnd,
            last.getValue().getFileName());
        ch.truncate(validEnd);
        ch.force(true);
      }
    }
    head = FileChannel.open(last.getValue(), StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    return Math.max(seq, cursor.nextSeq());
  }

  private Cursor readCursor() throws IOException {
    Path f = settings.dir().resolve("cursor");
    if (!Files.exists(f)) {
      return new Cursor(0, -1, -1);
    }
    String[] parts = Files.readString(f).trim().split(" ");
    return new Cursor(Long.parseLong(parts[0]), Integer.parseInt(parts[1]),
        Long.parseLong(parts[2]));
  }

  private static void write(Path file, String content) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      ch.write(ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)));
      ch.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** One spooled record. */
  record Frame(long seq, long timestamp, byte[] previous, byte[] hash, byte[] key,
      byte[] value) {}

  /** Reads one segment's frames in order; stops at the first incomplete or corrupt frame. */
  static final class SegmentReader implements AutoCloseable {
    private final FileChannel channel;
    private final long first;
    private long position;
    private long lastSeq;

    SegmentReader(Path file, long first) throws IOException {
      this.channel = FileChannel.open(file, StandardOpenOption.READ);
      this.first = first;
      this.lastSeq = first - 1;
    }

    long first() {
      return first;
    }

    long position() {
      return position;
    }

    long lastSeq() {
      return lastSeq;
    }

    /** The next whole frame, or null at the end (or at a torn or corrupt frame). */
    Frame next() throws IOException {
      ByteBuffer header = ByteBuffer.allocate(FRAME_HEADER);
      if (readFully(header, position) < FRAME_HEADER) {
        return null;
      }
      int length = header.getInt(0);
      int crc = header.getInt(4);
      if (length < RECORD_HEADER || length > (64 << 20)) {
        return null;
      }
      ByteBuffer body = ByteBuffer.allocate(length);
      if (readFully(body, position + FRAME_HEADER) < length) {
        return null;
      }
      var check = new CRC32C();
      check.update(body.array(), 0, length);
      if ((int) check.getValue() != crc) {
        return null;
      }
      body.flip();
      if (length < RECORD_HEADER + Short.toUnsignedInt(body.getShort(RECORD_HEADER - 2))) {
        return null; // a key longer than the frame: not a frame of this layout
      }
      long seq = body.getLong();
      long ts = body.getLong();
      byte[] previous = new byte[HASH];
      body.get(previous);
      byte[] hash = new byte[HASH];
      body.get(hash);
      byte[] key = new byte[Short.toUnsignedInt(body.getShort())];
      body.get(key);
      byte[] value = new byte[body.remaining()];
      body.get(value);
      position += FRAME_HEADER + length;
      lastSeq = seq;
      return new Frame(seq, ts, previous, hash, key, value);
    }

    private int readFully(ByteBuffer b, long at) throws IOException {
      int n = 0;
      while (b.hasRemaining()) {
        int r = channel.read(b, at + n);
        if (r < 0) {
          break;
        }
        n += r;
      }
      return n;
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }
  }
}
