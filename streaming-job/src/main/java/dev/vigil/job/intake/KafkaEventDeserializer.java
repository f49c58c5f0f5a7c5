package dev.vigil.job.intake;

import java.time.Clock;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Reads events topic records (protobuf {@code vigil.v1.Event}); never throws on a bad one. */
public final class KafkaEventDeserializer implements KafkaRecordDeserializationSchema<Incoming> {
  private final Clock clock;

  /** @param clock what "now" is for the "not in the future" check */
  public KafkaEventDeserializer(Clock clock) {
    this.clock = clock;
  }

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Incoming> out) {
    String origin = record.topic() + "/" + record.partition() + "/" + record.offset();
    Incoming in = EventIntake.fromProtobuf(record.value(), origin, clock.millis());
    out.collect(in);
  }

  @Override
  public TypeInformation<Incoming> getProducedType() {
    return TypeInformation.of(Incoming.class);
  }
}
