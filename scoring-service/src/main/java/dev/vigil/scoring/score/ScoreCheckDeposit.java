package dev.vigil.scoring.score;

import dev.vigil.features.event.Event;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.proto.v1.ScoreCheckDepositRequest;
import dev.vigil.proto.v1.ScoreCheckDepositResponse;
import dev.vigil.scoring.policy.DepositAction;
import dev.vigil.scoring.policy.Policy;
import dev.vigil.scoring.policy.RequestFacts;

/**
 * ScoreCheckDeposit: a mobile check deposit, scored as of its event time, the policy deciding
 * ACCEPT, HOLD (with hold days and a Regulation CC reason) or REJECT.
 */
public final class ScoreCheckDeposit {
  private final Pipeline pipeline;

  public ScoreCheckDeposit(Pipeline pipeline) {
    this.pipeline = pipeline;
  }

  /** Scores the request; a request that cannot be scored is refused ({@link Refusal}). */
  public ScoreCheckDepositResponse score(ScoreCheckDepositRequest request) {
    var in = Intake.eventCall(request.getRequestId(), request.getEvent(),
        pipeline.clock().millis());
    if (!(in.event().kind() instanceof Event.CheckDeposit deposit)) {
      throw Refusal.invalid("event.check_deposit", "is required: ScoreCheckDeposit scores"
          + " deposits");
    }
    var facts = RequestFacts.deposit(deposit.amount().currency(), deposit.endorsement());
    Verdict<DepositAction> verdict = pipeline.decide(in.call(Task.DEPOSIT, request, facts),
        Policy::deposit);
    var out = ScoreCheckDepositResponse.newBuilder().setRequestId(in.requestId())
        .setScore(pipeline.record(verdict)).setDecision(verdict.decision().wire());
    if (verdict.decision().holds()) {
      out.setHoldDays(verdict.outcome().holdDays()).setHoldReason(verdict.outcome().holdReason());
    }
    return out.build();
  }
}
