package dev.vigil.scoring.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A durable, bounded, append-only spool of audit records on the service's disk, and the drainer
 * that delivers them to the decisions topic in the order they were written, each once as the
 * topic's readers see it. Scoring appends and goes on: it never waits for Kafka.
 *
 * <p>On disk ({@code dir}): {@code spool.id} (this spool's id and frame layout), segment files
 * {@code <first sequence>.seg} of frames {@code [length][CRC32C][sequence][timestamp][key length]
 * [key][value]}, and {@code cursor} (the next sequence to deliver, the partition written to and
 * the offset of the last record delivered). Each frame also carries the previous record's chain
 * hash and its own ({@link AuditChain}), delivered as headers {@code vigil.prev} and {@code
 * vigil.hash}: an altered, removed or inserted record breaks the chain. An append is one {@code write} to the current segment
 * before the call is answered, so a record survives the process being killed; segments are
 * {@code fsync}ed in batches every {@link Settings#syncEvery()} (a machine that loses power may
 * lose that much). A torn frame at the end of the newest segment (a write cut short) is cut off
 * on open.
 *
 * <p>Exactly once: every record goes to one partition of the topic with headers {@code
 * vigil.spool} (the spool id) and {@code vigil.seq} (its sequence). The producer is idempotent, so
 * what lands of what it sent to one partition is a prefix; after a failure, or on open, the
 * drainer reads the partition from the last offset it knows and resumes after the highest
 * sequence of this spool it finds there: a record delivered before a crash but not yet noted in
 * the cursor is not sent twice, and none is skipped.
 */
public final class AuditSpool implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AuditSpool.class);
  static final String SPOOL_HEADER = "vigil.spool";
  static final String SEQ_HEADER = "vigil.seq";
  private static final int FRAME_HEADER = 4 + 4; // length, CRC
  private static final int HASH = 32;
  // sequence, timestamp, previous record's chain hash, this record's, key length
  private static final int RECORD_HEADER = 8 + 8 + HASH + HASH + 2;
  static final String HASH_HEADER = "vigil.hash";
  /** The frame layout's version, in {@code spool.id}; a spool of another layout is set aside. */
  static final String FORMAT = "format 2";
  static final String PREVIOUS_HEADER = "vigil.prev";
  private static final int MAX_BATCH = 2000;

  /** What an append does when the spool holds {@link Settings#maxBytes()} already. */
  public enum WhenFull {
    /** The record is not kept and the append says so: the call is refused (UNAVAILABLE). */
    REFUSE,
    /** The record is not kept, counted and logged by audit id; the call is answered. */
    COUNT;

    /** {@code refuse} or {@code count}, as the configuration spells it. */
    public static WhenFull parse(String value) {
      return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
        case "refuse" -> REFUSE;
        case "count" -> COUNT;
        default -> throw new IllegalArgumentException(
            "vigil.audit.when-full: '" + value + "' is neither refuse nor count");
      };
    }
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
        throw new IllegalArgumentException("vigil.audit.spool-max-mb must be at least one segment ("
            + segmentBytes + " bytes), and a segment at least 1 KiB");
      }
      if (syncEvery.isNegative() || syncEvery.isZero()) {
        throw new IllegalArgumentException("vigil.audit.sync-ms must be positive");
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

  private final Settings settings;
  private final String topic;
  private final String spoolId;
  private final Properties kafka;
  private final TreeMap<Long, Path> segments = new TreeMap<>(); // first sequence -> file
  private final AtomicLong bytes = new AtomicLong();
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong deliveryFailures = new AtomicLong();
  private final AtomicLong notKept = new AtomicLong();
  private final ScheduledExecutorService sync;
  private final Thread drainer;
  private volatile boolean running = true;
  private FileChannel head; // the segment appends go to
  private long nextSeq; // the sequence the next append gets
  private byte[] lastHash = AuditChain.GENESIS; // the chain hash of the newest record appended
  private volatile Cursor cursor;
  private boolean dirty;

  /** The drainer's place: the next sequence to deliver, the partition, the last offset known. */
  record Cursor(long nextSeq, int partition, long lastOffset) {}

  /**
   * Opens the spool in {@code settings.dir()} (creating it), cuts off a torn last frame, and
   * starts the drainer toward {@code topic}.
   *
   * @param kafka the Kafka client settings (bootstrap servers, security) the drainer's producer and
   *     its recovery reader use
   * @throws UncheckedIOException if the directory cannot be read or written
   */
  public AuditSpool(Settings settings, Properties kafka, String topic) {
    this.settings = settings;
    this.topic = topic;
    this.kafka = kafka;
    try {
      Files.createDirectories(settings.dir());
      Path idFile = settings.dir().resolve("spool.id");
      if (Files.exists(idFile) && !Files.readString(idFile).contains(FORMAT)) {
        setAsideOlderFormat(settings.dir());
        Files.createDirectories(settings.dir());
      }
      if (!Files.exists(idFile)) {
        write(idFile, UUID.randomUUID() + "\n" + FORMAT + "\n");
      }
      spoolId = Files.readString(idFile).lines().findFirst().orElseThrow().trim();
      cursor = readCursor();
      try (var files = Files.list(settings.dir())) {
        files.filter(f -> f.getFileName().toString().endsWith(".seg")).forEach(f -> segments.put(
            Long.parseLong(f.getFileName().toString().replace(".seg", "")), f));
      }
      nextSeq = segments.isEmpty() ? cursor.nextSeq() : recoverTail();
      for (Path f : segments.values()) {
        bytes.addAndGet(Files.size(f));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the audit spool at " + settings.dir(), e);
    }
    sync = new ScheduledThreadPoolExecutor(1, r -> daemon(r, "audit-spool-sync"));
    long every = settings.syncEvery().toMillis();
    sync.scheduleWithFixedDelay(this::force, every, every, TimeUnit.MILLISECONDS);
    drainer = daemon(this::drain, "audit-spool-drainer");
    drainer.start();
    log.info("audit spool {} at {}: {} records to deliver", spoolId, settings.dir(), pending());
  }

  /**
   * Appends one record; the caller may answer its call once this returns KEPT.
   *
   * @return KEPT; or, when the spool is full, REFUSED or DROPPED as configured (the record is not
   *     kept either way, and counted)
   * @throws UncheckedIOException if the disk refuses the write
   */
  public Appended append(byte[] key, byte[] value, long timestampMillis) {
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
        throw new UncheckedIOException("cannot write the audit spool", e);
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
  public synchronized long pending() {
    return nextSeq - cursor.nextSeq();
  }

  /** Bytes the spool's segments hold on disk. */
  public long bytes() {
    return bytes.get();
  }

  /** Records delivered to the topic since this spool opened. */
  public long delivered() {
    return delivered.get();
  }

  /** Times a delivery failed (the drainer reconnects and resumes). */
  public long deliveryFailures() {
    return deliveryFailures.get();
  }

  /** Records not kept because the spool was full. */
  public long notKept() {
    return notKept.get();
  }

  /** This spool's id, as its records' {@code vigil.spool} header carries it. */
  public String id() {
    return spoolId;
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
    } catch (java.nio.channels.ClosedChannelException e) {
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

  // ---- the drainer ----------------------------------------------------------------------------

  private void drain() {
    KafkaProducer<byte[], byte[]> producer = null;
    SegmentReader reader = null;
    long backoff = 100;
    while (running) {
      try {
        if (producer == null) {
          producer = producer();
          int partition = cursor.partition() >= 0 ? cursor.partition()
              : Math.floorMod(spoolId.hashCode(), producer.partitionsFor(topic).size());
          resume(partition);
          if (reader != null) {
            reader.close();
            reader = null;
          }
        }
        if (reader == null) {
          reader = readerAt(cursor.nextSeq());
          if (reader == null) {
            awaitAppend(cursor.nextSeq());
            continue;
          }
        }
        List<Frame> batch = nextBatch(reader);
        if (batch.isEmpty()) {
          if (nextSegmentAfter(reader)) {
            reader.close();
            reader = null;
          } else {
            awaitAppend(cursor.nextSeq());
          }
          continue;
        }
        send(producer, batch);
        backoff = 100;
      } catch (InterruptedException e) {
        break;
      } catch (RuntimeException | IOException | java.util.concurrent.ExecutionException e) {
        if (!running) {
          break;
        }
        deliveryFailures.incrementAndGet();
        log.warn("audit spool: delivery to {} failed, {} records waiting; retrying in {} ms: {}",
            topic, pending(), backoff, e.toString());
        if (producer != null) {
          producer.close(Duration.ZERO);
          producer = null;
        }
        sleep(backoff);
        backoff = Math.min(backoff * 2, 5_000);
      }
    }
    if (reader != null) {
      try {
        reader.close();
      } catch (IOException ignored) {
        // closing
      }
    }
    if (producer != null) {
      producer.close(Duration.ofSeconds(5));
    }
  }

  /** Sends {@code batch} and waits for every acknowledgement; then moves the cursor past it. */
  private void send(KafkaProducer<byte[], byte[]> producer, List<Frame> batch)
      throws IOException, InterruptedException, java.util.concurrent.ExecutionException {
    var acks = new ArrayList<Future<RecordMetadata>>(batch.size());
    byte[] id = spoolId.getBytes(StandardCharsets.UTF_8);
    for (Frame f : batch) {
      List<Header> headers = List.of(new RecordHeader(SPOOL_HEADER, id),
          new RecordHeader(SEQ_HEADER, Long.toString(f.seq()).getBytes(StandardCharsets.UTF_8)),
          new RecordHeader(PREVIOUS_HEADER, f.previous()),
          new RecordHeader(HASH_HEADER, f.hash()));
      acks.add(producer.send(new ProducerRecord<>(topic, cursor.partition(), f.timestamp(),
          f.key(), f.value(), headers)));
    }
    producer.flush();
    long offset = cursor.lastOffset();
    for (Future<RecordMetadata> ack : acks) {
      offset = ack.get().offset(); // throws the first failure
    }
    advance(new Cursor(batch.get(batch.size() - 1).seq() + 1, cursor.partition(), offset));
    delivered.addAndGet(batch.size());
  }

  /**
   * Finds where delivery stands: reads {@code partition} from after the last offset the cursor
   * knows to its end (on the first resume ever, notes the end: nothing was sent before), and
   * moves the cursor past the highest sequence of this spool found there.
   */
  private void resume(int partition) throws IOException {
    var p = new Properties();
    p.putAll(kafka);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "vigil-audit-spool-resume");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    var tp = new TopicPartition(topic, partition);
    long found = -1;
    long foundOffset = cursor.lastOffset();
    try (var consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      consumer.assign(List.of(tp));
      long end = consumer.endOffsets(List.of(tp), Duration.ofSeconds(30)).get(tp);
      long start;
      if (cursor.partition() >= 0) {
        start = cursor.lastOffset() + 1;
      } else {
        // never resumed, so never sent: nothing of ours is there; noted before the first send
        start = end;
        foundOffset = end - 1;
      }
      consumer.seek(tp, start);
      while (consumer.position(tp, Duration.ofSeconds(30)) < end) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          Header s = r.headers().lastHeader(SPOOL_HEADER);
          Header q = r.headers().lastHeader(SEQ_HEADER);
          if (s != null && q != null
              && spoolId.equals(new String(s.value(), StandardCharsets.UTF_8))) {
            found = Math.max(found, Long.parseLong(new String(q.value(), StandardCharsets.UTF_8)));
            foundOffset = r.offset();
          }
        }
      }
    }
    long next = Math.max(cursor.nextSeq(), found + 1);
    if (next > cursor.nextSeq()) {
      log.info("audit spool: {} records were delivered before the last stop without being noted;"
          + " not sending them again", next - cursor.nextSeq());
    }
    advance(new Cursor(next, partition, foundOffset));
  }

  private List<Frame> nextBatch(SegmentReader reader) throws IOException {
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
  private synchronized boolean nextSegmentAfter(SegmentReader reader) {
    return segments.higherKey(reader.first()) != null
        && segments.higherKey(reader.first()) <= cursor.nextSeq();
  }

  /** A reader positioned in the segment holding {@code seq}, or null if none holds it yet. */
  private SegmentReader readerAt(long seq) throws IOException {
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

  private synchronized void awaitAppend(long seq) throws InterruptedException {
    if (nextSeq <= seq && running) {
      wait(200);
    }
  }

  /** Notes the cursor durably, then deletes the segments wholly before it. */
  private void advance(Cursor next) throws IOException {
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

  private Cursor readCursor() throws IOException {
    Path f = settings.dir().resolve("cursor");
    if (!Files.exists(f)) {
      return new Cursor(0, -1, -1);
    }
    String[] parts = Files.readString(f).trim().split(" ");
    return new Cursor(Long.parseLong(parts[0]), Integer.parseInt(parts[1]),
        Long.parseLong(parts[2]));
  }

  private KafkaProducer<byte[], byte[]> producer() {
    var p = new Properties();
    p.putAll(kafka);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "vigil-audit");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(512 * 1024));
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "20000");
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
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
    running = false;
    drainer.interrupt();
    drainer.join(10_000);
    sync.shutdownNow();
    synchronized (this) {
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

  @Override
  public void close() throws InterruptedException {
    close(Duration.ofSeconds(10));
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

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
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
