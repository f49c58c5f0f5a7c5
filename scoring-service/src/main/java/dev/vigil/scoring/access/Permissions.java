package dev.vigil.scoring.access;

import dev.vigil.proto.v1.IngestServiceGrpc;
import dev.vigil.proto.v1.ModelAdminGrpc;
import dev.vigil.proto.v1.PolicyAdminGrpc;
import dev.vigil.proto.v1.ProfileServiceGrpc;
import dev.vigil.proto.v1.ScoringServiceGrpc;
import io.grpc.MethodDescriptor;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The role each RPC requires: one table, deny by default. A method not in it (a new RPC nobody
 * gave a role yet, or one of another service) is refused to everyone, whatever roles they hold;
 * health checking is open to all, as load balancers expect, and server reflection (when switched
 * on) to any authenticated caller.
 */
public final class Permissions {
  private static final Map<String, Role> REQUIRED = Map.ofEntries(
      entry(ScoringServiceGrpc.getScoreTransactionMethod(), Role.SCORER),
      entry(ScoringServiceGrpc.getScoreCheckDepositMethod(), Role.SCORER),
      entry(ScoringServiceGrpc.getScoreDelinquencyMethod(), Role.SCORER),
      entry(ScoringServiceGrpc.getScoreStreamMethod(), Role.SCORER),
      entry(IngestServiceGrpc.getPublishMethod(), Role.PRODUCER),
      entry(ProfileServiceGrpc.getGetProfileMethod(), Role.ANALYST),
      entry(ModelAdminGrpc.getListModelsMethod(), Role.VIEWER),
      entry(ModelAdminGrpc.getActivateModelMethod(), Role.MODEL_ADMIN),
      entry(ModelAdminGrpc.getSetChallengerMethod(), Role.MODEL_ADMIN),
      entry(ModelAdminGrpc.getSetShadowMethod(), Role.MODEL_ADMIN),
      entry(ModelAdminGrpc.getRollbackModelMethod(), Role.MODEL_ADMIN),
      entry(PolicyAdminGrpc.getListPoliciesMethod(), Role.VIEWER),
      entry(PolicyAdminGrpc.getListProposalsMethod(), Role.VIEWER),
      entry(PolicyAdminGrpc.getProposePolicyMethod(), Role.POLICY_ADMIN),
      entry(PolicyAdminGrpc.getApprovePolicyMethod(), Role.POLICY_APPROVER),
      entry(PolicyAdminGrpc.getRejectPolicyMethod(), Role.POLICY_APPROVER),
      entry(PolicyAdminGrpc.getAddListEntryMethod(), Role.POLICY_ADMIN),
      entry(PolicyAdminGrpc.getRemoveListEntryMethod(), Role.POLICY_ADMIN),
      entry(PolicyAdminGrpc.getListListEntriesMethod(), Role.VIEWER),
      entry(PolicyAdminGrpc.getStartShadowMethod(), Role.POLICY_ADMIN),
      entry(PolicyAdminGrpc.getStopShadowMethod(), Role.POLICY_ADMIN),
      entry(PolicyAdminGrpc.getListShadowsMethod(), Role.VIEWER));

  /** Services anyone may call, credentials or not. */
  private static final Set<String> OPEN_SERVICES = Set.of("grpc.health.v1.Health");

  /** Services any authenticated caller may call, whatever its roles. */
  private static final Set<String> AUTHENTICATED_SERVICES = Set.of(
      "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection");

  private Permissions() {}

  /** What a call to a method needs. */
  public sealed interface Need {}

  /** Nothing: open to all. */
  public record Open() implements Need {}

  /** An authenticated caller, any role. */
  public record Authenticated() implements Need {}

  /** An authenticated caller holding {@code role}. */
  public record Holds(Role role) implements Need {}

  /** No one: the method has no role. */
  public record NoOne() implements Need {}

  /** What a call to {@code fullMethodName} ("vigil.v1.ScoringService/ScoreTransaction") needs. */
  public static Need of(String fullMethodName) {
    String service = MethodDescriptor.extractFullServiceName(fullMethodName);
    if (OPEN_SERVICES.contains(service)) {
      return new Open();
    }
    if (AUTHENTICATED_SERVICES.contains(service)) {
      return new Authenticated();
    }
    return Optional.ofNullable(REQUIRED.get(fullMethodName)).<Need>map(Holds::new)
        .orElse(new NoOne());
  }

  /** Every RPC of Vigil's own services with the role it requires. */
  public static Map<String, Role> table() {
    return REQUIRED;
  }

  private static Map.Entry<String, Role> entry(MethodDescriptor<?, ?> method, Role role) {
    return Map.entry(method.getFullMethodName(), role);
  }
}
