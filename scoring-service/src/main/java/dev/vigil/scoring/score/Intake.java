package dev.vigil.scoring.score;

import com.google.protobuf.Message;
import dev.vigil.features.event.Event;
import dev.vigil.features.event.EventCodec;
import dev.vigil.features.event.InvalidEventException;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.features.profile.FeatureInputs;
import dev.vigil.scoring.policy.RequestFacts;
import io.grpc.Context;
import java.util.UUID;

/** The checks every scoring call's adapter starts with; each refuses with a {@link Refusal}. */
final class Intake {

  private Intake() {}

  /**
   * A call that scores an event, as received: its request id and its event, checked.
   *
   * @param startNanos {@link System#nanoTime()} when the call arrived
   */
  record EventCall(String requestId, Event event, long startNanos) {
    /** The call to score for {@code task}: as of the event's time, on the event's profiles. */
    Call call(Task task, Message request, RequestFacts facts) {
      return new Call(task, requestId, event.timeMillis(), event, FeatureInputs.keysFor(event),
          request, facts, startNanos);
    }
  }

  /**
   * The intake of a call that scores an event: not cancelled, its request id, its event validated
   * as of the server's {@code nowMillis}, in that order.
   */
  static EventCall eventCall(String requestId, dev.vigil.proto.v1.Event event, long nowMillis) {
    long start = System.nanoTime();
    checkNotCancelled();
    String id = requestId(requestId);
    return new EventCall(id, event(event, nowMillis), start);
  }

  /** Refuses a call that was cancelled, or whose deadline passed, before it was scored. */
  static void checkNotCancelled() {
    if (Context.current().isCancelled()) {
      throw Refusal.cancelled();
    }
  }

  /** The caller's request id, or a new one when it gave none. */
  static String requestId(String given) {
    if (given.length() > EventCodec.MAX_ID_LENGTH) {
      throw Refusal.invalid("request_id", "must be at most " + EventCodec.MAX_ID_LENGTH
          + " characters");
    }
    return given.isEmpty() ? UUID.randomUUID().toString() : given;
  }

  /** The request's event, validated as of the server's {@code nowMillis}. */
  private static Event event(dev.vigil.proto.v1.Event proto, long nowMillis) {
    if (proto.getKindCase() == dev.vigil.proto.v1.Event.KindCase.KIND_NOT_SET
        && proto.getEventId().isEmpty()) {
      throw Refusal.invalid("event", "is required");
    }
    try {
      return EventCodec.fromProto(proto, nowMillis);
    } catch (InvalidEventException e) {
      throw refused(e); // the codec names fields from "event."
    }
  }

  /** A codec's refusal as the call's. */
  static Refusal refused(InvalidEventException e) {
    return Refusal.invalid(e.field(), e.reason());
  }
}
