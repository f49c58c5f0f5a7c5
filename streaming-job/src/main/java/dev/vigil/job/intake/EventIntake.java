package dev.vigil.job.intake;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.vigil.features.event.Event;
import dev.vigil.features.event.EventCodec;
import dev.vigil.features.event.InvalidEventException;
import java.nio.charset.StandardCharsets;

/**
 * Turns raw records (Kafka protobuf bytes, JSON lines) into {@link Incoming}: parsed and validated
 * here, once; the event travels typed from here on ({@link EventSerializer}).
 */
public final class EventIntake {
  private EventIntake() {}

  static Incoming fromProtobuf(byte[] bytes, String origin, long nowMillis) {
    if (bytes == null || bytes.length == 0) {
      return Incoming.invalid(bytes, origin, "event", "empty record");
    }
    dev.vigil.proto.v1.Event proto;
    try {
      proto = dev.vigil.proto.v1.Event.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      return Incoming.invalid(bytes, origin, "event", "not a vigil.v1.Event: " + e.getMessage());
    }
    return validate(proto, bytes, origin, nowMillis);
  }

  public static Incoming fromJson(String line, String origin, long nowMillis) {
    var builder = dev.vigil.proto.v1.Event.newBuilder();
    try {
      JsonFormat.parser().merge(line, builder);
    } catch (InvalidProtocolBufferException e) {
      return Incoming.invalid(line.getBytes(StandardCharsets.UTF_8), origin, "event",
          "not a vigil.v1.Event in JSON: " + e.getMessage());
    }
    var proto = builder.build();
    return validate(proto, proto.toByteArray(), origin, nowMillis);
  }

  private static Incoming validate(dev.vigil.proto.v1.Event proto, byte[] bytes, String origin,
      long nowMillis) {
    Event e;
    try {
      e = EventCodec.fromProto(proto, nowMillis);
    } catch (InvalidEventException x) {
      return Incoming.invalid(bytes, origin, x.field(), x.reason());
    }
    return Incoming.valid(e, bytes, origin);
  }
}
