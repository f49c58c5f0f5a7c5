package dev.vigil.scoring.score;

import dev.vigil.features.event.EventCodec;
import dev.vigil.features.profile.EntityKey;
import dev.vigil.features.profile.FeatureCatalogue;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.features.profile.FeatureInputs;
import dev.vigil.proto.v1.AuditRecord;
import dev.vigil.proto.v1.CollectionsDecision;
import dev.vigil.proto.v1.ModelResult;
import dev.vigil.proto.v1.Reason;
import dev.vigil.proto.v1.Score;
import dev.vigil.proto.v1.ShadowDecision;
import dev.vigil.scoring.audit.AuditLog;
import dev.vigil.scoring.audit.DecisionRecord;
import dev.vigil.scoring.audit.EntityTokens;
import dev.vigil.scoring.ops.ServiceMetrics;
import dev.vigil.scoring.policy.Decision;
import dev.vigil.scoring.policy.ListBook;
import dev.vigil.scoring.policy.ListedEntities;
import dev.vigil.scoring.policy.LivePolicy;
import dev.vigil.scoring.policy.Policy;
import dev.vigil.scoring.policy.RequestFacts;
import dev.vigil.scoring.policy.ShadowPolicies;
import dev.vigil.scoring.reason.ReasonCatalogue;
import dev.vigil.scoring.score.Assessor.Assessment;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.StatusRuntimeException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one scoring pipeline every task's call goes through: assess the call ({@link Assessor}), or
 * stand in when that cannot be done in time; let the policy decide, on the call's request facts
 * and the allow and block lists its entities are on at its time ({@link ListBook}), and each
 * shadow policy beside it ({@link ShadowPolicies}: recorded, never answered); record the decision
 * and answer its Score. A task's adapter validates its request into a {@link Call} before, and
 * maps the {@link Verdict} to its reply after.
 */
public final class Pipeline {
  private static final Logger log = LoggerFactory.getLogger(Pipeline.class);

  private final Assessor assessor;
  private final LivePolicy policy;
  private final Supplier<ListBook> lists;
  private final ShadowPolicies shadows;
  private final AuditLog audit;
  private final EntityTokens tokens;
  private final ServiceMetrics metrics;
  private final Clock clock;
  private final Duration standInMargin;

  /**
   * @param lists the allow and block lists as they stand (every entry: each call reads them as
   *     of its own time)
   * @param shadows the shadow policies running
   * @param standInMargin a call whose deadline leaves less than this is not scored but given the
   *     policy's stand-in decision (an answer in time beats DEADLINE_EXCEEDED)
   */
  public Pipeline(Assessor assessor, LivePolicy policy, Supplier<ListBook> lists,
      ShadowPolicies shadows, AuditLog audit, EntityTokens tokens, ServiceMetrics metrics,
      Clock clock, Duration standInMargin) {
    this.assessor = assessor;
    this.policy = policy;
    this.lists = lists;
    this.shadows = shadows;
    this.audit = audit;
    this.tokens = tokens;
    this.metrics = metrics;
    this.clock = clock;
    this.standInMargin = standInMargin;
  }

  public Assessor assessor() {
    return assessor;
  }

  /** The service's clock, which validates event times and dates an unset as-of. */
  public Clock clock() {
    return clock;
  }

  /** Assesses and decides a call whose adapter has nothing to check in between. */
  public <D extends Enum<D> & Decision> Verdict<D> decide(Call call,
      Function<Policy, Policy.Rules<D>> rules) {
    return decide(call, assess(call), rules);
  }

  /**
   * Reads the profiles behind the call's keys and assesses them for its task as of its time; or,
   * when that cannot be done, a stand-in assessment saying why: the profiles could not be read
   * ({@code store}), the champion or the features failed ({@code model}), or the call's deadline
   * is within the stand-in margin ({@code deadline}), so that the caller gets the policy's
   * stand-in decision in time instead of an error. Refusals (a Status: no champion serving, a
   * cancelled call) are thrown.
   */
  public Assessment assess(Call call) {
    return assess(call, inputs -> call.task());
  }

  /**
   * As {@link #assess(Call)}, the task (which model, which features) chosen from the inputs once
   * they are read: the delinquency call's model depends on the account's state. A stand-in before
   * the profiles are read is the call's own task's.
   */
  public Assessment assess(Call call, Function<FeatureInputs, Task> taskOf) {
    Task task = call.task();
    List<EntityKey> entities = call.keys().list();
    if (deadlineNearlySpent()) {
      return standIn(task, null, entities, "deadline", null);
    }
    FeatureInputs inputs;
    try {
      inputs = assessor.inputs(call.asOfMillis(), call.current(), call.keys());
    } catch (StatusRuntimeException e) {
      throw e;
    } catch (RuntimeException e) {
      return standIn(task, null, entities, "store", e);
    }
    task = taskOf.apply(inputs);
    if (deadlineNearlySpent()) {
      return standIn(task, inputs, entities, "deadline", null);
    }
    try {
      // challenger sampling: the same request id always falls on the same side
      return assessor.assess(task, inputs, entities, call.requestId().hashCode());
    } catch (StatusRuntimeException e) {
      throw e;
    } catch (RuntimeException e) {
      return standIn(task, inputs, entities, "model", e);
    }
  }

  /**
   * The policy's decision on an assessment (its stand-in's, for a stand-in), counted; with the
   * lists the call's entities are on as of its time in its facts, and each running shadow
   * policy's decision beside it.
   */
  public <D extends Enum<D> & Decision> Verdict<D> decide(Call call, Assessment a,
      Function<Policy, Policy.Rules<D>> rules) {
    LivePolicy.Served served = policy.served();
    Policy.Rules<D> task = rules.apply(served.policy());
    RequestFacts facts = call.facts().withLists(lists.get().memberships(call.asOfMillis(),
        ListedEntities.of(call.current(), call.keys())));
    Policy.Outcome<D> outcome = outcome(task, a, facts, metrics::policyRuleFailed);
    metrics.decided(a.task().id(), outcome.decision().name());
    return new Verdict<>(call, a, served, outcome,
        reasons(assessor.catalogue(), task, outcome, a), facts, shadows(a, facts, rules));
  }

  /**
   * What each running shadow policy decides on the same assessment and facts. Nothing a shadow
   * does reaches the answer: whatever it throws is caught and recorded as its error (counted in
   * {@code vigil_shadow_policy_errors_total}); a call whose deadline is nearly spent skips them.
   */
  private <D extends Enum<D> & Decision> List<ShadowDecision> shadows(Assessment a,
      RequestFacts facts, Function<Policy, Policy.Rules<D>> rules) {
    ShadowPolicies.Shadow[] running = shadows.running();
    if (running.length == 0) {
      return List.of();
    }
    long now = shadows.clock().millis();
    var decided = new ArrayList<ShadowDecision>(running.length);
    for (ShadowPolicies.Shadow shadow : running) {
      if (!shadow.claim(now)) {
        continue;
      }
      if (deadlineNearlySpent()) {
        shadow.failed();
        metrics.shadowPolicyFailed(a.task().id());
        decided.add(ShadowDecision.newBuilder().setPolicy(shadow.ref())
            .setError("skipped: the call's deadline was nearly spent").build());
        continue;
      }
      try {
        decided.add(shadowDecision(assessor.catalogue(), shadow, a, facts, rules));
      } catch (Throwable e) {
        if (e instanceof VirtualMachineError && !(e instanceof StackOverflowError)) {
          throw (VirtualMachineError) e; // the process is failing, not the shadow
        }
        shadow.failed();
        metrics.shadowPolicyFailed(a.task().id());
        // the class only: a message may carry values
        decided.add(ShadowDecision.newBuilder().setPolicy(shadow.ref())
            .setError("failed: " + e.getClass().getName()).build());
      }
    }
    return decided;
  }

  /** One shadow policy's decision on the call, as its audit record keeps it. */
  static <D extends Enum<D> & Decision> ShadowDecision shadowDecision(ReasonCatalogue catalogue,
      ShadowPolicies.Shadow shadow, Assessment a, RequestFacts facts,
      Function<Policy, Policy.Rules<D>> rules) {
    Policy.Rules<D> task = rules.apply(shadow.policy());
    Policy.Outcome<D> outcome = outcome(task, a, facts, rule -> { });
    var out = ShadowDecision.newBuilder().setPolicy(shadow.ref())
        .setDecision(outcome.decision().name())
        .setPolicyRule(outcome.rule() == null ? "" : outcome.rule())
        .setHoldDays(outcome.holdDays());
    for (Reason r : reasons(catalogue, task, outcome, a)) {
      out.addReasonCodes(r.getCode());
    }
    return out.build();
  }

  /**
   * What {@code rules} decide on an assessment: its stand-in outcome for a stand-in, else the
   * first rule that holds on its score, features and the request's {@code facts} (a rule that
   * fails is named to {@code failed}). Serving and replay ({@code DecisionReplay}) both decide
   * here.
   */
  public static <D extends Enum<D> & Decision> Policy.Outcome<D> outcome(Policy.Rules<D> rules,
      Assessment a, RequestFacts facts, Consumer<String> failed) {
    return a.standIn() != null ? rules.standIn(a.standIn())
        : rules.decide(a.score(), a.probability(), a.rollProbability(), a.features(), facts,
            failed);
  }

  /**
   * The reasons a decision gives: the deciding rule's own first, then the model's where the
   * policy's reason rule gives them for the decision ({@link ReasonCatalogue#answer}). Serving and
   * replay ({@code DecisionReplay}) both take them from here.
   */
  public static List<Reason> reasons(ReasonCatalogue catalogue, Policy.Rules<?> rules,
      Policy.Outcome<?> outcome, Assessment a) {
    List<Reason> model = a.standIn() != null ? List.of()
        : catalogue.forDecision(FeatureCatalogue.of(a.task()), a.values(), a.champion(),
            a.scored(), outcome.decision(), rules.reasons());
    return ReasonCatalogue.answer(outcome.reason(), model);
  }

  /** The verdict's Score message, with the policy's reason first; writes its audit record. */
  public Score record(Verdict<?> v) {
    return record(v, null);
  }

  /**
   * As {@link #record(Verdict)}, a delinquency decision's strategy arm and treatment ({@code
   * collections}, null for none) in its audit record.
   */
  public Score record(Verdict<?> v, CollectionsDecision collections) {
    Assessment a = v.assessment();
    Policy.Outcome<?> outcome = v.outcome();
    List<Reason> reasons = v.reasons();
    long asOf = a.inputs() == null ? v.call().asOfMillis() : a.inputs().asOfMillis();
    long profilesAsOf = a.inputs() == null ? Long.MIN_VALUE : a.inputs().profilesAsOfMillis();
    String auditId = DecisionRecord.newId();
    var score = Score.newBuilder().setProbability(a.probability()).setScore(a.score())
        .addAllReasons(reasons).setModelId(a.task().id())
        .setModelVersion(a.champion() == null ? "" : a.champion().version())
        .setPolicyVersion(v.policy().policy().version()).setAuditId(auditId)
        .setStandIn(a.standIn() != null);
    if (profilesAsOf != Long.MIN_VALUE) {
      score.setProfileAsOf(EventCodec.timestamp(profilesAsOf));
      metrics.freshness(a.task().id(), (asOf - profilesAsOf) / 1000.0);
    }
    Score built = score.build();
    Call call = v.call();
    var record = new DecisionRecord(auditId, call.requestId(), a.task(), asOf,
        call.request().toByteArray(), call.current() == null ? "" : call.current().eventId(),
        built, outcome.decision().name(), outcome.rule() == null ? "" : outcome.rule(),
        a.others(), a.entities(), (System.nanoTime() - call.startNanos()) / 1000,
        v.policy().ref(), v.facts().wire(), v.shadows());
    for (ModelResult other : a.others()) {
      if (!other.getError().isEmpty()) {
        metrics.modelFailed(a.task().id(), other.getRole());
      }
    }
    if (a.roll() != null && !a.roll().getError().isEmpty()) {
      metrics.modelFailed(a.task().id(), a.roll().getRole());
    }
    // with every feature value, by name
    AuditRecord kept = record.toProto(tokens, clock.millis());
    if (collections != null || a.roll() != null) {
      var with = kept.toBuilder();
      if (collections != null) {
        with.setCollections(collections);
      }
      if (a.roll() != null) {
        with.setRoll(a.roll());
      }
      kept = with.build();
    }
    audit.write(kept, a.task(), a.values());
    return built;
  }

  private Assessment standIn(Task task, FeatureInputs inputs, List<EntityKey> entities,
      String cause, RuntimeException e) {
    metrics.standIn(task.id(), cause);
    if (e != null) {
      // the class only at ERROR: a message may carry ids or values (full trace at DEBUG)
      log.error("{} score not computed ({}), stand-in decision: {}", task.id(), cause,
          e.getClass().getName());
      log.debug("{} score not computed", task.id(), e);
    }
    return Assessment.standIn(task, inputs, entities, cause);
  }

  /** True when the call's deadline leaves less than the margin: too little to score in. */
  private boolean deadlineNearlySpent() {
    Deadline deadline = Context.current().getDeadline();
    return deadline != null
        && deadline.timeRemaining(TimeUnit.NANOSECONDS) < standInMargin.toNanos();
  }
}
