package dev.vigil.scoring.score;

import dev.vigil.proto.v1.Reason;
import dev.vigil.proto.v1.ShadowDecision;
import dev.vigil.scoring.policy.Decision;
import dev.vigil.scoring.policy.LivePolicy;
import dev.vigil.scoring.policy.Policy;
import dev.vigil.scoring.policy.RequestFacts;
import dev.vigil.scoring.score.Assessor.Assessment;
import java.util.List;

/**
 * A call assessed and decided, not yet recorded ({@link Pipeline#record}).
 *
 * @param policy the policy that decided, with its kept version
 * @param reasons the answer's reasons: the deciding rule's own, then the model's where the
 *     policy's reason rule gives them for the decision
 * @param facts what the policy read of the request: the call's facts with the lists its
 *     entities are on
 * @param shadows the shadow policies' decisions on the call (recorded, never answered)
 */
public record Verdict<D extends Decision>(Call call, Assessment assessment,
    LivePolicy.Served policy, Policy.Outcome<D> outcome, List<Reason> reasons,
    RequestFacts facts, List<ShadowDecision> shadows) {

  /** The policy's decision. */
  public D decision() {
    return outcome.decision();
  }

  /** True when no score was computed and the policy's stand-in decided. */
  public boolean standIn() {
    return assessment.standIn() != null;
  }
}
