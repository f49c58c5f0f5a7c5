package dev.vigil.tools.audit;

import dev.vigil.scoring.audit.AuditChain;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import picocli.CommandLine.Option;

/**
 * The command-line options of a tool that reads the decisions topic ({@code ./vigil audit
 * verify}, {@code ./vigil models drift}): where the broker is, how to reach it, which topic.
 */
public final class DecisionsTopic {
  @Option(names = "--bootstrap-servers", defaultValue = "localhost:9092",
      description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
  String bootstrap;

  @Option(names = "--kafka-properties", paramLabel = "FILE", description = "Kafka client"
      + " properties (security.protocol=SASL_SSL, sasl.*, ssl.*: docs/security.md).")
  Path kafkaProperties;

  @Option(names = "--topic", defaultValue = "vigil.decisions",
      description = "The decisions topic (default: ${DEFAULT-VALUE}).")
  String topic;

  /** The topic's name. */
  public String topic() {
    return topic;
  }

  /**
   * Every record of the topic, each partition from its beginning to its current end.
   *
   * @throws IOException if the Kafka properties file cannot be read
   */
  public List<ConsumerRecord<byte[], byte[]>> readAll() throws IOException {
    var client = new Properties();
    if (kafkaProperties != null) {
      try (Reader in = Files.newBufferedReader(kafkaProperties)) {
        client.load(in);
      }
    }
    return AuditChain.records(bootstrap, client, topic);
  }
}
