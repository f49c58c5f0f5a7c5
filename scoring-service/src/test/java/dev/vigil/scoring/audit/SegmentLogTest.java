package dev.vigil.scoring.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.scoring.audit.AuditSpool.Appended;
import dev.vigil.scoring.audit.AuditSpool.Settings;
import dev.vigil.scoring.audit.AuditSpool.WhenFull;
import dev.vigil.scoring.audit.SegmentLog.Cursor;
import dev.vigil.scoring.audit.SegmentLog.Frame;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spool's on-disk half alone, without Kafka: what is appended is read back in order with an
 * unbroken chain, across a reopen, and the cursor's advance deletes whole delivered segments.
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

  private static long segments(Path dir) throws Exception {
    try (var files = Files.list(dir)) {
      return files.filter(f -> f.toString().endsWith(".seg")).count();
    }
  }
}
