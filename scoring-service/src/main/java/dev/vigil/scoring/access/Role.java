package dev.vigil.scoring.access;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * What a client may do, granted to identities in the roles file ({@link RoleBook}). Each RPC
 * requires exactly one role ({@link Permissions}); an identity may hold several.
 */
public enum Role {
  /** The Score RPCs: ScoreTransaction, ScoreCheckDeposit, ScoreDelinquency, ScoreStream. */
  SCORER("scorer"),
  /** IngestService.Publish: events into the streaming job. */
  PRODUCER("producer"),
  /** ProfileService.GetProfile: a customer's profile, consent and hardship included. */
  ANALYST("analyst"),
  /** ModelAdmin's writes: activate, challenger, shadow, rollback (each one audited). */
  MODEL_ADMIN("model-admin"),
  /**
   * PolicyAdmin.ProposePolicy: proposes a policy with its evidence (each one audited); it serves
   * only once another identity holding {@link #POLICY_APPROVER} approves it. Also the allow and
   * block lists' entries (AddListEntry, RemoveListEntry) and shadow policies (StartShadow,
   * StopShadow), which need no approval: each one audited.
   */
  POLICY_ADMIN("policy-admin"),
  /**
   * PolicyAdmin.ApprovePolicy and RejectPolicy: decides another identity's proposal (approved, it
   * serves from the call on; each one audited with both identities).
   */
  POLICY_APPROVER("policy-approver"),
  /**
   * ModelAdmin.ListModels, PolicyAdmin.ListPolicies, ListProposals, ListListEntries and
   * ListShadows: what exists and what serves.
   */
  VIEWER("viewer"),
  /** Reading /metrics when it is served over TLS (Prometheus' client certificate). */
  METRICS("metrics");

  private final String id;

  Role(String id) {
    this.id = id;
  }

  /** The role's name in the roles file and in refusals: {@code scorer}, {@code model-admin}... */
  public String id() {
    return id;
  }

  /**
   * The role named {@code id}.
   *
   * @throws IllegalArgumentException naming the known roles when there is none by that name
   */
  public static Role of(String id) {
    for (Role role : values()) {
      if (role.id.equals(id)) {
        return role;
      }
    }
    throw new IllegalArgumentException("unknown role '" + id + "' (roles: "
        + Arrays.stream(values()).map(Role::id).collect(Collectors.joining(", ")) + ")");
  }
}
