package dev.vigil.scoring.policy;

import com.google.protobuf.Timestamp;
import dev.vigil.features.event.EventCodec;
import dev.vigil.proto.v1.AddListEntryRequest;
import dev.vigil.proto.v1.AuditRecord;
import dev.vigil.proto.v1.DecidePolicyRequest;
import dev.vigil.proto.v1.ListChange;
import dev.vigil.proto.v1.ListEntry;
import dev.vigil.proto.v1.ListListEntriesRequest;
import dev.vigil.proto.v1.ListListEntriesResponse;
import dev.vigil.proto.v1.ListPoliciesRequest;
import dev.vigil.proto.v1.ListPoliciesResponse;
import dev.vigil.proto.v1.ListProposalsRequest;
import dev.vigil.proto.v1.ListProposalsResponse;
import dev.vigil.proto.v1.PolicyAdminGrpc;
import dev.vigil.proto.v1.PolicyChange;
import dev.vigil.proto.v1.PolicyEvidence;
import dev.vigil.proto.v1.PolicyProposal;
import dev.vigil.proto.v1.PolicyVersion;
import dev.vigil.proto.v1.ListShadowsRequest;
import dev.vigil.proto.v1.ListShadowsResponse;
import dev.vigil.proto.v1.ProposePolicyRequest;
import dev.vigil.proto.v1.RemoveListEntryRequest;
import dev.vigil.proto.v1.ShadowPolicy;
import dev.vigil.proto.v1.StartShadowRequest;
import dev.vigil.proto.v1.StopShadowRequest;
import dev.vigil.scoring.access.Caller;
import dev.vigil.scoring.audit.AuditLog;
import dev.vigil.scoring.audit.EntityTokens;
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
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

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
 *
 * <p>Also the allow and block lists ({@link LiveLists}: an entry added or removed through any
 * replica is served by all, each change recorded as a list change with the value as its token),
 * and shadow policies ({@link ShadowPolicies}: started and stopped by a policy-admin without an
 * approval, since a shadow changes no answer; recorded as policy changes).
 */
public final class PolicyAdministration extends PolicyAdminGrpc.PolicyAdminImplBase {
  /** A list's name: lowercase letters, digits, '-', '_' or '.'. */
  private static final String LIST_NAME = "[a-z0-9][a-z0-9._-]{0,63}";
  private static final int MAX_VALUE_CHARS = 128;
  private static final int MAX_REASON_CHARS = 500;

  private final LivePolicy policy;
  private final PolicyProposals proposals;
  private final LiveLists lists;
  private final ShadowPolicies shadows;
  private final AuditLog audit;
  private final EntityTokens tokens;
  private final Clock clock;
  private final Duration listTimeout;
  private final Object deciding = new Object();
  private final Object listing = new Object();

  /**
   * @param proposals where proposals are kept until decided, across restarts
   * @param lists the allow and block lists, changed through their topic
   * @param shadows the shadow policies of this replica
   * @param audit where each call is recorded, with its caller and outcome
   * @param tokens what a listed value is recorded as
   * @param clock when a call was made, for its proposal, list entry and audit record
   * @param listTimeout how long a list change may take to be written and read back
   */
  public PolicyAdministration(LivePolicy policy, PolicyProposals proposals, LiveLists lists,
      ShadowPolicies shadows, AuditLog audit, EntityTokens tokens, Clock clock,
      Duration listTimeout) {
    this.policy = policy;
    this.proposals = proposals;
    this.lists = lists;
    this.shadows = shadows;
    this.audit = audit;
    this.tokens = tokens;
    this.clock = clock;
    this.listTimeout = listTimeout;
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

  @Override
  public void addListEntry(AddListEntryRequest request, StreamObserver<ListEntry> response) {
    String caller = Caller.currentIdentity();
    var change = ListChange.newBuilder().setCaller(caller).setAction("AddListEntry")
        .setList(request.getList()).setKind(request.getKind().name())
        .setEntity(request.getEntity().name()).setReason(request.getReason());
    if (!request.getValue().isEmpty()) {
      try {
        change.setValueToken(tokens.token(Listing.Entity.of(request.getEntity(), "entity")
            .token(request.getValue())));
      } catch (IllegalArgumentException e) {
        // no entity, no token: refused below, naming the field
      }
    }
    if (request.hasExpiresAt()) {
      change.setExpiresAt(request.getExpiresAt());
    }
    auditedList(change, response, () -> {
      Listing entry = listing(request, caller);
      synchronized (listing) {
        ListBook book = lists.book();
        Optional<Listing.Kind> kind = book.kindOf(entry.list());
        if (kind.isPresent() && kind.get() != entry.kind()) {
          throw Status.FAILED_PRECONDITION.withDescription("kind: list '" + entry.list()
              + "' is a " + kind.get() + " list").asException();
        }
        long now = entry.addedAtMillis();
        Optional<Listing> same = book.entries().stream()
            .filter(l -> l.list().equals(entry.list()) && l.entity() == entry.entity()
                && l.value().equals(entry.value()) && l.endMillis() > now)
            .findFirst();
        if (same.isPresent()) {
          throw Status.ALREADY_EXISTS.withDescription("value: is on list '" + entry.list()
              + "' already, as " + same.get().id()).asException();
        }
        publish(entry);
      }
      change.setEntryId(entry.id());
      return entry.wire();
    });
  }

  @Override
  public void removeListEntry(RemoveListEntryRequest request,
      StreamObserver<ListEntry> response) {
    String caller = Caller.currentIdentity();
    var change = ListChange.newBuilder().setCaller(caller).setAction("RemoveListEntry")
        .setEntryId(request.getId()).setReason(request.getReason());
    auditedList(change, response, () -> {
      if (request.getId().isBlank()) {
        throw invalid("id: is required");
      }
      if (request.getReason().isBlank()) {
        throw invalid("reason: is required (why it is removed)");
      }
      synchronized (listing) {
        Optional<Listing> found = lists.book().entry(request.getId());
        if (found.isEmpty()) {
          throw Status.NOT_FOUND.withDescription("id: no list entry '" + request.getId() + "'")
              .asException();
        }
        Listing entry = found.get();
        change.setList(entry.list()).setKind(entry.kind().wire().name())
            .setEntity(entry.entity().wire().name())
            .setValueToken(tokens.token(entry.entity().token(entry.value())));
        if (entry.removedAtMillis() != Listing.NEVER) {
          throw Status.FAILED_PRECONDITION.withDescription("id: " + entry.id()
              + " is removed already, by '" + entry.removedBy() + "'").asException();
        }
        Listing removed = entry.removed(clock.millis(), caller, request.getReason().strip());
        publish(removed);
        return removed.wire();
      }
    });
  }

  @Override
  public void listListEntries(ListListEntriesRequest request,
      StreamObserver<ListListEntriesResponse> response) {
    long now = clock.millis();
    var out = ListListEntriesResponse.newBuilder();
    for (Listing l : lists.book().entries()) {
      if ((request.getList().isEmpty() || l.list().equals(request.getList()))
          && (request.getIncludeInactive() || l.appliesAt(now))) {
        out.addEntries(l.wire());
      }
    }
    response.onNext(out.build());
    response.onCompleted();
  }

  @Override
  public void startShadow(StartShadowRequest request, StreamObserver<ShadowPolicy> response) {
    String caller = Caller.currentIdentity();
    var change = PolicyChange.newBuilder().setCaller(caller).setAction("StartShadow")
        .setSha256(PolicyVersions.sha256(request.getPolicyYaml()
            .getBytes(StandardCharsets.UTF_8)));
    audited(change, response, () -> {
      if (!request.hasUntil()) {
        throw invalid("until: is required (when the shadow ends)");
      }
      ShadowPolicies.Shadow shadow;
      try {
        shadow = shadows.start(request.getPolicyYaml(), caller, millis(request.getUntil()),
            request.getMaxDecisions());
      } catch (ShadowPolicies.RefusedException e) {
        throw (e.full() ? Status.RESOURCE_EXHAUSTED : Status.INVALID_ARGUMENT)
            .withDescription(e.getMessage()).asException();
      }
      change.setShadowId(shadow.id()).setVersion(shadow.ref().getVersion());
      return shadow.wire();
    });
  }

  @Override
  public void stopShadow(StopShadowRequest request, StreamObserver<ShadowPolicy> response) {
    String caller = Caller.currentIdentity();
    var change = PolicyChange.newBuilder().setCaller(caller).setAction("StopShadow")
        .setShadowId(request.getId());
    audited(change, response, () -> {
      Optional<ShadowPolicies.Shadow> found = shadows.find(request.getId());
      if (found.isEmpty()) {
        throw Status.NOT_FOUND.withDescription("id: no shadow '" + request.getId() + "'")
            .asException();
      }
      change.setSha256(found.get().ref().getSha256()).setVersion(found.get().ref().getVersion());
      if (!found.get().running()) {
        throw Status.FAILED_PRECONDITION.withDescription("id: " + request.getId()
            + " has ended already (" + found.get().wire().getEndReason() + ")").asException();
      }
      return shadows.stop(request.getId(), caller).orElseThrow().wire();
    });
  }

  @Override
  public void listShadows(ListShadowsRequest request,
      StreamObserver<ListShadowsResponse> response) {
    var out = ListShadowsResponse.newBuilder();
    shadows.all().forEach(s -> out.addShadows(s.wire()));
    response.onNext(out.build());
    response.onCompleted();
  }

  /** The entry an add request makes, once it validates. */
  private Listing listing(AddListEntryRequest request, String caller) throws StatusException {
    if (!request.getList().matches(LIST_NAME)) {
      throw invalid("list: must be 1-64 lowercase letters, digits, '-', '_' or '.', starting"
          + " with a letter or digit, got '" + request.getList() + "'");
    }
    Listing.Kind kind;
    Listing.Entity entity;
    try {
      kind = Listing.Kind.of(request.getKind(), "kind");
      entity = Listing.Entity.of(request.getEntity(), "entity");
    } catch (IllegalArgumentException e) {
      throw invalid(e.getMessage());
    }
    String value = request.getValue();
    if (value.isEmpty() || value.length() > MAX_VALUE_CHARS || !value.strip().equals(value)) {
      throw invalid("value: is required, at most " + MAX_VALUE_CHARS + " characters, without"
          + " surrounding spaces (" + value.length() + " characters given)");
    }
    if (entity == Listing.Entity.ROUTING_NUMBER && !value.matches("[0-9]{9}")) {
      throw invalid("value: a routing number is 9 digits");
    }
    if (entity == Listing.Entity.CHECK_FINGERPRINT && !value.startsWith("micr:")
        && !value.startsWith("image:")) {
      throw invalid("value: a check fingerprint is 'micr:FINGERPRINT' or 'image:FINGERPRINT'");
    }
    String reason = request.getReason().strip();
    if (reason.isEmpty() || reason.length() > MAX_REASON_CHARS) {
      throw invalid("reason: is required, at most " + MAX_REASON_CHARS + " characters");
    }
    long now = clock.millis();
    long expires = Listing.NEVER;
    if (request.hasExpiresAt()) {
      expires = millis(request.getExpiresAt());
      if (expires <= now) {
        throw invalid("expires_at: must be after now (" + Instant.ofEpochMilli(now)
            + "), got " + Instant.ofEpochMilli(expires));
      }
    }
    return new Listing("le-" + UUID.randomUUID(), request.getList(), kind, entity, value, reason,
        caller, now, expires, Listing.NEVER, "", "");
  }

  /** Writes a list change to the lists topic, served here once it returns. */
  private void publish(Listing entry) throws StatusException {
    try {
      lists.publish(entry, listTimeout);
    } catch (TimeoutException | ExecutionException e) {
      throw Status.UNAVAILABLE.withDescription("the lists topic: " + e.getMessage())
          .asException();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Status.CANCELLED.withDescription("interrupted").asException();
    }
  }

  private static long millis(Timestamp t) {
    return t.getSeconds() * 1000 + t.getNanos() / 1_000_000;
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
  private interface Work<T> {
    T run() throws StatusException;
  }

  /**
   * Records {@code change} as REQUESTED, does {@code work}, records its outcome (DONE or REFUSED)
   * and answers: a change that took effect is never missing from the trail.
   */
  private <T> void audited(PolicyChange.Builder change, StreamObserver<T> response,
      Work<T> work) {
    audited(outcome -> {
      change.setOutcome(outcome);
      return null;
    }, decision -> record(change, decision), response, work);
  }

  /** As for a policy change, for a list change. */
  private <T> void auditedList(ListChange.Builder change, StreamObserver<T> response,
      Work<T> work) {
    audited(outcome -> {
      change.setOutcome(outcome);
      return null;
    }, decision -> AuditRecord.newBuilder().setAuditId("adm-" + UUID.randomUUID())
        .setDecidedAt(EventCodec.timestamp(clock.millis())).setDecision(decision)
        .setListChange(change).build(), response, work);
  }

  private <T> void audited(Function<String, Void> outcomeIs,
      Function<String, AuditRecord> record, StreamObserver<T> response, Work<T> work) {
    try {
      audit.writeChange(record.apply("REQUESTED"));
    } catch (StatusRuntimeException e) {
      response.onError(e);
      return;
    }
    Status outcome = Status.OK;
    T answer = null;
    try {
      answer = work.run();
    } catch (StatusException e) {
      outcome = e.getStatus();
    } catch (RuntimeException e) {
      outcome = Status.FAILED_PRECONDITION.withDescription("the change could not be kept: "
          + e.getMessage());
    }
    outcomeIs.apply(outcome.isOk() ? "OK"
        : outcome.getCode() + ": " + outcome.getDescription());
    try {
      audit.writeChange(record.apply(outcome.isOk() ? "DONE" : "REFUSED"));
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
