package dev.vigil.job;

import com.google.protobuf.ByteString;
import dev.vigil.features.event.EventCodec;
import dev.vigil.features.profile.ProfileCodec;
import dev.vigil.proto.v1.EntityType;
import dev.vigil.proto.v1.ProfileRecord;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Profile updates to the compacted profiles topic: key {@code TYPE/id}, value a ProfileRecord. */
final class ProfileRecordSerializer implements KafkaRecordSerializationSchema<ProfileUpdate> {
  private final String topic;

  ProfileRecordSerializer(String topic) {
    this.topic = topic;
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(ProfileUpdate u, KafkaSinkContext context,
      Long timestamp) {
    var key = dev.vigil.features.profile.EntityKey.parse(u.key);
    var record = ProfileRecord.newBuilder()
        .setEntityType(EntityType.valueOf("ENTITY_TYPE_" + key.type().name()))
        .setEntityId(key.id())
        .setVersion(u.version)
        .setLastEventTime(EventCodec.timestamp(u.lastEventMillis))
        .setState(ByteString.copyFrom(u.state))
        .setStateFormat(ProfileCodec.FORMAT)
        .build();
    return new ProducerRecord<>(topic, null, timestamp,
        u.key.getBytes(StandardCharsets.UTF_8), record.toByteArray());
  }
}
