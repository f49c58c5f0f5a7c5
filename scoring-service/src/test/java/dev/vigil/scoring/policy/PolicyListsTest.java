package dev.vigil.scoring.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.features.event.Event.Channel;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.proto.v1.DecisionFacts;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Lists in policy conditions: {@code lists.block}, {@code lists.allow} and {@code lists.names}
 * decide; a misspelt field or a wrong type is refused at load; the audit record's facts keep the
 * memberships the conditions read, and give them back.
 */
class PolicyListsTest {
  static final String POLICY = """
      version: "lists-1"
      transaction:
        default: APPROVE
        rules:
          - name: allow-listed
            when: lists.allow && !lists.block && score < 900
            decision: APPROVE
          - name: fraud-ring
            when: '"fraud-ring" in lists.names'
            decision: DECLINE
            reason: { code: FRAUD_RING, text: "Linked to a known fraud ring" }
          - name: block-listed
            when: lists.block
            decision: REVIEW
          - name: high-risk
            when: score >= 500
            decision: REVIEW
      deposit:
        default: ACCEPT
      delinquency:
        default: CURRENT_LOW_RISK
      """;

  static RequestFacts on(ListMemberships lists) {
    return RequestFacts.transaction("USD", Channel.CARD_PRESENT, "US", "5411").withLists(lists);
  }

  @Test
  void listsInAConditionDecide() {
    Policy p = Policy.parse(POLICY);
    var f = PolicyTest.zeros(Task.FRAUD);
    var none = p.transaction().decide(600, 0.6, f, on(ListMemberships.NONE), r -> { });
    assertThat(none.rule()).isEqualTo("high-risk");

    var ring = new ListMemberships(true, false, List.of("fraud-ring"), List.of("le-1"));
    var declined = p.transaction().decide(10, 0.01, f, on(ring), r -> { });
    assertThat(declined.decision()).isEqualTo(TransactionAction.DECLINE);
    assertThat(declined.reason().code()).isEqualTo("FRAUD_RING");

    var other = new ListMemberships(true, false, List.of("mules"), List.of("le-2"));
    assertThat(p.transaction().decide(10, 0.01, f, on(other), r -> { }).rule())
        .isEqualTo("block-listed");

    var vip = new ListMemberships(false, true, List.of("vip"), List.of("le-3"));
    var allowed = p.transaction().decide(600, 0.6, f, on(vip), r -> { });
    assertThat(allowed.decision()).isEqualTo(TransactionAction.APPROVE);
    assertThat(allowed.rule()).isEqualTo("allow-listed");
  }

  @Test
  void theBundledPolicyDeclinesABlockListedTransactionAndRejectsABlockListedDeposit()
      throws Exception {
    Policy p = Policy.parse(PolicyTest.bundled());
    var blocked = new ListMemberships(true, false, List.of("fraud-ring"), List.of("le-1"));
    var tx = p.transaction().decide(10, 0.01, PolicyTest.zeros(Task.FRAUD), on(blocked),
        r -> { });
    assertThat(tx.decision()).isEqualTo(TransactionAction.DECLINE);
    assertThat(tx.rule()).isEqualTo("block-listed");
    var f = PolicyTest.zeros(Task.DEPOSIT);
    f.put("account_age_days", 400.0);
    var deposit = p.deposit().decide(10, 0.01, f,
        RequestFacts.deposit("USD", null).withLists(blocked), r -> { });
    assertThat(deposit.decision()).isEqualTo(DepositAction.REJECT);
    assertThat(deposit.rule()).isEqualTo("block-listed");
  }

  @Test
  void aConditionOnListsIsCheckedAtLoad() {
    assertThatThrownBy(() -> Policy.parse(POLICY.replace("when: lists.block", "when: lists.blocked")))
        .isInstanceOf(Policy.InvalidPolicyException.class)
        .hasMessageContaining("transaction.rules[block-listed].when: reads lists.blocked")
        .hasMessageEndingWith("(lists has block, allow and names)");
    assertThatThrownBy(() -> Policy.parse(POLICY.replace("when: lists.block",
        "when: lists.names > 3")))
        .isInstanceOf(Policy.InvalidPolicyException.class)
        .hasMessageContaining("transaction.rules[block-listed].when");
  }

  @Test
  void theAuditFactsKeepTheMembershipsAndGiveThemBack() {
    var m = new ListMemberships(true, true, List.of("fraud-ring", "vip"), List.of("le-1", "le-3"));
    RequestFacts facts = on(m);
    DecisionFacts wire = facts.wire();
    assertThat(wire.getOnBlockList()).isTrue();
    assertThat(wire.getOnAllowList()).isTrue();
    assertThat(wire.getListsList()).containsExactly("fraud-ring", "vip");
    assertThat(wire.getListEntriesList()).containsExactly("le-1", "le-3");
    assertThat(RequestFacts.of(wire)).isEqualTo(facts);
    // on no list: nothing written, NONE read back
    assertThat(on(ListMemberships.NONE).wire().getListsCount()).isZero();
    assertThat(RequestFacts.of(on(ListMemberships.NONE).wire()).lists())
        .isSameAs(ListMemberships.NONE);
  }
}
