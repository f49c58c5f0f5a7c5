package dev.vigil.job.sinks;

import dev.vigil.job.intake.Incoming;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Dead letters: the original record bytes, with headers saying which field was wrong, why, and
 * where the record came from. The key is the event id when one was read (and is a valid id).
 *
 * <p>A dead letter is always small enough for the dead-letters topic: a record near the events
 * topic's size limit would not fit once the headers are added, and a dead letter that cannot be
 * written fails the task on every restart. So the payload keeps its first {@link
 * #MAX_PAYLOAD_BYTES} bytes (the {@link #TRUNCATED_FROM} header gives the original size) and the
 * reason its first {@link #MAX_REASON_CHARS} characters.
 *
 * <p>A dead letter's timestamp is when the job set the record aside, by the job's clock, not the
 * event's own time: the topic's retention then keeps it as long as it says from that moment. With
 * the event's time, a dead letter for an event older than the retention (one refused as beyond
 * the horizon, a backfill's bad record) would be deleted at the broker's next retention check,
 * before an operator could read it.
 */
public final class DeadLetterSerializer implements KafkaRecordSerializationSchema<Incoming> {
  public static final String FIELD = "vigil.error.field";
  public static final String REASON = "vigil.error.reason";
  public static final String ORIGIN = "vigil.origin";
  public static final String TRUNCATED_FROM = "vigil.truncated.from";
  public static final int MAX_PAYLOAD_BYTES = 64 * 1024;
  public static final int MAX_REASON_CHARS = 1024;
  private final String topic;
  private final Clock clock;

  /** @param clock the job's clock, which stamps each dead letter (serializable, as the job's) */
  public DeadLetterSerializer(String topic, Clock clock) {
    this.topic = topic;
    this.clock = clock;
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(Incoming in, KafkaSinkContext context,
      Long timestamp) {
    var headers = new RecordHeaders();
    headers.add(FIELD, in.errorField().getBytes(StandardCharsets.UTF_8));
    String reason = in.errorReason().length() > MAX_REASON_CHARS
        ? in.errorReason().substring(0, MAX_REASON_CHARS) : in.errorReason();
    headers.add(REASON, reason.getBytes(StandardCharsets.UTF_8));
    headers.add(ORIGIN, in.origin().getBytes(StandardCharsets.UTF_8));
    byte[] payload = in.payload();
    if (payload.length > MAX_PAYLOAD_BYTES) {
      headers.add(TRUNCATED_FROM,
          Integer.toString(payload.length).getBytes(StandardCharsets.UTF_8));
      payload = java.util.Arrays.copyOf(payload, MAX_PAYLOAD_BYTES);
    }
    String eventId = in.eventId();
    byte[] key = eventId.isEmpty()
        || eventId.length() > dev.vigil.features.event.EventCodec.MAX_ID_LENGTH ? null
        : eventId.getBytes(StandardCharsets.UTF_8);
    return new ProducerRecord<>(topic, null, clock.millis(), key, payload, headers);
  }
}
