package dev.vigil.scoring.policy;

import dev.vigil.features.event.EventCodec;
import dev.vigil.proto.v1.ActivatePolicyRequest;
import dev.vigil.proto.v1.AuditRecord;
import dev.vigil.proto.v1.ListPoliciesRequest;
import dev.vigil.proto.v1.ListPoliciesResponse;
import dev.vigil.proto.v1.PolicyAdminGrpc;
import dev.vigil.proto.v1.PolicyChange;
import dev.vigil.proto.v1.PolicyVersion;
import dev.vigil.scoring.access.Caller;
import dev.vigil.scoring.audit.AuditLog;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.UUID;

/**
 * PolicyAdmin: the policy versions this service has served ({@link PolicyVersions}), and a policy
 * activated through the API ({@link LivePolicy#activate}). An activation is audited as ModelAdmin's
 * writes are: a record naming the caller and the text's hash before it is applied, and one with
 * the version it serves as (or why it was refused) after, both on the decisions topic's chain.
 */
public final class PolicyAdministration extends PolicyAdminGrpc.PolicyAdminImplBase {
  private final LivePolicy policy;
  private final AuditLog audit;
  private final Clock clock;

  /**
   * @param audit where each activation is recorded, with its caller and outcome
   * @param clock when an activation was made, for its audit record
   */
  public PolicyAdministration(LivePolicy policy, AuditLog audit, Clock clock) {
    this.policy = policy;
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
  public void activatePolicy(ActivatePolicyRequest request,
      StreamObserver<PolicyVersion> response) {
    String caller = Caller.currentIdentity();
    var record = AuditRecord.newBuilder()
        .setAuditId("adm-" + UUID.randomUUID())
        .setDecidedAt(EventCodec.timestamp(clock.millis()))
        .setPolicyChange(PolicyChange.newBuilder().setCaller(caller).setAction("ActivatePolicy")
            .setSha256(PolicyVersions.sha256(request.getPolicyYaml()
                .getBytes(StandardCharsets.UTF_8))));
    try {
      // recorded before it is made: a change that took effect is never missing from the trail
      audit.writeChange(record.setDecision("REQUESTED").build());
    } catch (StatusRuntimeException e) {
      response.onError(e);
      return;
    }
    Status outcome = Status.OK;
    PolicyVersion info = null;
    if (request.getPolicyYaml().isBlank()) {
      outcome = Status.INVALID_ARGUMENT.withDescription("policy_yaml: is required");
    } else {
      try {
        LivePolicy.Served served = policy.activate(request.getPolicyYaml(), "api:" + caller);
        info = info(served.kept(), served.kept().version()).build();
        record.getPolicyChangeBuilder().setVersion(served.kept().version());
      } catch (Policy.InvalidPolicyException e) {
        outcome = Status.INVALID_ARGUMENT.withDescription("policy_yaml: " + e.getMessage());
      } catch (IOException | RuntimeException e) {
        outcome = Status.FAILED_PRECONDITION.withDescription("the policy could not be kept: "
            + e.getMessage());
      }
    }
    record.setAuditId("adm-" + UUID.randomUUID())
        .setDecidedAt(EventCodec.timestamp(clock.millis()))
        .setDecision(outcome.isOk() ? "DONE" : "REFUSED")
        .getPolicyChangeBuilder().setOutcome(outcome.isOk() ? "OK"
            : outcome.getCode() + ": " + outcome.getDescription());
    try {
      audit.writeChange(record.build());
    } catch (StatusRuntimeException e) {
      // the request is on record; its outcome is what the caller is told either way
    }
    if (!outcome.isOk()) {
      response.onError(outcome.asRuntimeException());
      return;
    }
    response.onNext(info);
    response.onCompleted();
  }

  private static PolicyVersion.Builder info(PolicyVersions.Kept kept, long serving) {
    return PolicyVersion.newBuilder().setVersion(kept.version()).setSha256(kept.sha256())
        .setLabel(kept.label() == null ? "" : kept.label())
        .setActivatedAt(EventCodec.timestamp(kept.activatedAtMillis()))
        .setSource(kept.source()).setServing(kept.version() == serving);
  }
}
