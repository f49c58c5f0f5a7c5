package dev.vigil.scoring.score;

import com.google.protobuf.Message;
import dev.vigil.features.event.Event;
import dev.vigil.features.event.EventCodec;
import dev.vigil.features.event.InvalidEventException;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.features.profile.FeatureInputs;
import dev.vigil.proto.v1.AuditRecord;
import dev.vigil.proto.v1.DepositDecision;
import dev.vigil.proto.v1.Reason;
import dev.vigil.proto.v1.Score;
import dev.vigil.proto.v1.ScoreCheckDepositRequest;
import dev.vigil.proto.v1.ScoreCheckDepositResponse;
import dev.vigil.proto.v1.ScoreDelinquencyRequest;
import dev.vigil.proto.v1.ScoreDelinquencyResponse;
import dev.vigil.proto.v1.ScoreError;
import dev.vigil.proto.v1.ScoreStreamRequest;
import dev.vigil.proto.v1.ScoreStreamResponse;
import dev.vigil.proto.v1.ScoreTransactionRequest;
import dev.vigil.proto.v1.ScoreTransactionResponse;
import dev.vigil.proto.v1.ScoringServiceGrpc;
import dev.vigil.proto.v1.Segment;
import dev.vigil.proto.v1.TransactionDecision;
import dev.vigil.scoring.audit.AuditLog;
import dev.vigil.scoring.collections.TreatmentPlanner;
import dev.vigil.scoring.ops.ServiceMetrics;
import dev.vigil.scoring.policy.LivePolicy;
import dev.vigil.scoring.policy.Policy;
import dev.vigil.scoring.reason.ReasonCatalogue;
import dev.vigil.scoring.score.Assessor.Assessment;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * ScoringService: transactions, check deposits and delinquency. Each call validates its request
 * (INVALID_ARGUMENT naming the field), assesses it ({@link Assessor}), lets the policy decide,
 * writes an audit record, and answers. A call whose deadline has passed is not scored.
 */
public final class Scoring extends ScoringServiceGrpc.ScoringServiceImplBase {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Scoring.class);
  /** Requests a ScoreStream reads ahead of the answers its client has read. */
  static final int STREAM_WINDOW = 64;
  /** How far past the server's clock a delinquency as_of may be. */
  private static final long MAX_FUTURE_MILLIS = EventCodec.MAX_FUTURE_MILLIS;

  private final Assessor assessor;
  private final LivePolicy policy;
  private final TreatmentPlanner treatments;
  private final AuditLog audit;
  private final ServiceMetrics metrics;
  private final Clock clock;
  private final java.time.Duration standInMargin;
  private final dev.vigil.scoring.audit.EntityTokens tokens;

  /**
   * @param standInMargin a call whose deadline leaves less than this is not scored but given the
   *     policy's stand-in decision (an answer in time beats DEADLINE_EXCEEDED)
   */
  public Scoring(Assessor assessor, LivePolicy policy, TreatmentPlanner treatments,
      AuditLog audit, dev.vigil.scoring.audit.EntityTokens tokens, ServiceMetrics metrics,
      Clock clock, java.time.Duration standInMargin) {
    this.standInMargin = standInMargin;
    this.tokens = tokens;
    this.assessor = assessor;
    this.policy = policy;
    this.treatments = treatments;
    this.audit = audit;
    this.metrics = metrics;
    this.clock = clock;
  }

  /** For in-process cost measurement. */
  public Assessor assessor() {
    return assessor;
  }

  // ---- the RPCs ---------------------------------------------------------------------------

  @Override
  public void scoreTransaction(ScoreTransactionRequest request,
      StreamObserver<ScoreTransactionResponse> response) {
    unary(response, () -> transaction(request));
  }

  @Override
  public void scoreCheckDeposit(ScoreCheckDepositRequest request,
      StreamObserver<ScoreCheckDepositResponse> response) {
    unary(response, () -> deposit(request));
  }

  @Override
  public void scoreDelinquency(ScoreDelinquencyRequest request,
      StreamObserver<ScoreDelinquencyResponse> response) {
    unary(response, () -> delinquency(request));
  }

  @Override
  public StreamObserver<ScoreStreamRequest> scoreStream(
      StreamObserver<ScoreStreamResponse> responses) {
    var flow = dev.vigil.scoring.ops.StreamFlow.of(responses, STREAM_WINDOW);
    return new StreamObserver<>() {
      @Override
      public void onNext(ScoreStreamRequest request) {
        var out = ScoreStreamResponse.newBuilder();
        try {
          switch (request.getRequestCase()) {
            case TRANSACTION -> {
              var r = transaction(request.getTransaction());
              out.setRequestId(r.getRequestId()).setTransaction(r);
            }
            case CHECK_DEPOSIT -> {
              var r = deposit(request.getCheckDeposit());
              out.setRequestId(r.getRequestId()).setCheckDeposit(r);
            }
            case DELINQUENCY -> {
              var r = delinquency(request.getDelinquency());
              out.setRequestId(r.getRequestId()).setDelinquency(r);
            }
            default -> throw invalid("request", "one of transaction, check_deposit or"
                + " delinquency must be set");
          }
        } catch (StatusRuntimeException e) {
          Status s = e.getStatus();
          String description = s.getDescription() == null ? "" : s.getDescription();
          int colon = description.indexOf(": ");
          out.setRequestId(requestIdOf(request)).setError(ScoreError.newBuilder()
              .setCode(s.getCode().name())
              .setField(s.getCode() == Status.Code.INVALID_ARGUMENT && colon > 0
                  ? description.substring(0, colon) : "")
              .setMessage(description));
        } catch (RuntimeException e) {
          // not a refusal but a fault: answered, logged by request id, counted; the stream goes on
          String requestId = requestIdOf(request);
          // the class only at ERROR: a message may carry ids or values (full trace at DEBUG)
          log.error("ScoreStream request {} failed: {}", requestId, e.getClass().getName());
          log.debug("ScoreStream request {} failed", requestId, e);
          metrics.streamFailed();
          out.setRequestId(requestId).setError(ScoreError.newBuilder()
              .setCode(Status.Code.INTERNAL.name())
              .setMessage("the request could not be scored; the service log has request "
                  + requestId));
        }
        responses.onNext(out.build());
        flow.answered();
      }

      @Override
      public void onError(Throwable t) {
        // the client went away; nothing is pending
      }

      @Override
      public void onCompleted() {
        responses.onCompleted();
      }
    };
  }

  private interface Answer<R> {
    R get();
  }

  private static <R> void unary(StreamObserver<R> response, Answer<R> answer) {
    R result;
    try {
      result = answer.get();
    } catch (StatusRuntimeException e) {
      response.onError(e);
      return;
    }
    response.onNext(result);
    response.onCompleted();
  }

  // ---- transactions -------------------------------------------------------------------------

  public ScoreTransactionResponse transaction(ScoreTransactionRequest request) {
    long start = System.nanoTime();
    checkDeadline();
    String requestId = requestId(request.getRequestId());
    Event event = event(request.getEvent());
    if (!(event.kind() instanceof Event.Transaction tx)) {
      throw invalid("event.transaction", "is required: ScoreTransaction scores transactions");
    }
    Assessment a = assess(Task.FRAUD, event.timeMillis(), event, FeatureInputs.keysFor(event),
        requestId);
    Policy p = policy.current();
    Policy.Outcome outcome = decide(p, a, Map.of("currency", tx.amount().currency(),
        "channel", tx.channel().name(), "country", tx.country(), "mcc", tx.mcc(),
        "endorsement", ""));
    Score score = score(a, event.timeMillis(), p, outcome, requestId, request, event, start);
    return ScoreTransactionResponse.newBuilder().setRequestId(requestId).setScore(score)
        .setDecision(TransactionDecision.valueOf("TRANSACTION_DECISION_" + outcome.decision()))
        .build();
  }

  // ---- check deposits -----------------------------------------------------------------------

  ScoreCheckDepositResponse deposit(ScoreCheckDepositRequest request) {
    long start = System.nanoTime();
    checkDeadline();
    String requestId = requestId(request.getRequestId());
    Event event = event(request.getEvent());
    if (!(event.kind() instanceof Event.CheckDeposit d)) {
      throw invalid("event.check_deposit", "is required: ScoreCheckDeposit scores deposits");
    }
    Assessment a = assess(Task.DEPOSIT, event.timeMillis(), event, FeatureInputs.keysFor(event),
        requestId);
    Policy p = policy.current();
    Policy.Outcome outcome = decide(p, a, Map.of("currency", d.amount().currency(),
        "channel", "", "country", "", "mcc", "", "endorsement", d.endorsement().name()));
    Score score = score(a, event.timeMillis(), p, outcome, requestId, request, event, start);
    var out = ScoreCheckDepositResponse.newBuilder().setRequestId(requestId).setScore(score)
        .setDecision(DepositDecision.valueOf("DEPOSIT_DECISION_" + outcome.decision()));
    if (outcome.decision().equals("HOLD")) {
      out.setHoldDays(outcome.holdDays()).setHoldReason(outcome.holdReason());
    }
    return out.build();
  }

  // ---- delinquency --------------------------------------------------------------------------

  ScoreDelinquencyResponse delinquency(ScoreDelinquencyRequest request) {
    long start = System.nanoTime();
    checkDeadline();
    String requestId = requestId(request.getRequestId());
    if (request.getAccountId().isEmpty() || request.getAccountId().length() > 128) {
      throw invalid("account_id", "is required (1-128 characters)");
    }
    if (request.getCustomerId().length() > 128) {
      throw invalid("customer_id", "must be at most 128 characters");
    }
    ZoneId requested = null;
    if (!request.getTimeZone().isEmpty()) {
      try {
        requested = EventCodec.zone(request.getTimeZone(), "time_zone");
      } catch (InvalidEventException e) {
        throw invalid(e.field(), e.reason());
      }
    }
    long now = clock.millis();
    long asOf = now;
    if (request.hasAsOf()) {
      try {
        asOf = EventCodec.millis(request.getAsOf(), "as_of");
      } catch (InvalidEventException e) {
        throw invalid(e.field(), e.reason());
      }
      if (asOf > now + MAX_FUTURE_MILLIS) {
        throw invalid("as_of", "is in the future");
      }
    }
    Assessment a = assess(Task.DELINQUENCY, asOf, null,
        FeatureInputs.keysForAccount(request.getAccountId(), request.getCustomerId()), requestId);
    // the customer's own zone (their CustomerDetails) first: the one source of it
    ZoneId zone = a.inputs() != null && a.inputs().customer().timeZone() != null
        ? a.inputs().customer().timeZone() : requested;
    if (zone == null && a.standIn() == null) {
      throw invalid("time_zone", "is required when Vigil does not know the customer's zone (no"
          + " CustomerDetails event for customer_id): an IANA zone such as America/Chicago;"
          + " contact times cannot be chosen without it");
    }
    Policy p = policy.current();
    Policy.Outcome outcome = decide(p, a, Map.of("currency", "", "channel", "", "country", "",
        "mcc", "", "endorsement", ""));
    Segment segment = Segment.valueOf("SEGMENT_" + outcome.decision());
    var out = ScoreDelinquencyResponse.newBuilder().setRequestId(requestId).setSegment(segment);
    if (a.standIn() == null) {
      out.setTreatment(treatments.plan(segment, a.features(), a.inputs().account(), asOf, zone));
    } // a stand-in plans no contact: without the profile, consent and Regulation F are unknown
    return out.setScore(score(a, asOf, p, outcome, requestId, request, null, start)).build();
  }

  // ---- shared -------------------------------------------------------------------------------

  /**
   * Reads the profiles behind {@code keys} and assesses them for {@code task} as of a time; or,
   * when that cannot be done, a stand-in assessment saying why: the profiles could not be read
   * ({@code store}), the champion or the features failed ({@code model}), or the call's deadline
   * is within {@link #standInMargin} ({@code deadline}), so that the caller gets the policy's
   * stand-in decision in time instead of an error. Refusals (a Status: no champion serving, a
   * cancelled call) are thrown.
   */
  private Assessment assess(Task task, long asOfMillis, Event current, FeatureInputs.Keys keys,
      String requestId) {
    List<dev.vigil.features.profile.EntityKey> entities = keys.list();
    if (deadlineNearlySpent()) {
      return standIn(task, null, entities, "deadline", null);
    }
    FeatureInputs inputs;
    try {
      inputs = assessor.inputs(asOfMillis, current, keys);
    } catch (StatusRuntimeException e) {
      throw e;
    } catch (RuntimeException e) {
      return standIn(task, null, entities, "store", e);
    }
    if (deadlineNearlySpent()) {
      return standIn(task, inputs, entities, "deadline", null);
    }
    try {
      return assessor.assess(task, inputs, entities, hash(requestId));
    } catch (StatusRuntimeException e) {
      throw e;
    } catch (RuntimeException e) {
      return standIn(task, inputs, entities, "model", e);
    }
  }

  private Assessment standIn(Task task, FeatureInputs inputs,
      List<dev.vigil.features.profile.EntityKey> entities, String cause, RuntimeException e) {
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
    io.grpc.Deadline deadline = Context.current().getDeadline();
    return deadline != null
        && deadline.timeRemaining(java.util.concurrent.TimeUnit.NANOSECONDS)
            < standInMargin.toNanos();
  }

  private Policy.Outcome decide(Policy p, Assessment a, Map<String, String> request) {
    Policy.Outcome outcome = a.standIn() != null ? p.standIn(a.task(), a.standIn())
        : p.decide(a.task(), a.score(), a.probability(), a.features(), request,
            metrics::policyRuleFailed);
    metrics.decided(a.task().id(), outcome.decision());
    return outcome;
  }

  /** The Score message, with the policy's reason first; writes the audit record. */
  private Score score(Assessment a, long requestAsOf, Policy p, Policy.Outcome outcome,
      String requestId, Message request, Event event, long startNanos) {
    List<Reason> reasons = new ArrayList<>(4);
    if (outcome.reason() != null) {
      reasons.add(Reason.newBuilder().setCode(outcome.reason().code())
          .setText(outcome.reason().text()).build());
    }
    for (Reason r : a.reasons()) {
      // a code is given once: the policy's own reason may name what a feature's reason names
      // (DUPLICATE_PRESENTMENT), and two features may share a code
      if (reasons.size() < ReasonCatalogue.MAX_REASONS
          && reasons.stream().noneMatch(given -> given.getCode().equals(r.getCode()))) {
        reasons.add(r);
      }
    }
    long asOf = a.inputs() == null ? requestAsOf : a.inputs().asOfMillis();
    long profilesAsOf = a.inputs() == null ? Long.MIN_VALUE : a.inputs().profilesAsOfMillis();
    String auditId = auditId();
    var score = Score.newBuilder().setProbability(a.probability()).setScore(a.score())
        .addAllReasons(reasons).setModelId(a.task().id())
        .setModelVersion(a.champion() == null ? "" : a.champion().version())
        .setPolicyVersion(p.version()).setAuditId(auditId).setStandIn(a.standIn() != null);
    if (profilesAsOf != Long.MIN_VALUE) {
      score.setProfileAsOf(EventCodec.timestamp(profilesAsOf));
      metrics.freshness(a.task().id(), (asOf - profilesAsOf) / 1000.0);
    }
    Score built = score.build();
    var record = AuditRecord.newBuilder().setAuditId(auditId).setRequestId(requestId)
        .setTask(dev.vigil.proto.v1.Task.valueOf("TASK_" + a.task().name()))
        .setDecidedAt(EventCodec.timestamp(clock.millis()))
        .setAsOf(EventCodec.timestamp(asOf))
        .setInputHash(tokens.hash(request.toByteArray()))
        .setTokenKeyId(tokens.keyId())
        .setEventId(event == null ? "" : event.eventId())
        .setScore(built).setDecision(outcome.decision())
        .setPolicyRule(outcome.rule() == null ? "" : outcome.rule())
        .addAllOthers(a.others())
        .setLatencyMicros((System.nanoTime() - startNanos) / 1000);
    for (var other : a.others()) {
      if (!other.getError().isEmpty()) {
        metrics.modelFailed(a.task().id(), other.getRole());
      }
    }
    a.entities().forEach(k -> record.addEntities(tokens.token(k.toString())));
    audit.write(record.build(), a.task(), a.values()); // with every feature value, by name
    return built;
  }

  private Event event(dev.vigil.proto.v1.Event proto) {
    if (proto.getKindCase() == dev.vigil.proto.v1.Event.KindCase.KIND_NOT_SET
        && proto.getEventId().isEmpty()) {
      throw invalid("event", "is required");
    }
    try {
      return EventCodec.fromProto(proto, clock.millis());
    } catch (InvalidEventException e) {
      throw invalid(e.field(), e.reason()); // the codec names fields from "event."
    }
  }

  private static void checkDeadline() {
    if (Context.current().isCancelled()) {
      throw Status.DEADLINE_EXCEEDED.withDescription("the call was cancelled or its deadline"
          + " passed before it was scored").asRuntimeException();
    }
  }

  static StatusRuntimeException invalid(String field, String problem) {
    return Status.INVALID_ARGUMENT.withDescription(field + ": " + problem).asRuntimeException();
  }

  private static String requestId(String given) {
    if (given.length() > 128) {
      throw invalid("request_id", "must be at most 128 characters");
    }
    return given.isEmpty() ? UUID.randomUUID().toString() : given;
  }

  private static String requestIdOf(ScoreStreamRequest r) {
    return switch (r.getRequestCase()) {
      case TRANSACTION -> r.getTransaction().getRequestId();
      case CHECK_DEPOSIT -> r.getCheckDeposit().getRequestId();
      case DELINQUENCY -> r.getDelinquency().getRequestId();
      default -> "";
    };
  }

  private static String auditId() {
    var random = ThreadLocalRandom.current();
    return new UUID((random.nextLong() & ~0xF000L) | 0x4000L,
        (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L).toString();
  }

  /** Decides challenger sampling: the same request id always falls on the same side. */
  private static long hash(String requestId) {
    return requestId.hashCode();
  }



}
