package dev.vigil.scoring.policy;

/**
 * What the policy decides for a call, one enum per task: {@link TransactionAction}, {@link
 * DepositAction}, {@link Segment}. A constant's name is the policy file's spelling of it and the
 * audit record's {@code decision} text; each enum maps itself to its wire enum.
 */
public sealed interface Decision permits TransactionAction, DepositAction, Segment {
  /** The decision as the policy file and the audit record spell it ("DECLINE", "HOLD"...). */
  String name();

  /** True for a decision that holds funds, and so needs hold days and a Regulation CC reason. */
  default boolean holds() {
    return false;
  }

  /**
   * True for the task's clear outcome (APPROVE, ACCEPT, CURRENT_LOW_RISK): nothing adverse was
   * decided, so by default it carries no reasons ({@link ReasonRule}).
   */
  default boolean favourable() {
    return false;
  }
}
