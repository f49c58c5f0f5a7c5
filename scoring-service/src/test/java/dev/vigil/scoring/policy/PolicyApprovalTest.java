package dev.vigil.scoring.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.proto.v1.AuditRecord;
import dev.vigil.proto.v1.DecidePolicyRequest;
import dev.vigil.proto.v1.ListProposalsRequest;
import dev.vigil.proto.v1.PolicyAdminGrpc;
import dev.vigil.proto.v1.PolicyAdminGrpc.PolicyAdminBlockingStub;
import dev.vigil.proto.v1.PolicyChange;
import dev.vigil.proto.v1.PolicyEvidence;
import dev.vigil.proto.v1.PolicyProposal;
import dev.vigil.proto.v1.PolicyVersion;
import dev.vigil.proto.v1.ProposePolicyRequest;
import dev.vigil.scoring.ScoringServer;
import dev.vigil.scoring.ServiceConfig;
import dev.vigil.scoring.TestService;
import dev.vigil.testkit.EmbeddedKafka;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Maker-checker over a real port and real mutual TLS: a policy proposed through the API serves
 * only once a second identity approves it. The proposer cannot approve its own proposal (though
 * admin holds both roles), an approval names both identities in the audit record, a proposal
 * without evidence is refused naming the field, a stale or decided one cannot be approved, the
 * roles are enforced, and a pending proposal survives a restart.
 */
class PolicyApprovalTest {
  static final String REPORT_SHA = "9f".repeat(32);

  @TempDir Path dir;

  /** A proposal of {@code yaml} resting on a backtest report. */
  static ProposePolicyRequest proposal(String yaml) {
    return ProposePolicyRequest.newBuilder().setPolicyYaml(yaml)
        .setEvidence(PolicyEvidence.newBuilder().setKind(PolicyEvidence.Kind.BACKTEST)
            .setRef("reports/backtest-2026-12-06.md").setSha256(REPORT_SHA))
        .setJustification("blocks 12% more confirmed fraud at the same review rate").build();
  }

  @Test
  void aPolicyServesOnlyOnceASecondIdentityApprovesIt() throws Exception {
    try (var kafka = new EmbeddedKafka()) {
      kafka.createTopic("vigil.profiles", 1, true);
      kafka.createTopic("vigil.decisions", 1, false);
      Map<String, String> env = TestService.env(kafka, dir);
      Path file = dir.resolve("state/policy.yaml");
      ScoringServer server = ScoringServer.start(ServiceConfig.load(null, env),
          TestService.CLOCK);
      String original = Files.readString(file);
      String stricter = original.replace("2026-12-07.5", "2026-12-07.2")
          .replace("when: score >= 900", "when: score >= 800");
      String laxer = original.replace("2026-12-07.5", "2026-12-07.3")
          .replace("when: score >= 900", "when: score >= 950");
      String pending;
      var channels = new ArrayList<ManagedChannel>();
      try {
        PolicyAdminBlockingStub admin = stub(server, "admin", channels);
        PolicyAdminBlockingStub approver = stub(server, "approver", channels);
        PolicyAdminBlockingStub scorer = stub(server, "scorer", channels);

        // refused without evidence, naming the field; nothing kept
        refused(() -> admin.proposePolicy(proposal(stricter).toBuilder().clearEvidence().build()),
            Status.Code.INVALID_ARGUMENT, "evidence: is required");
        refused(() -> admin.proposePolicy(proposal(stricter).toBuilder().setEvidence(
            proposal(stricter).getEvidence().toBuilder().setSha256("abc")).build()),
            Status.Code.INVALID_ARGUMENT, "evidence.sha256: ");
        refused(() -> admin.proposePolicy(proposal(stricter).toBuilder().setEvidence(
            proposal(stricter).getEvidence().toBuilder().clearKind()).build()),
            Status.Code.INVALID_ARGUMENT, "evidence.kind: ");
        refused(() -> admin.proposePolicy(proposal(stricter).toBuilder().clearJustification()
            .build()), Status.Code.INVALID_ARGUMENT, "justification: is required");
        refused(() -> admin.proposePolicy(proposal(original)), Status.Code.INVALID_ARGUMENT,
            "policy_yaml: is the text of version 1");
        assertThat(admin.listProposals(ListProposalsRequest.getDefaultInstance())
            .getProposalsList()).isEmpty();

        // proposed by admin: pending, nothing serves yet
        PolicyProposal first = admin.proposePolicy(proposal(stricter));
        assertThat(first.getId()).isEqualTo("proposal-1");
        assertThat(first.getState()).isEqualTo(PolicyProposal.State.PENDING);
        assertThat(first.getProposer()).isEqualTo("admin");
        assertThat(first.getBaseVersion()).isEqualTo(1);
        assertThat(first.getSha256()).isEqualTo(PolicyVersions.sha256(
            stricter.getBytes(StandardCharsets.UTF_8)));
        assertThat(Files.readString(file)).isEqualTo(original);
        PolicyProposal second = admin.proposePolicy(proposal(laxer));

        // roles: proposing needs policy-admin, deciding policy-approver, listing viewer
        refused(() -> approver.proposePolicy(proposal(laxer)), Status.Code.PERMISSION_DENIED,
            "");
        refused(() -> scorer.approvePolicy(decide(first.getId())), Status.Code.PERMISSION_DENIED,
            "");
        refused(() -> scorer.rejectPolicy(decide(first.getId()).toBuilder().setComment("no")
            .build()), Status.Code.PERMISSION_DENIED, "");
        refused(() -> scorer.listProposals(ListProposalsRequest.getDefaultInstance()),
            Status.Code.PERMISSION_DENIED, "");

        // the proposer may not approve its own proposal, though it holds policy-approver
        refused(() -> admin.approvePolicy(reviewed(first)), Status.Code.PERMISSION_DENIED,
            "proposal_id: proposal-1 was proposed by 'admin'");
        // an approval names the text it reviewed: none, or another, is refused
        refused(() -> approver.approvePolicy(decide(first.getId())),
            Status.Code.INVALID_ARGUMENT, "sha256: is required");
        refused(() -> approver.approvePolicy(decide(first.getId()).toBuilder()
            .setSha256(second.getSha256()).build()), Status.Code.FAILED_PRECONDITION,
            "sha256: proposal-1 holds the text " + first.getSha256());
        refused(() -> approver.approvePolicy(decide("proposal-99")), Status.Code.NOT_FOUND,
            "proposal_id: no proposal 'proposal-99'");
        assertThat(PolicyVersionsTest.list(server)).hasSize(1);

        // approved by another identity: it serves as version 2, written to the file
        PolicyProposal approved = approver.approvePolicy(reviewed(first).toBuilder()
            .setComment("backtest reviewed").build());
        assertThat(approved.getState()).isEqualTo(PolicyProposal.State.APPROVED);
        assertThat(approved.getDecidedBy()).isEqualTo("approver");
        assertThat(approved.getVersion()).isEqualTo(2);
        assertThat(Files.readString(file)).isEqualTo(stricter);
        List<PolicyVersion> versions = PolicyVersionsTest.list(server);
        assertThat(versions.get(1).getSource()).isEqualTo("api:admin+approver");
        assertThat(versions.get(1).getServing()).isTrue();
        assertThat(PolicyVersionsTest.score(kafka, server, "pa-1").getPolicy().getVersion())
            .isEqualTo(2);

        // decided already; the second, proposed against version 1, is stale now
        refused(() -> approver.approvePolicy(reviewed(first)),
            Status.Code.FAILED_PRECONDITION, "proposal_id: proposal-1 is already APPROVED");
        refused(() -> approver.approvePolicy(reviewed(second)),
            Status.Code.FAILED_PRECONDITION, "proposal_id: proposal-2 is stale: proposed against"
                + " version 1, but version 2 serves now");
        assertThat(PolicyVersionsTest.list(server)).hasSize(2);
        refused(() -> approver.rejectPolicy(decide(second.getId())),
            Status.Code.INVALID_ARGUMENT, "comment: is required");
        assertThat(approver.rejectPolicy(decide(second.getId()).toBuilder()
            .setComment("stale").build()).getState()).isEqualTo(PolicyProposal.State.REJECTED);

        // one left pending, to outlive a restart
        pending = admin.proposePolicy(proposal(laxer)).getId();
        assertThat(pending).isEqualTo("proposal-3");

        // the approval's audit record names both identities and the evidence
        List<AuditRecord> changes = PolicyVersionsTest.policyChanges(kafka, 30);
        List<PolicyChange> approvals = changes.stream().filter(c -> c.getDecision()
            .equals("DONE")).map(AuditRecord::getPolicyChange)
            .filter(c -> c.getAction().equals("ApprovePolicy")).toList();
        assertThat(approvals).singleElement().satisfies(c -> {
          assertThat(c.getProposalId()).isEqualTo("proposal-1");
          assertThat(c.getProposer()).isEqualTo("admin");
          assertThat(c.getApprover()).isEqualTo("approver");
          assertThat(c.getCaller()).isEqualTo("approver");
          assertThat(c.getVersion()).isEqualTo(2);
          assertThat(c.getSha256()).isEqualTo(first.getSha256());
          assertThat(c.getEvidence().getKind()).isEqualTo(PolicyEvidence.Kind.BACKTEST);
          assertThat(c.getEvidence().getRef()).isEqualTo("reports/backtest-2026-12-06.md");
          assertThat(c.getEvidence().getSha256()).isEqualTo(REPORT_SHA);
        });
        assertThat(changes).filteredOn(c -> c.getDecision().equals("REFUSED")
            && c.getPolicyChange().getAction().equals("ApprovePolicy"))
            .extracting(c -> c.getPolicyChange().getOutcome())
            .anySatisfy(o -> assertThat(o).startsWith("PERMISSION_DENIED: proposal_id: "
                + "proposal-1 was proposed by 'admin'"));
      } finally {
        channels.forEach(ManagedChannel::shutdownNow);
        server.close();
      }

      // a restart: the pending proposal is still there, and can be approved
      server = ScoringServer.start(ServiceConfig.load(null, env), TestService.CLOCK);
      try {
        PolicyAdminBlockingStub approver = stub(server, "approver", channels);
        List<PolicyProposal> kept = approver.listProposals(ListProposalsRequest.newBuilder()
            .setWithText(true).build()).getProposalsList();
        assertThat(kept).extracting(PolicyProposal::getState).containsExactly(
            PolicyProposal.State.APPROVED, PolicyProposal.State.REJECTED,
            PolicyProposal.State.PENDING);
        assertThat(kept.get(2).getText()).isEqualTo(laxer);
        assertThat(kept.get(2).getEvidence().getSha256()).isEqualTo(REPORT_SHA);
        assertThat(approver.listProposals(ListProposalsRequest.newBuilder().setPendingOnly(true)
            .build()).getProposalsList()).extracting(PolicyProposal::getId)
            .containsExactly(pending);
        assertThat(approver.approvePolicy(reviewed(kept.get(2))).getVersion()).isEqualTo(3);
        assertThat(Files.readString(file)).isEqualTo(laxer);
      } finally {
        channels.forEach(ManagedChannel::shutdownNow);
        server.close();
      }
    }
  }

  private static DecidePolicyRequest decide(String id) {
    return DecidePolicyRequest.newBuilder().setProposalId(id).build();
  }

  /** An approval of {@code p} as read: its id and its text's hash. */
  private static DecidePolicyRequest reviewed(PolicyProposal p) {
    return decide(p.getId()).toBuilder().setSha256(p.getSha256()).build();
  }

  private static PolicyAdminBlockingStub stub(ScoringServer server, String client,
      List<ManagedChannel> channels) {
    ManagedChannel channel = TestService.channel(server.port(), client);
    channels.add(channel);
    return PolicyAdminGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  private static void refused(ThrowingCallable call, Status.Code code, String description) {
    assertThatThrownBy(call).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
      assertThat(e.getStatus().getCode()).isEqualTo(code);
      assertThat(e.getStatus().getDescription() == null ? "" : e.getStatus().getDescription())
          .startsWith(description);
    });
  }
}
