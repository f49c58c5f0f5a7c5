package dev.vigil.scoring.policy;

import dev.vigil.features.event.EventCodec;
import dev.vigil.proto.v1.AuditRecord;
import dev.vigil.proto.v1.DecidePolicyRequest;
import dev.vigil.proto.v1.ListPoliciesRequest;
import dev.vigil.proto.v1.ListPoliciesResponse;
import dev.vigil.proto.v1.ListProposalsRequest;
import dev.vigil.proto.v1.ListProposalsResponse;
import dev.vigil.proto.v1.PolicyAdminGrpc;
import dev.vigil.proto.v1.PolicyChange;
import dev.vigil.proto.v1.PolicyEvidence;
import dev.vigil.proto.v1.PolicyProposal;
import dev.vigil.proto.v1.PolicyVersion;
import dev.vigil.proto.v1.ProposePolicyRequest;
import dev.vigil.scoring.access.Caller;
import dev.vigil.scoring.audit.AuditLog;
import dev.vigil.scoring.policy.PolicyProposals.Evidence;
import dev.vigil.scoring.policy.PolicyProposals.EvidenceKind;
import dev.vigil.scoring.policy.PolicyProposals.Proposal;
import dev.vigil.scoring.policy.PolicyProposals.State;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * PolicyAdmin: the policy versions this service has served ({@link PolicyVersions}), and a policy
 * made to serve through the API by two identities (maker-checker): one proposes a text with the
 * evidence behind it ({@link PolicyProposals}), another approves it, and only then does it serve
 * ({@link LivePolicy#activate}). The approver may not be the proposer, and a proposal is approved
 * only while the version it was proposed against still serves (a stale one is refused: whoever
 * proposed it judged it against a policy that no longer serves). Each propose, approve and reject
 * is audited as ModelAdmin's writes are: a record naming the caller before it is applied, and one
 * with the outcome after, both on the decisions topic's chain, with the proposer, the approver
 * and the evidence.
 */
public final class PolicyAdministration extends PolicyAdminGrpc.PolicyAdminImplBase {
  private final LivePolicy policy;
  private final PolicyProposals proposals;
  private final AuditLog audit;
  private final Clock clock;
  private final Object deciding = new Object();

  /**
   * @param proposals where proposals are kept until decided, across restarts
   * @param audit where each call is recorded, with its caller and outcome
   * @param clock when a call was made, for its proposal and audit record
   */
  public PolicyAdministration(LivePolicy policy, PolicyProposals proposals, AuditLog audit,
      Clock clock) {
    this.policy = policy;
    this.proposals = proposals;
    this.audit = audit;
    this.clock = clock;
  }

  @Override
  public void listPolicies(ListPoliciesRequest request,
      StreamObserver<ListPoliciesResponse> response) {
    var out = ListPoliciesResponse.newBuilder();
    long serving = policy.served().kept().version();
    for (PolicyVersions.Kept kept : policy.versions().all()) {
      var version = info(kept, serving);
      if (request.getWithText()) {
        policy.versions().text(kept.sha256()).ifPresent(t -> version.setText(
            new String(t, StandardCharsets.UTF_8)));
      }
      out.addPolicies(version);
    }
    response.onNext(out.build());
    response.onCompleted();
  }

  @Override
  public void listProposals(ListProposalsRequest request,
      StreamObserver<ListProposalsResponse> response) {
    var out = ListProposalsResponse.newBuilder();
    for (Proposal p : proposals.all()) {
      if (!request.getPendingOnly() || p.state() == State.PENDING) {
        var wire = toWire(p);
        if (!request.getWithText()) {
          wire.clearText();
        }
        out.addProposals(wire);
      }
    }
    response.onNext(out.build());
    response.onCompleted();
  }

  @Override
  public void proposePolicy(ProposePolicyRequest request,
      StreamObserver<PolicyProposal> response) {
    String caller = Caller.currentIdentity();
    var change = PolicyChange.newBuilder().setCaller(caller).setAction("ProposePolicy")
        .setProposer(caller).setEvidence(request.getEvidence())
        .setSha256(PolicyVersions.sha256(request.getPolicyYaml()
            .getBytes(StandardCharsets.UTF_8)));
    audited(change, response, () -> {
      String label = validate(request);
      Proposal made = proposals.propose(caller, clock.millis(), request.getPolicyYaml(), label,
          fromWire(request.getEvidence()), request.getJustification().strip(),
          policy.served().kept().version());
      change.setProposalId(made.id());
      return toWire(made).clearText().build();
    });
  }

  @Override
  public void approvePolicy(DecidePolicyRequest request,
      StreamObserver<PolicyProposal> response) {
    String caller = Caller.currentIdentity();
    var change = PolicyChange.newBuilder().setCaller(caller).setAction("ApprovePolicy")
        .setProposalId(request.getProposalId()).setApprover(caller);
    audited(change, response, () -> {
      synchronized (deciding) {
        Proposal p = pending(request, change);
        if (request.getSha256().isBlank()) {
          throw invalid("sha256: is required: the SHA-256 of the text you reviewed"
              + " (PolicyProposal.sha256)");
        }
        if (!request.getSha256().equalsIgnoreCase(p.sha256())) {
          throw Status.FAILED_PRECONDITION.withDescription("sha256: " + p.id() + " holds the"
              + " text " + p.sha256() + ", not the " + request.getSha256() + " you reviewed")
              .asException();
        }
        if (p.proposer().equals(caller)) {
          throw Status.PERMISSION_DENIED.withDescription("proposal_id: " + p.id()
              + " was proposed by '" + caller + "': another identity must approve it")
              .asException();
        }
        LivePolicy.Served served;
        try {
          served = policy.activate(p.text(), "api:" + p.proposer() + "+" + caller,
              p.baseVersion());
        } catch (LivePolicy.StaleException e) {
          throw Status.FAILED_PRECONDITION.withDescription("proposal_id: " + p.id()
              + " is stale: " + e.getMessage() + "; propose it again").asException();
        } catch (Policy.InvalidPolicyException e) {
          // validated when proposed; a rule of a newer service may refuse it now
          throw Status.FAILED_PRECONDITION.withDescription("proposal_id: " + p.id()
              + " no longer validates: " + e.getMessage()).asException();
        } catch (IOException | RuntimeException e) {
          throw Status.FAILED_PRECONDITION.withDescription("the policy could not be kept: "
              + e.getMessage()).asException();
        }
        change.setVersion(served.kept().version());
        Proposal approved = proposals.decide(p.id(), State.APPROVED, caller, clock.millis(),
            request.getComment().strip(), served.kept().version());
        return toWire(approved).clearText().build();
      }
    });
  }

  @Override
  public void rejectPolicy(DecidePolicyRequest request,
      StreamObserver<PolicyProposal> response) {
    String caller = Caller.currentIdentity();
    var change = PolicyChange.newBuilder().setCaller(caller).setAction("RejectPolicy")
        .setProposalId(request.getProposalId()).setApprover(caller);
    audited(change, response, () -> {
      synchronized (deciding) {
        Proposal p = pending(request, change);
        if (request.getComment().isBlank()) {
          throw Status.INVALID_ARGUMENT.withDescription(
              "comment: is required to reject (why)").asException();
        }
        Proposal rejected = proposals.decide(p.id(), State.REJECTED, caller, clock.millis(),
            request.getComment().strip(), 0);
        return toWire(rejected).clearText().build();
      }
    });
  }

  /** The pending proposal a decision names, its facts copied into {@code change}. */
  private Proposal pending(DecidePolicyRequest request, PolicyChange.Builder change)
      throws StatusException {
    if (request.getProposalId().isBlank()) {
      throw Status.INVALID_ARGUMENT.withDescription("proposal_id: is required").asException();
    }
    Optional<Proposal> found = proposals.find(request.getProposalId());
    if (found.isEmpty()) {
      throw Status.NOT_FOUND.withDescription("proposal_id: no proposal '"
          + request.getProposalId() + "'").asException();
    }
    Proposal p = found.get();
    change.setProposer(p.proposer()).setSha256(p.sha256()).setEvidence(toWire(p.evidence()));
    if (p.state() != State.PENDING) {
      throw Status.FAILED_PRECONDITION.withDescription("proposal_id: " + p.id() + " is already "
          + p.state() + " by '" + p.decidedBy() + "'").asException();
    }
    return p;
  }

  /** The proposed policy's label, once the request validates. */
  private String validate(ProposePolicyRequest request) throws StatusException {
    if (request.getPolicyYaml().isBlank()) {
      throw invalid("policy_yaml: is required");
    }
    Policy parsed;
    try {
      parsed = Policy.parse(request.getPolicyYaml());
    } catch (Policy.InvalidPolicyException e) {
      throw invalid("policy_yaml: " + e.getMessage());
    }
    String sha = PolicyVersions.sha256(request.getPolicyYaml().getBytes(StandardCharsets.UTF_8));
    PolicyVersions.Kept serving = policy.served().kept();
    if (serving.sha256().equals(sha)) {
      throw invalid("policy_yaml: is the text of version " + serving.version()
          + ", serving already");
    }
    if (!request.hasEvidence()) {
      throw invalid("evidence: is required (a backtest or shadow report: kind, ref, sha256)");
    }
    PolicyEvidence evidence = request.getEvidence();
    if (evidence.getKind() != PolicyEvidence.Kind.BACKTEST
        && evidence.getKind() != PolicyEvidence.Kind.SHADOW) {
      throw invalid("evidence.kind: must be BACKTEST or SHADOW, got " + evidence.getKind());
    }
    if (evidence.getRef().isBlank()) {
      throw invalid("evidence.ref: is required (the report's id or path)");
    }
    if (!evidence.getSha256().matches("[0-9a-fA-F]{64}")) {
      throw invalid("evidence.sha256: must be the report's SHA-256, 64 hex digits, got '"
          + evidence.getSha256() + "'");
    }
    if (request.getJustification().isBlank()) {
      throw invalid("justification: is required");
    }
    return parsed.version();
  }

  private static StatusException invalid(String description) {
    return Status.INVALID_ARGUMENT.withDescription(description).asException();
  }

  /** A call's work: its answer, or the status it is refused with. */
  private interface Work {
    PolicyProposal run() throws StatusException;
  }

  /**
   * Records {@code change} as REQUESTED, does {@code work}, records its outcome (DONE or REFUSED)
   * and answers: a change that took effect is never missing from the trail.
   */
  private void audited(PolicyChange.Builder change, StreamObserver<PolicyProposal> response,
      Work work) {
    try {
      audit.writeChange(record(change, "REQUESTED"));
    } catch (StatusRuntimeException e) {
      response.onError(e);
      return;
    }
    Status outcome = Status.OK;
    PolicyProposal answer = null;
    try {
      answer = work.run();
    } catch (StatusException e) {
      outcome = e.getStatus();
    } catch (RuntimeException e) {
      outcome = Status.FAILED_PRECONDITION.withDescription("the proposal could not be kept: "
          + e.getMessage());
    }
    change.setOutcome(outcome.isOk() ? "OK"
        : outcome.getCode() + ": " + outcome.getDescription());
    try {
      audit.writeChange(record(change, outcome.isOk() ? "DONE" : "REFUSED"));
    } catch (StatusRuntimeException e) {
      // the request is on record; its outcome is what the caller is told either way
    }
    if (!outcome.isOk()) {
      response.onError(outcome.asRuntimeException());
      return;
    }
    response.onNext(answer);
    response.onCompleted();
  }

  private AuditRecord record(PolicyChange.Builder change, String decision) {
    return AuditRecord.newBuilder().setAuditId("adm-" + UUID.randomUUID())
        .setDecidedAt(EventCodec.timestamp(clock.millis())).setDecision(decision)
        .setPolicyChange(change).build();
  }

  private static PolicyVersion.Builder info(PolicyVersions.Kept kept, long serving) {
    return PolicyVersion.newBuilder().setVersion(kept.version()).setSha256(kept.sha256())
        .setLabel(kept.label() == null ? "" : kept.label())
        .setActivatedAt(EventCodec.timestamp(kept.activatedAtMillis()))
        .setSource(kept.source()).setServing(kept.version() == serving);
  }

  private static PolicyProposal.Builder toWire(Proposal p) {
    var out = PolicyProposal.newBuilder().setId(p.id())
        .setState(switch (p.state()) {
          case PENDING -> PolicyProposal.State.PENDING;
          case APPROVED -> PolicyProposal.State.APPROVED;
          case REJECTED -> PolicyProposal.State.REJECTED;
        })
        .setProposer(p.proposer()).setProposedAt(EventCodec.timestamp(p.proposedAtMillis()))
        .setSha256(p.sha256()).setLabel(p.label() == null ? "" : p.label())
        .setEvidence(toWire(p.evidence())).setJustification(p.justification())
        .setBaseVersion(p.baseVersion()).setText(p.text()).setVersion(p.version());
    if (p.decidedBy() != null) {
      out.setDecidedBy(p.decidedBy()).setDecidedAt(EventCodec.timestamp(p.decidedAtMillis()))
          .setComment(p.comment() == null ? "" : p.comment());
    }
    return out;
  }

  private static PolicyEvidence toWire(Evidence e) {
    return PolicyEvidence.newBuilder().setKind(switch (e.kind()) {
      case BACKTEST -> PolicyEvidence.Kind.BACKTEST;
      case SHADOW -> PolicyEvidence.Kind.SHADOW;
    }).setRef(e.ref()).setSha256(e.sha256()).build();
  }

  private static Evidence fromWire(PolicyEvidence e) {
    EvidenceKind kind = e.getKind() == PolicyEvidence.Kind.BACKTEST ? EvidenceKind.BACKTEST
        : EvidenceKind.SHADOW; // validated: one of the two
    return new Evidence(kind, e.getRef().strip(), e.getSha256().toLowerCase(Locale.ROOT));
  }
}
