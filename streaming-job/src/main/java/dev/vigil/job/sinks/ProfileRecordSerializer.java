package dev.vigil.job.sinks;

import com.google.protobuf.UnsafeByteOperations;
import dev.vigil.features.event.EventCodec;
import dev.vigil.features.profile.EntityType;
import dev.vigil.features.profile.ProfileCodec;
import dev.vigil.job.publication.ProfileUpdate;
import dev.vigil.proto.v1.ProfileRecord;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * One entity type's profile updates to the compacted profiles topic: key {@code TYPE/id}, value a
 * ProfileRecord. Each fold has its own sink, so the type is known here and the key is not parsed.
 */
public final class ProfileRecordSerializer
    implements KafkaRecordSerializationSchema<ProfileUpdate> {
  private final String topic;
  private final EntityType type;
  private final String prefix;

  /**
   * @param topic the profiles topic
   * @param type the entity type of every update this sink is given
   */
  public ProfileRecordSerializer(String topic, EntityType type) {
    this.topic = topic;
    this.type = type;
    this.prefix = type.name() + "/";
  }

  /**
   * @throws IllegalArgumentException if the update's key is not one of this sink's type
   */
  @Override
  public ProducerRecord<byte[], byte[]> serialize(ProfileUpdate u, KafkaSinkContext context,
      Long timestamp) {
    if (!u.key.startsWith(prefix)) {
      throw new IllegalArgumentException("a profile keyed " + u.key + " at the sink of " + type
          + " profiles");
    }
    var record = ProfileRecord.newBuilder()
        .setEntityType(type.wire())
        .setEntityId(u.key.substring(prefix.length()))
        .setVersion(u.version)
        .setLastEventTime(EventCodec.timestamp(u.lastEventMillis))
        // the fold encoded these bytes for this update alone and never changes them
        .setState(UnsafeByteOperations.unsafeWrap(u.state))
        .setStateFormat(ProfileCodec.FORMAT)
        .build();
    return new ProducerRecord<>(topic, null, timestamp,
        u.key.getBytes(StandardCharsets.UTF_8), record.toByteArray());
  }
}
