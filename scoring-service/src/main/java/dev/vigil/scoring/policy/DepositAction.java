package dev.vigil.scoring.policy;

import dev.vigil.proto.v1.DepositDecision;

/**
 * The policy's decision on a check deposit, mapped to the wire's {@code DepositDecision} here and
 * nowhere else.
 */
public enum DepositAction implements Decision {
  ACCEPT(DepositDecision.DEPOSIT_DECISION_ACCEPT),
  /** Accept, but hold the funds: the only decision with hold days and a hold reason. */
  HOLD(DepositDecision.DEPOSIT_DECISION_HOLD),
  REJECT(DepositDecision.DEPOSIT_DECISION_REJECT);

  private final DepositDecision wire;

  DepositAction(DepositDecision wire) {
    this.wire = wire;
  }

  /** This decision as the wire spells it. */
  public DepositDecision wire() {
    return wire;
  }

  @Override
  public boolean favourable() {
    return this == ACCEPT;
  }

  @Override
  public boolean holds() {
    return this == HOLD;
  }

  /**
   * The decision a wire value names.
   *
   * @throws IllegalArgumentException naming the value, for {@code DEPOSIT_DECISION_UNSPECIFIED} and
   *     values this build does not know ({@code UNRECOGNIZED})
   */
  public static DepositAction of(DepositDecision wire) {
    for (DepositAction a : values()) {
      if (a.wire == wire) {
        return a;
      }
    }
    throw new IllegalArgumentException("decision: " + wire + " names no deposit decision");
  }
}
