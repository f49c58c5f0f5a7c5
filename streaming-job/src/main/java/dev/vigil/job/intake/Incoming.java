package dev.vigil.job.intake;

import dev.vigil.features.event.Event;
import java.io.IOException;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * A record as it enters the job: the event, parsed and validated once at intake, with its original
 * bytes (kept for a dead letter) and where it came from; or, for a record that failed validation,
 * the field and reason. Immutable.
 */
@TypeInfo(Incoming.Type.class)
public final class Incoming {
  private final byte[] payload;
  private final String origin;
  private final Event event;
  private final String errorField;
  private final String errorReason;

  private Incoming(byte[] payload, String origin, Event event, String errorField,
      String errorReason) {
    this.payload = payload;
    this.origin = origin;
    this.event = event;
    this.errorField = errorField;
    this.errorReason = errorReason;
  }

  /** A valid event, decoded from {@code payload}. */
  static Incoming valid(Event event, byte[] payload, String origin) {
    return new Incoming(payload, origin, event, "", "");
  }

  /** A record that failed validation: {@code field} is wrong for {@code reason}. */
  static Incoming invalid(byte[] payload, String origin, String field, String reason) {
    return new Incoming(payload == null ? new byte[0] : payload, origin, null, field, reason);
  }

  /** This valid event, set aside for {@code reason} (it keeps its event id for the dead letter). */
  Incoming setAside(String field, String reason) {
    return new Incoming(payload, origin, event, field, reason);
  }

  /** Whether it passed validation and was not set aside. */
  public boolean valid() {
    return errorField.isEmpty();
  }

  /** The event; null for a record that failed validation. */
  Event event() {
    return event;
  }

  public long eventTime() {
    return event == null ? Long.MIN_VALUE : event.timeMillis();
  }

  public String eventId() {
    return event == null ? "" : event.eventId();
  }

  public String accountId() {
    return event == null ? "" : event.accountId();
  }

  /** The record's bytes as they came in (protobuf; for a JSON line, its protobuf form). */
  public byte[] payload() {
    return payload;
  }

  /** Where it came from, for dead letters: "topic/partition/offset" or "file". */
  public String origin() {
    return origin;
  }

  /** Empty when valid. */
  public String errorField() {
    return errorField;
  }

  public String errorReason() {
    return errorReason;
  }

  /** Flink's type for it: {@link Serializer}. */
  public static final class Type extends TypeInfoFactory<Incoming> {
    static final TypeInformation<Incoming> INFO =
        new RecordType<>(Incoming.class, Serializer.INSTANCE);

    @Override
    public TypeInformation<Incoming> createTypeInfo(java.lang.reflect.Type t,
        Map<String, TypeInformation<?>> generics) {
      return INFO;
    }
  }

  /** Field by field, the event through {@link EventSerializer}. In flight only. */
  public static final class Serializer extends InFlightSerializer<Incoming> {
    static final Serializer INSTANCE = new Serializer();
    private static final long serialVersionUID = 1L;

    private Serializer() {}

    private Object readResolve() {
      return INSTANCE;
    }

    @Override
    public void serialize(Incoming r, DataOutputView out) throws IOException {
      out.writeInt(r.payload.length);
      out.write(r.payload);
      StringValue.writeString(r.origin, out);
      StringValue.writeString(r.errorField, out);
      StringValue.writeString(r.errorReason, out);
      out.writeBoolean(r.event != null);
      if (r.event != null) {
        EventSerializer.INSTANCE.serialize(r.event, out);
      }
    }

    @Override
    public Incoming deserialize(DataInputView in) throws IOException {
      byte[] payload = new byte[in.readInt()];
      in.readFully(payload);
      String origin = StringValue.readString(in);
      String field = StringValue.readString(in);
      String reason = StringValue.readString(in);
      Event event = in.readBoolean() ? EventSerializer.INSTANCE.deserialize(in) : null;
      return new Incoming(payload, origin, event, field, reason);
    }

    @Override
    public TypeSerializerSnapshot<Incoming> snapshotConfiguration() {
      return new Snapshot();
    }

    /** No configuration beyond its version. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<Incoming> {
      public Snapshot() {
        super(() -> INSTANCE);
      }
    }
  }
}
