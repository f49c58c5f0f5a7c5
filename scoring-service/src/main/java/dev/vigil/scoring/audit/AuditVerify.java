package dev.vigil.scoring.audit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code ./vigil audit verify}: reads the decisions topic from its beginning to its end and checks
 * every writer's hash chain ({@link AuditChain}); prints each writer's count and whether its
 * chain holds, or where it first breaks. Exit code 0 when every chain holds, 1 otherwise.
 */
@Command(name = "vigil audit verify", mixinStandardHelpOptions = true,
    description = "Checks the audit trail's hash chains on the decisions topic.")
public final class AuditVerify implements Callable<Integer> {
  @Mixin DecisionsTopic decisions = new DecisionsTopic();

  @Override
  public Integer call() throws java.io.IOException {
    var findings = AuditChain.verify(decisions.readAll());
    if (findings.isEmpty()) {
      System.out.println("no audit records written by a spool on " + decisions.topic());
    }
    boolean holds = true;
    for (AuditChain.Finding f : findings) {
      System.out.println("writer " + f.spool() + ": " + f.records() + " records, "
          + (f.holds() ? "chain holds" : "chain BROKEN at " + f.firstBreak()));
      holds &= f.holds();
    }
    return holds ? 0 : 1;
  }

  /** Every record of {@code topic}, each partition from its beginning to its current end. */
  public static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrap, Properties client,
      String topic) {
    var p = new Properties();
    p.putAll(client);
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "vigil-audit-verify");
    var records = new ArrayList<ConsumerRecord<byte[], byte[]>>();
    try (var consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      var partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
          .map(i -> new TopicPartition(topic, i.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      var end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        consumer.poll(Duration.ofMillis(500)).forEach(records::add);
      }
    }
    // offset order within each partition, as a writer's chain runs
    records.sort(java.util.Comparator.<ConsumerRecord<byte[], byte[]>>comparingInt(
        ConsumerRecord::partition).thenComparingLong(ConsumerRecord::offset));
    return records;
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new AuditVerify()).execute(args));
  }
}
