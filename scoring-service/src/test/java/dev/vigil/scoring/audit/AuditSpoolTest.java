package dev.vigil.scoring.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.vigil.scoring.audit.AuditSpool.Appended;
import dev.vigil.scoring.audit.AuditSpool.Settings;
import dev.vigil.scoring.audit.AuditSpool.WhenFull;
import dev.vigil.testkit.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The audit spool against a real broker, and against an address where no broker answers. */
class AuditSpoolTest {
  private static final long T0 = 1_795_000_000_000L;
  private static EmbeddedKafka kafka;
  private static int topics;

  @BeforeAll
  static void startKafka() throws Exception {
    kafka = new EmbeddedKafka();
  }

  @AfterAll
  static void stopKafka() throws Exception {
    kafka.close();
  }

  private static String newTopic() throws Exception {
    String topic = "decisions-" + (++topics);
    kafka.createTopic(topic, 3, false);
    return topic;
  }

  private static Properties kafkaAt(String bootstrap) {
    var p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    return p;
  }

  /** An address where nothing listens: a broker that is away. */
  private static final String AWAY = "127.0.0.1:1";

  private static Settings settings(Path dir) {
    return Settings.of(dir, 64L << 20, WhenFull.REFUSE, Duration.ofMillis(50));
  }

  private static byte[] key(int i) {
    return ("audit-" + i).getBytes(StandardCharsets.UTF_8);
  }

  private static void append(AuditSpool spool, int from, int to) {
    for (int i = from; i < to; i++) {
      assertThat(spool.append(key(i), ("decision " + i).getBytes(StandardCharsets.UTF_8), T0 + i))
          .isEqualTo(Appended.KEPT);
    }
  }

  private static void awaitDelivered(AuditSpool spool) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (spool.pending() > 0) {
      assertThat(System.nanoTime()).as("delivered within a minute").isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  /** The keys of the topic's records, in offset order, each partition after the other. */
  private static List<String> keys(String topic) {
    var keys = new ArrayList<String>();
    var records = new ArrayList<>(kafka.readAll(topic));
    records.sort(java.util.Comparator.<ConsumerRecord<byte[], byte[]>>comparingInt(
        ConsumerRecord::partition).thenComparingLong(ConsumerRecord::offset));
    for (var r : records) {
      keys.add(new String(r.key(), StandardCharsets.UTF_8));
    }
    return keys;
  }

  private static List<String> expectedKeys(int n) {
    var keys = new ArrayList<String>();
    for (int i = 0; i < n; i++) {
      keys.add("audit-" + i);
    }
    return keys;
  }

  @Test
  void deliversEveryRecordOnceInTheOrderWritten(@TempDir Path dir) throws Exception {
    String topic = newTopic();
    try (var spool = new AuditSpool(settings(dir), kafkaAt(kafka.bootstrapServers()), topic)) {
      append(spool, 0, 5000);
      awaitDelivered(spool);
      assertThat(spool.delivered()).isEqualTo(5000);
    }
    var records = kafka.readAll(topic);
    assertThat(keys(topic)).containsExactlyElementsOf(expectedKeys(5000));
    assertThat(records).allSatisfy(r -> {
      assertThat(r.partition()).isEqualTo(records.get(0).partition());
      assertThat(new String(r.value(), StandardCharsets.UTF_8))
          .isEqualTo("decision " + new String(r.key(), StandardCharsets.UTF_8).substring(6));
      assertThat(r.timestamp()).isBetween(T0, T0 + 5000);
    });
  }

  @Test
  void aBrokerAwayNeverBlocksAnAppendAndNothingIsLost(@TempDir Path dir) throws Exception {
    String topic = newTopic();
    var away = new AuditSpool(settings(dir), kafkaAt(AWAY), topic);
    // a hang would be the failure here; how fast the appends are is the load harness's business
    assertTimeoutPreemptively(Duration.ofSeconds(30), () -> append(away, 0, 3000));
    assertThat(away.pending()).isEqualTo(3000);
    away.close(Duration.ZERO);
    assertThat(away.delivered()).isZero();

    // the broker is back (the service restarted with its address): the spool drains
    try (var spool = new AuditSpool(settings(dir), kafkaAt(kafka.bootstrapServers()), topic)) {
      assertThat(spool.pending()).isEqualTo(3000);
      append(spool, 3000, 3100);
      awaitDelivered(spool);
    }
    assertThat(keys(topic)).containsExactlyElementsOf(expectedKeys(3100));
  }

  @Test
  void recordsDeliveredButNotNotedBeforeACrashAreNotSentAgain(@TempDir Path dir)
      throws Exception {
    String topic = newTopic();
    try (var spool = new AuditSpool(settings(dir), kafkaAt(kafka.bootstrapServers()), topic)) {
      append(spool, 0, 200);
      awaitDelivered(spool);
    }
    // the process died after the topic acknowledged the last 150 and before the cursor noted
    // them: the cursor on disk still says 50 were delivered, at the offset of the 50th
    Path cursor = dir.resolve("cursor");
    String[] noted = Files.readString(cursor).trim().split(" ");
    long partitionStart = Long.parseLong(noted[2]) - 199;
    Files.writeString(cursor, "50 " + noted[1] + " " + (partitionStart + 49));

    try (var spool = new AuditSpool(settings(dir), kafkaAt(kafka.bootstrapServers()), topic)) {
      append(spool, 200, 210);
      awaitDelivered(spool);
      assertThat(spool.delivered()).isEqualTo(10);
    }
    assertThat(keys(topic)).containsExactlyElementsOf(expectedKeys(210));
  }

  @Test
  void appendsFromManyThreadsWhileTheDrainerDeliversArriveOnceEachWithAnUnbrokenChain(
      @TempDir Path dir) throws Exception {
    String topic = newTopic();
    int threads = 6;
    int each = 400;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try (var spool = new AuditSpool(settings(dir), kafkaAt(kafka.bootstrapServers()), topic)) {
      var start = new CountDownLatch(1);
      var appends = new ArrayList<Future<?>>();
      for (int t = 0; t < threads; t++) {
        int from = t * each;
        appends.add(pool.submit(() -> {
          start.await();
          append(spool, from, from + each);
          return null;
        }));
      }
      start.countDown();
      for (Future<?> append : appends) {
        append.get(2, TimeUnit.MINUTES);
      }
      awaitDelivered(spool);
      assertThat(spool.delivered()).isEqualTo(threads * each);
      assertThat(spool.writes()).isBetween(1L, (long) threads * each);
    } finally {
      pool.shutdownNow();
    }
    var records = AuditChain.records(kafka.bootstrapServers(), new Properties(), topic);
    assertThat(AuditChain.verify(records)).singleElement().satisfies(f -> {
      assertThat(f.records()).isEqualTo(threads * each);
      assertThat(f.holds()).as(String.valueOf(f.firstBreak())).isTrue();
    });
    assertThat(keys(topic)).containsExactlyInAnyOrderElementsOf(expectedKeys(threads * each));
  }

  @Test
  void theHashChainHoldsAcrossARestartAndNamesAnAlteredOrAMissingRecord(@TempDir Path dir)
      throws Exception {
    String topic = newTopic();
    try (var spool = new AuditSpool(settings(dir), kafkaAt(kafka.bootstrapServers()), topic)) {
      append(spool, 0, 50);
      awaitDelivered(spool);
    }
    try (var spool = new AuditSpool(settings(dir), kafkaAt(kafka.bootstrapServers()), topic)) {
      append(spool, 50, 80); // the chain goes on from the last record before the restart
      awaitDelivered(spool);
    }
    var records = new ArrayList<>(AuditChain.records(kafka.bootstrapServers(), new java.util.Properties(), topic));
    assertThat(AuditChain.verify(records)).singleElement().satisfies(f -> {
      assertThat(f.records()).isEqualTo(80);
      assertThat(f.holds()).as(String.valueOf(f.firstBreak())).isTrue();
    });

    // one byte of one record altered at rest
    var altered = new ArrayList<>(records);
    var r = records.get(40);
    byte[] value = r.value().clone();
    value[value.length / 2] ^= 1;
    altered.set(40, new ConsumerRecord<>(r.topic(), r.partition(), r.offset(), r.timestamp(),
        r.timestampType(), r.serializedKeySize(), r.serializedValueSize(), r.key(), value,
        r.headers(), java.util.Optional.empty()));
    assertThat(AuditChain.verify(altered)).singleElement().satisfies(f ->
        assertThat(f.firstBreak()).contains("offset " + r.offset()).contains("altered"));

    // one record removed
    var missing = new ArrayList<>(records);
    missing.remove(60);
    assertThat(AuditChain.verify(missing)).singleElement().satisfies(f ->
        assertThat(f.firstBreak()).contains("sequence 61 follows 59"));
  }

  @Test
  void aSpoolOfAnOlderLayoutIsSetAsideNotMisread(@TempDir Path dir) throws Exception {
    String topic = newTopic();
    Path spoolDir = Files.createDirectories(dir.resolve("audit-spool"));
    // format 1: an id alone, frames without chain hashes (here: 300 bytes of such a frame)
    Files.writeString(spoolDir.resolve("spool.id"), "0a278cb6-c091-47a5-bb77-5253c6f473af");
    Files.write(spoolDir.resolve("00000000000000000000.seg"), new byte[300]);
    try (var spool = new AuditSpool(settings(spoolDir), kafkaAt(kafka.bootstrapServers()),
        topic)) {
      assertThat(spool.id()).isNotEqualTo("0a278cb6-c091-47a5-bb77-5253c6f473af");
      append(spool, 0, 10);
      awaitDelivered(spool);
    }
    try (var files = Files.list(dir)) {
      assertThat(files.map(f -> f.getFileName().toString()))
          .anyMatch(n -> n.startsWith("audit-spool.format-1-"));
    }
    assertThat(keys(topic)).containsExactlyElementsOf(expectedKeys(10));
  }

  @Test
  void aTornLastFrameIsCutOffAndTheSpoolGoesOn(@TempDir Path dir) throws Exception {
    String topic = newTopic();
    var away = new AuditSpool(settings(dir), kafkaAt(AWAY), topic);
    append(away, 0, 20);
    away.close(Duration.ZERO);
    // a write cut short: a frame header promising 500 bytes, and 3 of them
    Path segment;
    try (var files = Files.list(dir)) {
      segment = files.filter(f -> f.toString().endsWith(".seg")).findFirst().orElseThrow();
    }
    Files.write(segment, new byte[] {0, 0, 1, (byte) 244, 1, 2, 3, 4, 9, 9, 9},
        StandardOpenOption.APPEND);

    try (var spool = new AuditSpool(settings(dir), kafkaAt(kafka.bootstrapServers()), topic)) {
      append(spool, 20, 30);
      awaitDelivered(spool);
    }
    assertThat(keys(topic)).containsExactlyElementsOf(expectedKeys(30));
  }

  @Test
  void deliveredSegmentsAreDeletedSoTheSpoolStaysWithinItsBound(@TempDir Path dir)
      throws Exception {
    String topic = newTopic();
    var small = new Settings(dir, 64 * 1024, WhenFull.REFUSE, Duration.ofMillis(50), 4096);
    try (var spool = new AuditSpool(small, kafkaAt(kafka.bootstrapServers()), topic)) {
      // 20,000 records of ~110 bytes, 30 times what the spool may hold, in rounds it can take
      for (int round = 0; round < 50; round++) {
        append(spool, round * 400, round * 400 + 400);
        awaitDelivered(spool);
      }
      assertThat(spool.bytes()).isLessThanOrEqualTo(64 * 1024);
      try (var files = Files.list(dir)) {
        assertThat(files.filter(f -> f.toString().endsWith(".seg")).count()).isLessThan(3);
      }
    }
    assertThat(keys(topic)).containsExactlyElementsOf(expectedKeys(20_000));
  }

  @Test
  void aFullSpoolRefusesOrCountsAsConfiguredAndNeverBlocks(@TempDir Path dir) throws Exception {
    String topic = newTopic();
    var refusing = new Settings(dir.resolve("refuse"), 8192, WhenFull.REFUSE,
        Duration.ofMillis(50), 2048);
    var counting = new Settings(dir.resolve("count"), 8192, WhenFull.COUNT,
        Duration.ofMillis(50), 2048);
    for (var s : List.of(refusing, counting)) {
      var spool = new AuditSpool(s, kafkaAt(AWAY), topic);
      var outcomes = new ArrayList<Appended>();
      assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
        for (int i = 0; i < 1000; i++) {
          outcomes.add(spool.append(key(i), new byte[100], T0));
        }
      });
      long kept = outcomes.stream().filter(a -> a == Appended.KEPT).count();
      assertThat(kept).isBetween(35L, 50L); // 8 KiB of ~198-byte frames
      assertThat(outcomes.subList((int) kept, 1000)).containsOnly(
          s.whenFull() == WhenFull.REFUSE ? Appended.REFUSED : Appended.DROPPED);
      assertThat(spool.notKept()).isEqualTo(1000 - kept);
      assertThat(spool.bytes()).isLessThanOrEqualTo(8192);
      spool.close(Duration.ZERO);
    }
  }

  @Test
  void aFullSpoolMakesTheAuditLogRefuseTheCallWithUnavailable(@TempDir Path dir)
      throws Exception {
    var full = new Settings(dir, 2048, WhenFull.REFUSE, Duration.ofMillis(50), 2048);
    var spool = new AuditSpool(full, kafkaAt(AWAY), "decisions");
    var log = new AuditLog(spool);
    var record = dev.vigil.proto.v1.AuditRecord.newBuilder().setAuditId("a-1").build();
    var values = new double[dev.vigil.features.profile.FeatureCatalogue.of(
        dev.vigil.features.profile.FeatureCatalogue.Task.FRAUD).names().size()];
    int answered = 0;
    io.grpc.StatusRuntimeException refused = null;
    for (int i = 0; i < 100 && refused == null; i++) {
      try {
        log.write(record, dev.vigil.features.profile.FeatureCatalogue.Task.FRAUD, values);
        answered++;
      } catch (io.grpc.StatusRuntimeException e) {
        refused = e;
      }
    }
    assertThat(answered).isPositive();
    assertThat(refused).isNotNull();
    assertThat(refused.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.UNAVAILABLE);
    assertThat(refused.getStatus().getDescription()).contains("audit spool is full");
    spool.close(Duration.ZERO);
  }
}
