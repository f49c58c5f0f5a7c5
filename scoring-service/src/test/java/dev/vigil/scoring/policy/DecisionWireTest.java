package dev.vigil.scoring.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.proto.v1.DepositDecision;
import dev.vigil.proto.v1.TransactionDecision;
import dev.vigil.scoring.collections.TreatmentAction;
import java.util.HashSet;
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
   * @param refused the wire values that name no constant
   * @param field what a refusal's message starts with, before ": "
   * @param wirePrefix the wire names' common prefix (checked here, in a test, never mapped by)
   */
  static <E extends Enum<E>, W extends Enum<W>> void check(Class<E> type, Class<W> wireType,
      Function<E, W> wire, Function<W, E> of, Set<W> refused, String field, String wirePrefix) {
    var seen = new HashSet<W>();
    for (E e : type.getEnumConstants()) {
      W w = wire.apply(e);
      assertThat(w.name()).as("%s's wire value", e).isEqualTo(wirePrefix + e.name());
      assertThat(seen.add(w)).as("%s has a wire value of its own", e).isTrue();
      assertThat(of.apply(w)).as("%s comes back from %s", e, w).isSameAs(e);
    }
    for (W w : wireType.getEnumConstants()) {
      if (refused.contains(w)) {
        assertThatThrownBy(() -> of.apply(w)).as("%s is refused", w)
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith(field + ": " + w.name() + " ");
      } else {
        assertThat(wire.apply(of.apply(w))).as("%s names a constant", w).isSameAs(w);
      }
    }
    assertThat(seen.size() + refused.size()).as("every %s is mapped or refused",
        wireType.getSimpleName()).isEqualTo(wireType.getEnumConstants().length);
  }
}
