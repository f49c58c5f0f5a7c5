package dev.vigil.scoring.audit;

import dev.vigil.features.profile.FeatureCatalogue;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.proto.v1.AuditRecord;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes each decision's audit record to the decisions topic, keyed by audit id. The answer does
 * not wait for Kafka (a scoring call must not take a broker round trip); a record Kafka refuses is
 * counted and logged by audit id, never with its contents.
 */
public final class AuditLog {
  private static final Logger log = LoggerFactory.getLogger(AuditLog.class);

  private final Producer<byte[], byte[]> producer;
  private final String topic;
  private final Runnable onFailure;
  private final Map<Task, FeatureValues> features = new EnumMap<>(Task.class);

  public AuditLog(Producer<byte[], byte[]> producer, String topic, Runnable onFailure) {
    this.producer = producer;
    this.topic = topic;
    this.onFailure = onFailure;
    for (Task task : Task.values()) {
      features.put(task, new FeatureValues(FeatureCatalogue.of(task).names()));
    }
  }

  /**
   * Writes {@code record} with the feature values the model received ({@code values}, in the
   * order of {@code task}'s feature set) as its {@code features} map.
   */
  public void write(AuditRecord record, Task task, double[] values) {
    byte[] bytes = features.get(task).encode(record, values);
    producer.send(new ProducerRecord<>(topic, null, record.getDecidedAt().getSeconds() * 1000,
        record.getAuditId().getBytes(StandardCharsets.UTF_8), bytes),
        (metadata, error) -> {
          if (error != null) {
            onFailure.run();
            log.error("audit record {} not written: {}", record.getAuditId(), error.toString());
          }
        });
  }
}
