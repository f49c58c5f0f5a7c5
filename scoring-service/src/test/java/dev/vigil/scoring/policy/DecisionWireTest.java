package dev.vigil.scoring.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.features.event.WireMapping;
import dev.vigil.proto.v1.DepositDecision;
import dev.vigil.proto.v1.TransactionDecision;
import dev.vigil.scoring.collections.TreatmentAction;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The policy's decisions and the treatment's actions, each mapped to its wire enum once: every
 * constant round trips, the wire's UNSPECIFIED and UNRECOGNIZED are refused naming the value, and
 * a decision's name is the wire name's tail (the audit record's text, the policy file's spelling).
 */
class DecisionWireTest {
  @Test
  void transactionDecisions() {
    check(TransactionAction.class, TransactionDecision.class, TransactionAction::wire,
        TransactionAction::of, Set.of(TransactionDecision.TRANSACTION_DECISION_UNSPECIFIED,
            TransactionDecision.UNRECOGNIZED), "decision", "TRANSACTION_DECISION_");
  }

  @Test
  void depositDecisions() {
    check(DepositAction.class, DepositDecision.class, DepositAction::wire, DepositAction::of,
        Set.of(DepositDecision.DEPOSIT_DECISION_UNSPECIFIED, DepositDecision.UNRECOGNIZED),
        "decision", "DEPOSIT_DECISION_");
    assertThat(DepositAction.HOLD.holds()).isTrue();
    assertThat(DepositAction.ACCEPT.holds()).isFalse();
    assertThat(TransactionAction.REVIEW.holds()).isFalse();
  }

  @Test
  void segments() {
    check(Segment.class, dev.vigil.proto.v1.Segment.class, Segment::wire, Segment::of,
        Set.of(dev.vigil.proto.v1.Segment.SEGMENT_UNSPECIFIED,
            dev.vigil.proto.v1.Segment.UNRECOGNIZED), "segment", "SEGMENT_");
  }

  @Test
  void treatmentActions() {
    check(TreatmentAction.class, dev.vigil.proto.v1.TreatmentAction.class,
        TreatmentAction::wire, TreatmentAction::of,
        Set.of(dev.vigil.proto.v1.TreatmentAction.TREATMENT_ACTION_UNSPECIFIED,
            dev.vigil.proto.v1.TreatmentAction.UNRECOGNIZED), "action", "TREATMENT_ACTION_");
  }

  /**
   * {@link WireMapping#check}, and each wire name is the constant's name after {@code wirePrefix}
   * (checked here, in a test, never mapped by).
   */
  static <E extends Enum<E>, W extends Enum<W>> void check(Class<E> type, Class<W> wireType,
      Function<E, W> wire, Function<W, E> of, Set<W> refused, String field, String wirePrefix) {
    WireMapping.check(type, wireType, wire, of, refused, field);
    for (E e : type.getEnumConstants()) {
      assertThat(wire.apply(e).name()).as("%s's wire value", e).isEqualTo(wirePrefix + e.name());
    }
  }
}
