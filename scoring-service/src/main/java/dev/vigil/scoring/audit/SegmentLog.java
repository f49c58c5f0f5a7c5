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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
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
 * delivered). Segments are {@code fsync}ed every {@link Settings#syncEvery()}; a torn frame at the
 * end of the newest segment is cut off on open; segments wholly before the cursor are deleted.
 *
 * <p>Group commit: an append links its record into the chain and encodes its frame into a shared
 * buffer under a short lock ({@code chain}: sequence, chain hash and frame order are one order),
 * then waits until its frame is in the file. The first waiter that finds frames not yet written
 * becomes the writer ({@code writer} lock): it takes every frame encoded so far and writes them
 * with one {@code write}, while appends go on encoding into the other buffer; the waiters whose
 * frames it wrote return without a write of their own. An append returns only once its frame is
 * in the file (the page cache), as one {@code write} per append did. The drainer reads only what
 * is written and never waits for a write in progress. A failed write fails every append whose
 * frame was not yet written (none of them is kept, and the chain goes on from the last record in
 * the file).
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
  private static final int BUFFER = 64 << 10; // a write buffer's first size; it grows as needed

  private final Settings settings;
  private final String spoolId;
  private final TreeMap<Long, Path> segments = new TreeMap<>(); // first sequence -> file
  private final AtomicLong bytes = new AtomicLong();
  private final AtomicLong notKept = new AtomicLong();
  private final ScheduledExecutorService sync;
  private final AtomicBoolean dirty = new AtomicBoolean();
  private volatile Cursor cursor;
  private volatile boolean open = true;
  private volatile boolean drainerWaiting;

  // Under chain: the sequence and chain hash the next record gets, and the frames encoded and not
  // yet taken by a writer, in sequence order.
  private final ReentrantLock chain = new ReentrantLock();
  private long nextSeq;
  private byte[] lastHash = AuditChain.GENESIS;
  private ByteBuffer filling = ByteBuffer.allocateDirect(BUFFER);
  private final byte[] header = new byte[RECORD_HEADER];
  private final ByteBuffer headerView = ByteBuffer.wrap(header);
  private final CRC32C crc = new CRC32C();
  /** Bumped when a write fails: every frame encoded before it and not written is not kept. */
  private volatile int epoch;

  // Under writer: the file appends go to, and the buffer the next writer swaps in.
  private final ReentrantLock writer = new ReentrantLock();
  private volatile FileChannel head; // read unlocked by the sync task
  /** The head segment's file, to reopen it when a failed write closed its channel. */
  private Path headPath;
  private long headSize;
  /**
   * Set when a failed write could not be cut off the head segment: every later append fails
   * (the service answers UNAVAILABLE) until a restart recovers the file to its last whole frame.
   */
  private volatile boolean broken;
  private ByteBuffer spare = ByteBuffer.allocateDirect(BUFFER);
  private byte[] writtenHash = AuditChain.GENESIS; // the chain hash of the last record written
  /** The sequence after the last record in the file: appends below it may return. */
  private volatile long written;
  private volatile long writes;
  /** For each failed write (epoch n to n + 1), the first sequence it lost; those before it stay. */
  private final List<Long> lostFrom = new ArrayList<>();

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
      written = nextSeq;
      writtenHash = lastHash;
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
    long seq;
    int in;
    chain.lock();
    try {
      if (!open) {
        throw new UncheckedIOException("the audit spool at " + settings.dir() + " is closed",
            new ClosedChannelException());
      }
      if (broken) {
        throw new UncheckedIOException("the audit spool at " + settings.dir() + " could not cut"
            + " a failed write off its head segment: no record is kept until the service"
            + " restarts", new IOException("audit spool broken"));
      }
      if (bytes.get() + frame > settings.maxBytes()) {
        notKept.incrementAndGet();
        return settings.whenFull() == WhenFull.REFUSE ? Appended.REFUSED : Appended.DROPPED;
      }
      seq = nextSeq;
      byte[] hash = AuditChain.link(lastHash, seq, key, value);
      headerView.clear();
      headerView.putLong(seq).putLong(timestampMillis).put(lastHash).put(hash)
          .putShort((short) key.length);
      crc.reset();
      crc.update(header);
      crc.update(key);
      crc.update(value);
      if (filling.remaining() < frame) {
        filling = grown(filling, frame);
      }
      filling.putInt(frame - FRAME_HEADER).putInt((int) crc.getValue()).put(header).put(key)
          .put(value);
      nextSeq = seq + 1;
      lastHash = hash;
      in = epoch;
      bytes.addAndGet(frame);
    } finally {
      chain.unlock();
    }
    awaitWritten(seq, in);
    return Appended.KEPT;
  }

  /**
   * Returns once record {@code seq} (encoded in {@code in}) is in the file: written by another
   * append's write, or by this one's, taking every frame encoded so far.
   *
   * @throws UncheckedIOException if the write that held it failed
   */
  private void awaitWritten(long seq, int in) {
    if (written > seq && epoch == in) { // written first: a failure bumps the epoch before
      return;
    }
    writer.lock();
    try {
      if (epoch != in) {
        if (seq < lostFrom.get(in)) {
          return; // written before a later write failed
        }
        throw new UncheckedIOException("the audit spool at " + settings.dir() + " could not"
            + " write record " + seq, new IOException("a write of the spool failed"));
      }
      if (written <= seq) {
        writePending();
      }
    } finally {
      writer.unlock();
    }
  }

  /** With the writer lock: writes every frame encoded so far with one write. */
  private void writePending() {
    ByteBuffer batch;
    long first = written;
    long end;
    byte[] endHash;
    chain.lock();
    try {
      batch = filling;
      filling = spare;
      end = nextSeq;
      endHash = lastHash;
    } finally {
      chain.unlock();
    }
    spare = null;
    batch.flip();
    int size = batch.remaining();
    try {
      if (head == null || headSize >= settings.segmentBytes()) {
        roll(first);
      }
      while (batch.hasRemaining()) {
        head.write(batch);
      }
    } catch (IOException e) {
      notWritten(batch, first);
      throw new UncheckedIOException("cannot write the audit spool at " + settings.dir(), e);
    } catch (RuntimeException | Error e) {
      // whatever failed, the waiters of this batch must learn it, not return KEPT
      notWritten(batch, first);
      throw e;
    }
    spare = batch.clear();
    headSize += size;
    writtenHash = endHash;
    writes++;
    written = end;
    dirty.set(true);
    if (drainerWaiting) {
      synchronized (this) {
        notifyAll();
      }
    }
  }

  /**
   * After a failed write: cuts what it may have left off the file, and drops every frame not
   * written (their appends fail); the chain goes on from the last record written.
   */
  private void notWritten(ByteBuffer batch, long first) {
    cutOff();
    lostFrom.add(first);
    chain.lock();
    try {
      epoch++;
      bytes.addAndGet(-(batch.limit() + filling.position()));
      filling.clear();
      nextSeq = first;
      lastHash = writtenHash;
    } finally {
      chain.unlock();
    }
    spare = batch.clear();
  }

  /**
   * With the writer lock, after a failed write: cuts whatever part of it reached the head segment
   * (an interrupt during a write closes the channel after the bytes are in the file), reopening
   * the segment when its channel was closed, so the next write goes on from its last whole frame
   * and the sequence numbers it reuses are not in the file twice. When that cannot be done the
   * log is {@link #broken}: no append is kept until a restart recovers the file.
   */
  private void cutOff() {
    if (head == null && headPath == null) {
      return; // nothing was opened: nothing reached a file
    }
    boolean interrupted = Thread.interrupted(); // else the reopened channel refuses too
    try {
      FileChannel channel = head;
      if (channel == null || !channel.isOpen()) {
        if (channel != null) {
          try {
            channel.close();
          } catch (IOException ignored) {
            // closed already
          }
        }
        channel = FileChannel.open(headPath, StandardOpenOption.WRITE,
            StandardOpenOption.APPEND);
        head = channel;
      }
      channel.truncate(headSize);
      channel.force(false);
    } catch (IOException | RuntimeException e) {
      broken = true;
      log.error("audit spool at {}: cannot cut a failed write off {}; no record is kept until"
          + " the service restarts: {}", settings.dir(), headPath, e.toString());
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** A buffer holding {@code b}'s frames with room for {@code frame} bytes more. */
  private static ByteBuffer grown(ByteBuffer b, int frame) {
    ByteBuffer more = ByteBuffer.allocateDirect(Math.max(b.capacity() * 2, b.position() + frame));
    b.flip();
    return more.put(b);
  }

  /** Writes to the segment files so far: fewer than the records appended when appends overlap. */
  long writes() {
    return writes;
  }

  /**
   * The lock a write holds: appends that come while it is held wait, and the next writer writes
   * their frames together (a test holds it to make appends overlap).
   */
  Lock writeLock() {
    return writer;
  }

  /** Records appended and not yet delivered. */
  long pending() {
    return written - cursor.nextSeq();
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
    long limit = written;
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
    if (seq >= written) {
      return null;
    }
    synchronized (this) {
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
    drainerWaiting = true; // before reading written; a writer writes it before reading this
    try {
      if (written <= seq && open) {
        wait(200);
      }
    } finally {
      drainerWaiting = false;
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

  /** Stops forcing, writes and forces what was appended; the log's files stay for the next start. */
  @Override
  public void close() {
    // not shutdownNow: an interrupt inside force() would close the head segment's channel
    sync.shutdown();
    try {
      sync.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    chain.lock();
    try {
      open = false; // no more frames
    } finally {
      chain.unlock();
    }
    writer.lock();
    try {
      try {
        if (written < nextSeqNow()) {
          writePending(); // the appends waiting for it return KEPT
        }
      } catch (UncheckedIOException e) {
        log.error("closing the audit spool: {}", e.toString());
      }
      if (head != null) {
        try {
          head.force(false);
          head.close();
        } catch (IOException e) {
          log.error("closing the audit spool: {}", e.toString());
        }
        head = null;
      }
    } finally {
      writer.unlock();
    }
    synchronized (this) {
      notifyAll();
    }
  }

  private long nextSeqNow() {
    chain.lock();
    try {
      return nextSeq;
    } finally {
      chain.unlock();
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

  /** With the writer lock: forces and closes the head segment, starts one at {@code first}. */
  private void roll(long first) throws IOException {
    if (head != null) {
      head.force(false);
      head.close();
      head = null;
    }
    Path f = settings.dir().resolve(String.format("%020d.seg", first));
    FileChannel next = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.APPEND);
    synchronized (this) {
      segments.put(first, f);
    }
    headSize = next.size();
    headPath = f;
    head = next;
  }

  private void force() {
    if (!dirty.getAndSet(false)) {
      return;
    }
    FileChannel channel = head; // read after clearing: a write after this sets dirty again
    if (channel == null) {
      return; // closed: close() forced it
    }
    try {
      channel.force(false);
    } catch (ClosedChannelException e) {
      // rolled meanwhile: roll() forced the old segment, and the new one may hold unforced
      // writes made before the flag was cleared: the next tick forces it
      dirty.set(true);
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
    if (validEnd == 0 && segments.size() > 1) {
      // a segment started and nothing whole written to it (its first write failed): the chain
      // goes on from the segment before, whose last record it would have followed
      log.warn("audit spool: removed {}, which holds no whole record",
          last.getValue().getFileName());
      Files.delete(last.getValue());
      segments.remove(last.getKey());
      return recoverTail();
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
    headPath = last.getValue();
    headSize = validEnd;
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
