package dev.vigil.scoring.score;

import dev.vigil.features.event.EventCodec;
import dev.vigil.features.event.InvalidEventException;
import dev.vigil.features.profile.FeatureCatalogue;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.features.profile.FeatureInputs;
import dev.vigil.proto.v1.CollectionsDecision;
import dev.vigil.proto.v1.DelinquencyModel;
import dev.vigil.proto.v1.ScoreDelinquencyRequest;
import dev.vigil.proto.v1.ScoreDelinquencyResponse;
import dev.vigil.scoring.collections.StrategyArms;
import dev.vigil.scoring.collections.StrategyArms.Strategy;
import dev.vigil.scoring.collections.TreatmentPlanner;
import dev.vigil.scoring.policy.RequestFacts;
import dev.vigil.scoring.policy.Segment;
import dev.vigil.scoring.score.Assessor.Assessment;
import java.time.ZoneId;

/**
 * ScoreDelinquency: an account scored as of a time (the server's clock by default), the policy
 * deciding its segment, and the next collections treatment planned for it in the customer's time
 * zone. A current account is scored by the early-warning model (task delinquency), an account
 * with a payment past due by the cure model (task cure) and, beside it, the roll model (task
 * roll): the one test is {@link FeatureCatalogue#pastDue}, and the answer says which model
 * answered.
 */
public final class ScoreDelinquency {
  /** How far past the server's clock an as_of may be. */
  private static final long MAX_FUTURE_MILLIS = EventCodec.MAX_FUTURE_MILLIS;

  private final Pipeline pipeline;
  private final TreatmentPlanner treatments;

  public ScoreDelinquency(Pipeline pipeline, TreatmentPlanner treatments) {
    this.pipeline = pipeline;
    this.treatments = treatments;
  }

  /** Scores the request; a request that cannot be scored is refused ({@link Refusal}). */
  public ScoreDelinquencyResponse score(ScoreDelinquencyRequest request) {
    long start = System.nanoTime();
    Intake.checkNotCancelled();
    String requestId = Intake.requestId(request.getRequestId());
    if (request.getAccountId().isEmpty()
        || request.getAccountId().length() > EventCodec.MAX_ID_LENGTH) {
      throw Refusal.invalid("account_id", "is required (1-128 characters)");
    }
    if (request.getCustomerId().length() > EventCodec.MAX_ID_LENGTH) {
      throw Refusal.invalid("customer_id", "must be at most 128 characters");
    }
    ZoneId requested = null;
    long asOf = pipeline.clock().millis();
    try {
      if (!request.getTimeZone().isEmpty()) {
        requested = EventCodec.zone(request.getTimeZone(), "time_zone");
      }
      if (request.hasAsOf()) {
        long now = asOf;
        asOf = EventCodec.millis(request.getAsOf(), "as_of");
        if (asOf > now + MAX_FUTURE_MILLIS) {
          throw Refusal.invalid("as_of", "is in the future");
        }
      }
    } catch (InvalidEventException e) {
      throw Intake.refused(e);
    }
    var call = new Call(Task.DELINQUENCY, requestId, asOf, null,
        FeatureInputs.keysForAccount(request.getAccountId(), request.getCustomerId()), request,
        RequestFacts.NONE, start);
    // a past-due account is the cure model's, a current one the early-warning model's
    Assessment a = pipeline.assess(call,
        inputs -> FeatureCatalogue.pastDue(inputs) ? Task.CURE : Task.DELINQUENCY);
    // the customer's own zone (their CustomerDetails) first: the one source of it
    ZoneId zone = a.inputs() != null && a.inputs().customer().timeZone() != null
        ? a.inputs().customer().timeZone() : requested;
    if (zone == null && a.standIn() == null) {
      throw Refusal.invalid("time_zone", "is required when Vigil does not know the customer's"
          + " zone (no CustomerDetails event for customer_id): an IANA zone such as"
          + " America/Chicago; contact times cannot be chosen without it");
    }
    // the account's strategy arm (a stable hash of its id), decided by that arm's rules
    String account = request.getAccountId();
    Verdict<Segment> verdict = pipeline.decide(call, a,
        policy -> StrategyArms.assign(policy, account).rules());
    Strategy strategy = StrategyArms.assign(verdict.policy().policy(), account);
    var out = ScoreDelinquencyResponse.newBuilder().setRequestId(requestId)
        .setSegment(verdict.decision().wire()).setStrategy(strategy.wire());
    var collections = CollectionsDecision.newBuilder().setStrategy(strategy.wire());
    if (a.inputs() != null) {
      out.setModel(a.task() == Task.CURE ? DelinquencyModel.DELINQUENCY_MODEL_CURE
          : DelinquencyModel.DELINQUENCY_MODEL_EARLY_WARNING);
      if (a.task() == Task.CURE && a.standIn() == null) {
        out.setCureProbability(1 - a.probability());
        if (!Double.isNaN(a.rollProbability())) {
          out.setRollProbability(a.rollProbability());
        }
      }
    }
    if (!verdict.standIn()) {
      TreatmentPlanner.Planned planned = treatments.plan(verdict.decision(),
          strategy.treatments(), a.features(), a.inputs().account(), asOf, zone);
      out.setTreatment(planned.treatment());
      collections.setTreatment(planned.treatment()).setCallsPaused(planned.callsPaused())
          .setChannelNotConsented(planned.channelNotConsented());
    } // a stand-in plans no contact: without the profile, consent and Regulation F are unknown
    return out.setScore(pipeline.record(verdict, collections.build())).build();
  }
}
