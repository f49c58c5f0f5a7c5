package dev.vigil.job;

import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Dead letters: the original record bytes, with headers saying which field was wrong, why, and
 * where the record came from. The key is the event id when one was read.
 */
final class DeadLetterSerializer implements KafkaRecordSerializationSchema<Incoming> {
  static final String FIELD = "vigil.error.field";
  static final String REASON = "vigil.error.reason";
  static final String ORIGIN = "vigil.origin";
  private final String topic;

  DeadLetterSerializer(String topic) {
    this.topic = topic;
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(Incoming in, KafkaSinkContext context,
      Long timestamp) {
    var headers = new RecordHeaders();
    headers.add(FIELD, in.errorField.getBytes(StandardCharsets.UTF_8));
    headers.add(REASON, in.errorReason.getBytes(StandardCharsets.UTF_8));
    headers.add(ORIGIN, in.origin.getBytes(StandardCharsets.UTF_8));
    byte[] key = in.eventId == null || in.eventId.isEmpty() ? null
        : in.eventId.getBytes(StandardCharsets.UTF_8);
    return new ProducerRecord<>(topic, null, timestamp, key, in.payload, headers);
  }
}
