package dev.vigil.scoring.score;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Objects;

/**
 * A call the service will not score, and why: a gRPC code, the request field at fault (empty when
 * none is: a cancelled call) and the reason. A task's adapter throws it; a unary call answers it
 * as a {@link Status} whose description is {@code "field: reason"}, a score stream as a {@code
 * ScoreError} carrying the field itself.
 */
public final class Refusal extends RuntimeException {
  private final Status.Code code;
  private final String field;
  private final String reason;

  private Refusal(Status.Code code, String field, String reason) {
    super(field.isEmpty() ? reason : field + ": " + reason, null, false, false);
    this.code = code;
    this.field = field;
    this.reason = reason;
  }

  /** INVALID_ARGUMENT: {@code field} of the request is wrong, for {@code reason}. */
  public static Refusal invalid(String field, String reason) {
    Objects.requireNonNull(reason, "reason");
    if (field == null || field.isEmpty()) {
      throw new IllegalArgumentException("field: an invalid request names its field (reason: "
          + reason + ")");
    }
    return new Refusal(Status.Code.INVALID_ARGUMENT, field, reason);
  }

  /** DEADLINE_EXCEEDED: the call was cancelled or its deadline passed before it was scored. */
  public static Refusal cancelled() {
    return new Refusal(Status.Code.DEADLINE_EXCEEDED, "", "the call was cancelled or its"
        + " deadline passed before it was scored");
  }

  public Status.Code code() {
    return code;
  }

  /** The request field at fault, as the proto names it from the request ("event.event_time"). */
  public String field() {
    return field;
  }

  public String reason() {
    return reason;
  }

  /** What a unary call answers: the code, and {@code "field: reason"} (or the bare reason). */
  public StatusRuntimeException toStatus() {
    return Status.fromCode(code).withDescription(getMessage()).asRuntimeException();
  }
}
