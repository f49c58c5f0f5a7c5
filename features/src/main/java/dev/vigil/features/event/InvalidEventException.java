package dev.vigil.features.event;

/** An event that cannot be accepted: names the offending field path and what is wrong with it. */
public final class InvalidEventException extends Exception {
  private final String field;
  private final String reason;

  public InvalidEventException(String field, String reason) {
    super(field + ": " + reason, null, false, false);
    this.field = field;
    this.reason = reason;
  }

  /** The field path, for example {@code event.transaction.amount.currency}. */
  public String field() {
    return field;
  }

  public String reason() {
    return reason;
  }
}
