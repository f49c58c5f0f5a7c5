package dev.vigil.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * A single-node Kafka broker for the embedded default ({@code ./vigil up}): starts it, creates
 * Vigil's topics (those that do not exist yet), writes its bootstrap address to the file named by
 * the first argument, and runs until the process is stopped. With a third argument, its data
 * lives in that directory and survives a restart; with a fourth, it listens on that port of
 * 127.0.0.1 (and the next one for its controller), so a restarted broker keeps its address.
 */
public final class LocalKafka {
  private LocalKafka() {}

  public static void main(String[] args) throws Exception {
    Path bootstrapFile = Path.of(args.length > 0 ? args[0] : "var/kafka.bootstrap");
    int partitions = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    var kafka = new EmbeddedKafka(args.length > 2 ? Path.of(args[2]) : null,
        args.length > 3 ? Integer.parseInt(args[3]) : 0);
    // as docs/deployment.md provisions them: events and dead letters kept 7 and 30 days from
    // their arrival (the broker's append time, whatever time a producer stamps them with)
    kafka.createTopic("vigil.events", partitions, false, Map.of("retention.ms",
        Long.toString(Duration.ofDays(7).toMillis()), "message.timestamp.type", "LogAppendTime"));
    kafka.createTopic("vigil.profiles", partitions, true);
    kafka.createTopic("vigil.events.dead-letters", 1, false, Map.of("retention.ms",
        Long.toString(Duration.ofDays(30).toMillis()), "message.timestamp.type",
        "LogAppendTime"));
    // the allow and block lists' change log: one ordered partition, each entry's latest state
    kafka.createTopic("vigil.lists", 1, true);
    // the audit trail: kept 7 years (a lender's record-keeping), not the broker's 7 days
    kafka.createTopic("vigil.decisions", partitions, false, Map.of("retention.ms",
        Long.toString(Duration.ofDays(7 * 365 + 2).toMillis())));
    Files.createDirectories(bootstrapFile.toAbsolutePath().getParent());
    Path tmp = bootstrapFile.resolveSibling(bootstrapFile.getFileName() + ".tmp");
    Files.writeString(tmp, kafka.bootstrapServers());
    Files.move(tmp, bootstrapFile, StandardCopyOption.ATOMIC_MOVE);
    System.out.println("Kafka ready at " + kafka.bootstrapServers());
    var stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        Files.deleteIfExists(bootstrapFile);
        kafka.close();
      } catch (Exception e) {
        System.err.println("closing Kafka: " + e);
      }
      stopped.countDown();
    }, "kafka-shutdown"));
    stopped.await();
  }
}
