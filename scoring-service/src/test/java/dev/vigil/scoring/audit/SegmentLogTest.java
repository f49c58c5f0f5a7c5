package dev.vigil.scoring.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.scoring.audit.AuditSpool.Appended;
import dev.vigil.scoring.audit.AuditSpool.Settings;
import dev.vigil.scoring.audit.AuditSpool.WhenFull;
import dev.vigil.scoring.audit.SegmentLog.Cursor;
import dev.vigil.scoring.audit.SegmentLog.Frame;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spool's on-disk half alone, without Kafka: what is appended is read back in order with an
 * unbroken chain, across a reopen, and the cursor's advance deletes whole delivered segments;
 * appends from many threads at once share writes (group commit) and none returns before its record
 * is in the file.
 */
class SegmentLogTest {
  private static Settings settings(Path dir) {
    return new Settings(dir, 1 << 20, WhenFull.REFUSE, Duration.ofMillis(50), 2048);
  }

  /** Every frame from the cursor on, segment after segment. */
  private static List<Frame> readAll(SegmentLog log) throws Exception {
    var frames = new ArrayList<Frame>();
    long seq = log.cursor().nextSeq();
    for (var next = log.readerAt(seq); next != null; next = log.readerAt(seq)) {
      try (var reader = next) {
        Frame f;
        while ((f = reader.next()) != null) {
          if (f.seq() >= seq) {
            frames.add(f);
          }
        }
        seq = reader.lastSeq() + 1;
      }
    }
    return frames;
  }

  /** {@code frames} as the drainer delivers them (headers), for {@link AuditChain#verify}. */
  private static List<ConsumerRecord<byte[], byte[]>> asDelivered(String spool,
      List<Frame> frames) {
    var records = new ArrayList<ConsumerRecord<byte[], byte[]>>();
    for (Frame f : frames) {
      var headers = new RecordHeaders();
      headers.add(AuditSpool.SPOOL_HEADER, spool.getBytes(StandardCharsets.UTF_8));
      headers.add(AuditSpool.SEQ_HEADER,
          Long.toString(f.seq()).getBytes(StandardCharsets.UTF_8));
      headers.add(AuditSpool.PREVIOUS_HEADER, f.previous());
      headers.add(AuditSpool.HASH_HEADER, f.hash());
      records.add(new ConsumerRecord<>("decisions", 0, f.seq(), f.timestamp(),
          TimestampType.CREATE_TIME, f.key().length, f.value().length, f.key(), f.value(),
          headers, Optional.empty()));
    }
    return records;
  }

  private static void assertChainHolds(String spool, List<Frame> frames) {
    for (int i = 0; i < frames.size(); i++) {
      assertThat(frames.get(i).seq()).isEqualTo(i);
    }
    assertThat(AuditChain.verify(asDelivered(spool, frames))).singleElement().satisfies(f -> {
      assertThat(f.records()).isEqualTo(frames.size());
      assertThat(f.holds()).as(String.valueOf(f.firstBreak())).isTrue();
    });
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void appendedRecordsReadBackInOrderWithTheirChainAcrossAReopen(@TempDir Path dir)
      throws Exception {
    try (var log = new SegmentLog(settings(dir))) {
      for (int i = 0; i < 40; i++) {
        assertThat(log.append(("k" + i).getBytes(StandardCharsets.UTF_8),
            ("value " + i).getBytes(StandardCharsets.UTF_8), 1_000L + i)).isEqualTo(Appended.KEPT);
      }
    }
    try (var log = new SegmentLog(settings(dir))) {
      assertThat(log.pending()).isEqualTo(40);
      List<Frame> frames = readAll(log);
      assertThat(frames).hasSize(40);
      byte[] previous = AuditChain.GENESIS;
      for (int i = 0; i < frames.size(); i++) {
        Frame f = frames.get(i);
        assertThat(f.seq()).isEqualTo(i);
        assertThat(new String(f.value(), StandardCharsets.UTF_8)).isEqualTo("value " + i);
        assertThat(f.previous()).isEqualTo(previous);
        assertThat(f.hash()).isEqualTo(AuditChain.link(previous, f.seq(), f.key(), f.value()));
        previous = f.hash();
      }
    }
  }

  @Test
  void advancingTheCursorDeletesWholeDeliveredSegmentsOnly(@TempDir Path dir) throws Exception {
    try (var log = new SegmentLog(settings(dir))) {
      for (int i = 0; i < 100; i++) {
        log.append(new byte[] {1}, new byte[200], i);
      }
      long segmentsBefore = segments(dir);
      long bytesBefore = log.bytes();
      assertThat(segmentsBefore).isGreaterThan(3);
      log.advance(new Cursor(60, 0, 59));
      assertThat(log.pending()).isEqualTo(40);
      assertThat(segments(dir)).isLessThan(segmentsBefore).isGreaterThan(0);
      assertThat(log.bytes()).isLessThan(bytesBefore);
      // the segment holding record 60 is kept: it is not wholly delivered
      assertThat(log.readerAt(60)).isNotNull().satisfies(r -> r.close());
    }
    try (var log = new SegmentLog(settings(dir))) {
      assertThat(log.cursor().nextSeq()).isEqualTo(60);
      assertThat(log.pending()).isEqualTo(40);
    }
  }

  @Test
  void concurrentAppendsReadBackCompleteInSequenceWithAValidChainAcrossAReopen(@TempDir Path dir)
      throws Exception {
    int threads = 8;
    int each = 250;
    String spool;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try (var log = new SegmentLog(settings(dir))) {
      spool = log.id();
      var start = new CountDownLatch(1);
      var appends = new ArrayList<Future<?>>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        appends.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < each; i++) {
            assertThat(log.append(utf8(thread + "-" + i), utf8("decision " + thread + "-" + i),
                1_000L + i)).isEqualTo(Appended.KEPT);
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> append : appends) {
        append.get(2, TimeUnit.MINUTES);
      }
      assertThat(log.pending()).isEqualTo(threads * each);
      assertThat(log.writes()).isBetween(1L, (long) threads * each);
    } finally {
      pool.shutdownNow();
    }
    try (var log = new SegmentLog(settings(dir))) {
      List<Frame> frames = readAll(log);
      assertThat(frames).hasSize(threads * each);
      assertChainHolds(spool, frames);
      // every thread's records, each once, in the order that thread appended them
      var next = new int[threads];
      for (Frame f : frames) {
        String[] key = new String(f.key(), StandardCharsets.UTF_8).split("-");
        int thread = Integer.parseInt(key[0]);
        assertThat(Integer.parseInt(key[1])).isEqualTo(next[thread]++);
        assertThat(new String(f.value(), StandardCharsets.UTF_8))
            .isEqualTo("decision " + thread + "-" + key[1]);
      }
      assertThat(next).containsOnly(each);
    }
  }

  @Test
  void appendsThatOverlapShareOneWriteAndNoneReturnsBeforeItsRecordIsInTheFile(
      @TempDir Path dir) throws Exception {
    int threads = 8;
    byte[] value = new byte[100];
    int frame = 8 + 82 + "overlap-0".length() + value.length; // frame and record headers
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try (var log = new SegmentLog(settings(dir))) {
      assertThat(log.append(utf8("first"), value, 0)).isEqualTo(Appended.KEPT);
      long writes = log.writes();
      long bytes = log.bytes();
      var returned = new AtomicInteger();
      var appends = new ArrayList<Future<Appended>>();
      // a write in progress (its lock held): the appends that come meanwhile wait for the next
      log.writeLock().lock();
      try {
        for (int t = 0; t < threads; t++) {
          byte[] key = utf8("overlap-" + t);
          appends.add(pool.submit(() -> {
            Appended kept = log.append(key, value, 1);
            returned.incrementAndGet();
            return kept;
          }));
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (log.bytes() < bytes + (long) threads * frame) { // all encoded, in the chain
          assertThat(System.nanoTime()).as("all appends encoded within a minute")
              .isLessThan(deadline);
          Thread.sleep(5);
        }
        assertThat(returned).as("appends returned before their write").hasValue(0);
        assertThat(log.pending()).as("the drainer sees only what is written").isEqualTo(1);
        assertThat(segmentBytes(dir)).isEqualTo(bytes);
        assertThat(log.writes()).isEqualTo(writes);
      } finally {
        log.writeLock().unlock();
      }
      for (Future<Appended> append : appends) {
        assertThat(append.get(1, TimeUnit.MINUTES)).isEqualTo(Appended.KEPT);
      }
      assertThat(log.writes()).as("one write for all that waited").isEqualTo(writes + 1);
      assertThat(log.pending()).isEqualTo(threads + 1);
      assertThat(segmentBytes(dir)).isEqualTo(bytes + (long) threads * frame);
      assertChainHolds(log.id(), readAll(log));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aFailedWriteKeepsNoneOfItsRecordsAndTheLogGoesOnFromTheFile(@TempDir Path dir)
      throws Exception {
    String spool;
    try (var log = new SegmentLog(settings(dir))) {
      spool = log.id();
      for (int i = 0; i < 3; i++) {
        assertThat(log.append(utf8("k" + i), utf8("v" + i), i)).isEqualTo(Appended.KEPT);
      }
      // part of a frame in the file, as when an interrupt lands during a write (the bytes are
      // in the file, then the channel closes): the failed write's cut must take it off, else
      // the records after it follow a torn frame, and a restart's recovery cuts them off too
      Path segment;
      try (var files = Files.list(dir)) {
        segment = files.filter(f -> f.toString().endsWith(".seg")).findFirst().orElseThrow();
      }
      Files.write(segment, new byte[] {0, 0, 0, 99, 1, 2, 3}, StandardOpenOption.APPEND);
      // a writer whose thread is interrupted: the channel refuses the write and closes itself
      var failed = new AtomicReference<Throwable>();
      Thread interrupted = new Thread(() -> {
        Thread.currentThread().interrupt();
        try {
          log.append(utf8("lost"), utf8("never kept"), 3);
        } catch (Throwable e) {
          failed.set(e);
        }
      });
      interrupted.start();
      interrupted.join();
      assertThat(failed.get()).isInstanceOf(UncheckedIOException.class);
      assertThat(log.pending()).isEqualTo(3);
      for (int i = 3; i < 6; i++) {
        assertThat(log.append(utf8("k" + i), utf8("v" + i), i)).isEqualTo(Appended.KEPT);
      }
    }
    try (var log = new SegmentLog(settings(dir))) {
      List<Frame> frames = readAll(log);
      assertThat(frames).extracting(f -> new String(f.key(), StandardCharsets.UTF_8))
          .containsExactly("k0", "k1", "k2", "k3", "k4", "k5");
      assertChainHolds(spool, frames);
    }
  }

  @Test
  void aRestartAfterASegmentWhoseFirstWriteFailedGoesOnFromTheSegmentBefore(@TempDir Path dir)
      throws Exception {
    String spool;
    try (var log = new SegmentLog(settings(dir))) {
      spool = log.id();
      for (int i = 0; i < 3; i++) {
        assertThat(log.append(utf8("k" + i), utf8("v" + i), i)).isEqualTo(Appended.KEPT);
      }
    }
    // a roll made the next segment, then its first write failed and the process stopped
    Files.createFile(dir.resolve(String.format("%020d.seg", 3)));
    try (var log = new SegmentLog(settings(dir))) {
      assertThat(log.append(utf8("k3"), utf8("v3"), 3)).isEqualTo(Appended.KEPT);
    }
    try (var log = new SegmentLog(settings(dir))) {
      List<Frame> frames = readAll(log);
      assertThat(frames).extracting(f -> new String(f.key(), StandardCharsets.UTF_8))
          .containsExactly("k0", "k1", "k2", "k3");
      assertChainHolds(spool, frames); // k3 follows k2, not the chain's start
    }
  }

  @Test
  void aRecordAnotherAppendWroteStaysKeptWhenALaterWriteFails(@TempDir Path dir)
      throws Exception {
    byte[] value = new byte[50];
    int frame = 8 + 82 + "waiting".length() + value.length;
    ExecutorService pool = Executors.newSingleThreadExecutor();
    String spool;
    try (var log = new SegmentLog(settings(dir))) {
      spool = log.id();
      assertThat(log.append(utf8("first"), value, 0)).isEqualTo(Appended.KEPT);
      long bytes = log.bytes();
      Future<Appended> waiting;
      log.writeLock().lock(); // this thread writes next
      try {
        waiting = pool.submit(() -> log.append(utf8("waiting"), value, 1));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (log.bytes() < bytes + frame) {
          assertThat(System.nanoTime()).as("encoded within a minute").isLessThan(deadline);
          Thread.sleep(5);
        }
        // this append writes the waiting record with its own
        assertThat(log.append(utf8("writer"), value, 2)).isEqualTo(Appended.KEPT);
        // then a write fails (this thread interrupted: the channel refuses it)
        Thread.currentThread().interrupt();
        try {
          log.append(utf8("lost"), value, 3);
          throw new AssertionError("a write on an interrupted thread was taken");
        } catch (UncheckedIOException expected) {
          // not kept
        } finally {
          Thread.interrupted();
        }
      } finally {
        log.writeLock().unlock();
      }
      assertThat(waiting.get(1, TimeUnit.MINUTES)).as("written before the failure")
          .isEqualTo(Appended.KEPT);
      assertThat(log.append(utf8("after"), value, 4)).isEqualTo(Appended.KEPT);
    } finally {
      pool.shutdownNow();
    }
    try (var log = new SegmentLog(settings(dir))) {
      List<Frame> frames = readAll(log);
      assertThat(frames).extracting(f -> new String(f.key(), StandardCharsets.UTF_8))
          .containsExactly("first", "waiting", "writer", "after");
      assertChainHolds(spool, frames);
    }
  }

  private static long segmentBytes(Path dir) throws Exception {
    try (var files = Files.list(dir)) {
      long sum = 0;
      for (Path f : files.filter(f -> f.toString().endsWith(".seg")).toList()) {
        sum += Files.size(f);
      }
      return sum;
    }
  }

  private static long segments(Path dir) throws Exception {
    try (var files = Files.list(dir)) {
      return files.filter(f -> f.toString().endsWith(".seg")).count();
    }
  }
}
