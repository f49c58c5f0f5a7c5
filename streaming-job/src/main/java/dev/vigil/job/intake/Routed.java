package dev.vigil.job.intake;

import dev.vigil.features.event.Event;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * Events, or a cross-entity signal, on their way to one entity's profile: one event, or a bundle
 * of one merchant's events ({@code LocalBundles}). Events travel typed (decoded once, at intake).
 * Immutable.
 *
 * <p>{@link #key} is the entity key's text form, {@code TYPE/id}: the fold's keyed state and the
 * profiles topic are keyed by it, so checkpoints taken before events travelled typed restore
 * unchanged. It is made once, when the event is routed; nothing parses it again.
 */
@TypeInfo(Routed.Type.class)
public final class Routed {
  /** The entity key's text form, {@code TYPE/id}: the fold's key. */
  public final String key;
  /** The events to fold, in the order they came; empty for a duplicate-presentment signal. */
  public final List<Event> events;
  /** A check profile saw this deposit's check before: the account records a duplicate. */
  public final String duplicateDepositId;
  /** The newest event's time, or the duplicate presentment's. */
  public final long time;

  private Routed(String key, List<Event> events, String duplicateDepositId, long time) {
    this.key = Objects.requireNonNull(key, "key");
    this.events = events;
    this.duplicateDepositId = duplicateDepositId;
    this.time = time;
  }

  /** {@code event}, for the profile keyed {@code key}. */
  public static Routed event(String key, Event event) {
    return new Routed(key, List.of(event), null, event.timeMillis());
  }

  /**
   * {@code events} for the profile keyed {@code key}, folded one by one in this order.
   *
   * @throws IllegalArgumentException if {@code events} is empty
   */
  public static Routed bundle(String key, List<Event> events) {
    if (events.isEmpty()) {
      throw new IllegalArgumentException("a bundle of no events for " + key);
    }
    long newest = Long.MIN_VALUE;
    for (Event e : events) {
      newest = Math.max(newest, e.timeMillis());
    }
    return new Routed(key, List.copyOf(events), null, newest);
  }

  /** The account keyed {@code key} presented, in deposit {@code depositId}, a check seen before. */
  public static Routed duplicatePresentment(String key, String depositId, long millis) {
    return new Routed(key, List.of(), Objects.requireNonNull(depositId, "depositId"), millis);
  }

  /** Flink's type for it: {@link Serializer}. */
  public static final class Type extends TypeInfoFactory<Routed> {
    public static final TypeInformation<Routed> INFO =
        new RecordType<>(Routed.class, Serializer.INSTANCE);

    @Override
    public TypeInformation<Routed> createTypeInfo(java.lang.reflect.Type t,
        Map<String, TypeInformation<?>> generics) {
      return INFO;
    }
  }

  /** Field by field, the event through {@link EventSerializer}. In flight only. */
  public static final class Serializer extends InFlightSerializer<Routed> {
    static final Serializer INSTANCE = new Serializer();
    private static final long serialVersionUID = 1L;

    private Serializer() {}

    private Object readResolve() {
      return INSTANCE;
    }

    @Override
    public void serialize(Routed r, DataOutputView out) throws IOException {
      StringValue.writeString(r.key, out);
      out.writeLong(r.time);
      out.writeInt(r.events.size());
      for (Event e : r.events) {
        EventSerializer.INSTANCE.serialize(e, out);
      }
      if (r.events.isEmpty()) {
        StringValue.writeString(r.duplicateDepositId, out);
      }
    }

    @Override
    public Routed deserialize(DataInputView in) throws IOException {
      String key = StringValue.readString(in);
      long time = in.readLong();
      int n = in.readInt();
      if (n == 0) {
        return new Routed(key, List.of(), StringValue.readString(in), time);
      }
      if (n == 1) {
        return new Routed(key, List.of(EventSerializer.INSTANCE.deserialize(in)), null, time);
      }
      var events = new Event[n];
      for (int i = 0; i < n; i++) {
        events[i] = EventSerializer.INSTANCE.deserialize(in);
      }
      return new Routed(key, List.of(events), null, time);
    }

    @Override
    public TypeSerializerSnapshot<Routed> snapshotConfiguration() {
      return new Snapshot();
    }

    /** No configuration beyond its version. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<Routed> {
      public Snapshot() {
        super(() -> INSTANCE);
      }
    }
  }
}
