package dev.vigil.scoring.bench;

import dev.vigil.scoring.TestService;
import dev.vigil.scoring.store.ProfileMaterializer;
import dev.vigil.scoring.store.ProfileStore;
import dev.vigil.testkit.EmbeddedKafka;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A new replica's catch-up from empty (`./vigil catch-up-bench [accounts] [partitions]`): the
 * profiles topic holds the benchmarks' book ({@link SyntheticBook}: {@code accounts} accounts with
 * their customers and devices, 10,000 merchants); a materialiser fills an empty store from it, beside
 * a bare consumer that reads the same records and does nothing with them, alternately, twice
 * each, in the same run. Prints the topic's size, each run's time and rate, the store's size on
 * disk, and the materialiser's rate against the bare consumer's.
 */
public final class CatchUpHarness {
  private static final String TOPIC = "vigil.profiles";

  private CatchUpHarness() {}

  record Run(String name, long records, double seconds) {
    double rate() {
      return records / seconds;
    }
  }

  public static void main(String[] args) throws Exception {
    int accounts = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int partitions = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    Path dir = Files.createTempDirectory("vigil-catch-up");
    long now = TestService.NOW.toEpochMilli();
    try (var kafka = new EmbeddedKafka()) {
      kafka.createTopic(TOPIC, partitions, true);
      System.out.printf("publishing %,d accounts' profiles (+ customers, devices, %,d merchants)"
          + " to %s, %d partitions...%n", accounts, SyntheticBook.MERCHANTS, TOPIC, partitions);
      var records = new AtomicLong();
      var bytes = new AtomicLong();
      long t0 = System.nanoTime();
      try (var producer = kafka.producer()) {
        SyntheticBook.each(accounts, now, (key, record) -> {
          byte[] k = key.toString().getBytes(StandardCharsets.UTF_8);
          byte[] v = record.toByteArray();
          records.incrementAndGet();
          bytes.addAndGet(k.length + v.length);
          producer.send(new ProducerRecord<>(TOPIC, k, v));
        });
        producer.flush();
      }
      System.out.printf("  %,d records, %,d MB of keys and values, in %.0f s%n", records.get(),
          bytes.get() >> 20, (System.nanoTime() - t0) / 1e9);

      var runs = new Run[4];
      for (int i = 0; i < 2; i++) {
        runs[2 * i] = bare(kafka, "bare consumer");
        runs[2 * i + 1] = materialize(kafka, dir.resolve("store-" + i), "materialiser");
      }
      double bare = (runs[0].rate() + runs[2].rate()) / 2;
      double vigil = (runs[1].rate() + runs[3].rate()) / 2;
      System.out.printf("%n%-16s %10s %10s %12s%n", "reader", "records", "seconds",
          "records/s");
      for (Run r : runs) {
        System.out.printf("%-16s %,10d %10.1f %,12.0f%n", r.name(), r.records(), r.seconds(),
            r.rate());
      }
      System.out.printf("materialiser / bare consumer: %.2f; catch-up from empty of %,d"
          + " accounts: %.0f s (the mean of two runs)%n", vigil / bare, accounts,
          (runs[1].seconds() + runs[3].seconds()) / 2);
    } finally {
      deleteTree(dir);
    }
  }

  /** Reads every record of the topic from the beginning, keeping nothing. */
  private static Run bare(EmbeddedKafka kafka, String name) {
    var p = client(kafka);
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
    p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "20");
    try (var consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      var parts = consumer.partitionsFor(TOPIC).stream()
          .map(i -> new TopicPartition(TOPIC, i.partition())).toList();
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      Map<TopicPartition, Long> end = consumer.endOffsets(parts);
      long t0 = System.nanoTime();
      long read = 0;
      long sum = 0;
      while (parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        for (var r : consumer.poll(Duration.ofMillis(100))) {
          read++;
          sum += r.value().length; // touch the value, as a reader would
        }
      }
      if (sum == 0) {
        throw new IllegalStateException("read no bytes");
      }
      return new Run(name, read, (System.nanoTime() - t0) / 1e9);
    }
  }

  /** Fills an empty store from the topic, as a new replica does, until it has caught up. */
  private static Run materialize(EmbeddedKafka kafka, Path storeDir, String name)
      throws Exception {
    Files.createDirectories(storeDir);
    try (var store = new ProfileStore(storeDir, ProfileStore.Settings.DEFAULT)) {
      long t0 = System.nanoTime();
      try (var materializer = new ProfileMaterializer(store, client(kafka), TOPIC)
          .start()) {
        while (!materializer.caughtUp()) {
          Thread.sleep(20);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        long read = materializer.recordsRead();
        store.compact();
        System.out.printf("  %s: store %s, %,d MB on disk after compaction%n", name,
            store.sizes(), size(storeDir) >> 20);
        return new Run(name, read, seconds);
      }
    }
  }

  private static Properties client(EmbeddedKafka kafka) {
    var p = kafka.clientProperties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    return p;
  }

  private static long size(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(f -> {
        try {
          return Files.size(f);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }).sum();
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted((a, b) -> b.compareTo(a)).forEach(f -> f.toFile().delete());
    }
  }
}
