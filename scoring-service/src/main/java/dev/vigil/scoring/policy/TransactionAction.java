package dev.vigil.scoring.policy;

import dev.vigil.proto.v1.TransactionDecision;

/**
 * The policy's decision on a transaction, mapped to the wire's {@code TransactionDecision} here and
 * nowhere else.
 */
public enum TransactionAction implements Decision {
  APPROVE(TransactionDecision.TRANSACTION_DECISION_APPROVE),
  REVIEW(TransactionDecision.TRANSACTION_DECISION_REVIEW),
  DECLINE(TransactionDecision.TRANSACTION_DECISION_DECLINE);

  private final TransactionDecision wire;

  TransactionAction(TransactionDecision wire) {
    this.wire = wire;
  }

  @Override
  public boolean favourable() {
    return this == APPROVE;
  }

  /** This decision as the wire spells it. */
  public TransactionDecision wire() {
    return wire;
  }

  /**
   * The decision a wire value names.
   *
   * @throws IllegalArgumentException naming the value, for {@code TRANSACTION_DECISION_UNSPECIFIED}
   *     and values this build does not know ({@code UNRECOGNIZED})
   */
  public static TransactionAction of(TransactionDecision wire) {
    for (TransactionAction a : values()) {
      if (a.wire == wire) {
        return a;
      }
    }
    throw new IllegalArgumentException("decision: " + wire + " names no transaction decision");
  }
}
