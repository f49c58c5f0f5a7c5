package dev.vigil.scoring.audit;

import dev.vigil.features.event.EventCodec;
import dev.vigil.features.profile.EntityKey;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.proto.v1.AuditRecord;
import dev.vigil.proto.v1.DecisionFacts;
import dev.vigil.proto.v1.PolicyRef;
import dev.vigil.proto.v1.ModelResult;
import dev.vigil.proto.v1.Score;
import dev.vigil.proto.v1.ShadowDecision;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What the audit record of one decision says, and its wire form: the entities and the request
 * appear only as keyed tokens ({@link EntityTokens}), never as themselves.
 *
 * @param request the request as received (its keyed hash is recorded as the input hash)
 * @param eventId the scored event's id; empty when there is none
 * @param decision the decision as its enum name ("DECLINE", "HOLD", "SELF_CURE"...)
 * @param rule the policy rule that decided; empty for the default
 * @param others the challenger's and shadow's results
 * @param entities the profiles read, recorded as tokens
 * @param policy the kept version of the policy that decided
 * @param facts what the policy's conditions read of the request
 * @param shadows the shadow policies' decisions on the call
 */
public record DecisionRecord(String auditId, String requestId, Task task, long asOfMillis,
    byte[] request, String eventId, Score score, String decision, String rule,
    List<ModelResult> others, List<EntityKey> entities, long latencyMicros, PolicyRef policy,
    DecisionFacts facts, List<ShadowDecision> shadows) {

  /** A decision without shadow policies beside it. */
  public DecisionRecord(String auditId, String requestId, Task task, long asOfMillis,
      byte[] request, String eventId, Score score, String decision, String rule,
      List<ModelResult> others, List<EntityKey> entities, long latencyMicros, PolicyRef policy,
      DecisionFacts facts) {
    this(auditId, requestId, task, asOfMillis, request, eventId, score, decision, rule, others,
        entities, latencyMicros, policy, facts, List.of());
  }

  /** A new audit id: a random (version 4) UUID, from a fast source (it need not be secret). */
  public static String newId() {
    var random = ThreadLocalRandom.current();
    return new UUID((random.nextLong() & ~0xF000L) | 0x4000L,
        (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L).toString();
  }

  /** The record as kept, decided at {@code decidedAtMillis}, tokens made with {@code tokens}. */
  public AuditRecord toProto(EntityTokens tokens, long decidedAtMillis) {
    var record = AuditRecord.newBuilder().setAuditId(auditId).setRequestId(requestId)
        .setTask(task.wire())
        .setDecidedAt(EventCodec.timestamp(decidedAtMillis))
        .setAsOf(EventCodec.timestamp(asOfMillis))
        .setInputHash(tokens.hash(request))
        .setTokenKeyId(tokens.keyId())
        .setEventId(eventId)
        .setScore(score).setDecision(decision)
        .setPolicyRule(rule)
        .addAllOthers(others)
        .setLatencyMicros(latencyMicros)
        .setPolicy(policy)
        .setRequestFacts(facts)
        .addAllShadowDecisions(shadows);
    entities.forEach(k -> record.addEntities(tokens.token(k.toString())));
    return record.build();
  }
}
