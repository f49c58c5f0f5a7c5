package dev.vigil.scoring.score;

import dev.vigil.features.event.Event;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.proto.v1.ScoreTransactionRequest;
import dev.vigil.proto.v1.ScoreTransactionResponse;
import dev.vigil.scoring.policy.Policy;
import dev.vigil.scoring.policy.RequestFacts;
import dev.vigil.scoring.policy.TransactionAction;

/**
 * ScoreTransaction: a card or transfer transaction, scored for fraud as of its event time, the
 * policy deciding APPROVE, REVIEW or DECLINE.
 */
public final class ScoreTransaction {
  private final Pipeline pipeline;

  public ScoreTransaction(Pipeline pipeline) {
    this.pipeline = pipeline;
  }

  /** Scores the request; a request that cannot be scored is refused ({@link Refusal}). */
  public ScoreTransactionResponse score(ScoreTransactionRequest request) {
    var in = Intake.eventCall(request.getRequestId(), request.getEvent(),
        pipeline.clock().millis());
    if (!(in.event().kind() instanceof Event.Transaction tx)) {
      throw Refusal.invalid("event.transaction", "is required: ScoreTransaction scores"
          + " transactions");
    }
    var facts = RequestFacts.transaction(tx.amount().currency(), tx.channel(), tx.country(),
        tx.mcc());
    Verdict<TransactionAction> verdict = pipeline.decide(in.call(Task.FRAUD, request, facts),
        Policy::transaction);
    return ScoreTransactionResponse.newBuilder().setRequestId(in.requestId())
        .setScore(pipeline.record(verdict)).setDecision(verdict.decision().wire()).build();
  }
}
