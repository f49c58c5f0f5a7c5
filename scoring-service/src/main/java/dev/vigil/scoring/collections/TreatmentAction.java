package dev.vigil.scoring.collections;

/**
 * What a collections treatment does next, mapped to the wire's {@code vigil.v1.TreatmentAction}
 * here and nowhere else.
 */
public enum TreatmentAction {
  NONE(dev.vigil.proto.v1.TreatmentAction.TREATMENT_ACTION_NONE),
  REMINDER(dev.vigil.proto.v1.TreatmentAction.TREATMENT_ACTION_REMINDER),
  PAYMENT_PLAN_OFFER(dev.vigil.proto.v1.TreatmentAction.TREATMENT_ACTION_PAYMENT_PLAN_OFFER),
  HARDSHIP_REFERRAL(dev.vigil.proto.v1.TreatmentAction.TREATMENT_ACTION_HARDSHIP_REFERRAL),
  DEBT_COUNSELLING_REFERRAL(
      dev.vigil.proto.v1.TreatmentAction.TREATMENT_ACTION_DEBT_COUNSELLING_REFERRAL),
  AGENT_CALL(dev.vigil.proto.v1.TreatmentAction.TREATMENT_ACTION_AGENT_CALL),
  /** Firmer enforcement after repeated broken commitments. */
  ESCALATION(dev.vigil.proto.v1.TreatmentAction.TREATMENT_ACTION_ESCALATION);

  private final dev.vigil.proto.v1.TreatmentAction wire;

  TreatmentAction(dev.vigil.proto.v1.TreatmentAction wire) {
    this.wire = wire;
  }

  /** This action as the wire spells it. */
  public dev.vigil.proto.v1.TreatmentAction wire() {
    return wire;
  }

  /**
   * The action a wire value names.
   *
   * @throws IllegalArgumentException naming the value, for {@code TREATMENT_ACTION_UNSPECIFIED}
   *     (a stand-in's answer has no treatment) and values this build does not know ({@code
   *     UNRECOGNIZED})
   */
  public static TreatmentAction of(dev.vigil.proto.v1.TreatmentAction wire) {
    for (TreatmentAction a : values()) {
      if (a.wire == wire) {
        return a;
      }
    }
    throw new IllegalArgumentException("action: " + wire + " names no treatment action");
  }
}
