package dev.vigil.scoring.score;

import dev.vigil.proto.v1.ScoreCheckDepositRequest;
import dev.vigil.proto.v1.ScoreCheckDepositResponse;
import dev.vigil.proto.v1.ScoreDelinquencyRequest;
import dev.vigil.proto.v1.ScoreDelinquencyResponse;
import dev.vigil.proto.v1.ScoreStreamRequest;
import dev.vigil.proto.v1.ScoreStreamResponse;
import dev.vigil.proto.v1.ScoreTransactionRequest;
import dev.vigil.proto.v1.ScoreTransactionResponse;
import dev.vigil.proto.v1.ScoringServiceGrpc;
import dev.vigil.scoring.audit.AuditLog;
import dev.vigil.scoring.audit.EntityTokens;
import dev.vigil.scoring.collections.TreatmentPlanner;
import dev.vigil.scoring.ops.ServiceMetrics;
import dev.vigil.scoring.policy.ListBook;
import dev.vigil.scoring.policy.LivePolicy;
import dev.vigil.scoring.policy.ShadowPolicies;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * ScoringService over gRPC: transactions ({@link ScoreTransaction}), check deposits ({@link
 * ScoreCheckDeposit}), delinquency ({@link ScoreDelinquency}), each validating its request and
 * mapping its reply around the one {@link Pipeline}, and the three on one stream ({@link
 * ScoreStream}). A unary call answers a {@link Refusal} as its Status (INVALID_ARGUMENT {@code
 * "field: reason"}). A call whose deadline has passed is not scored.
 */
public final class Scoring extends ScoringServiceGrpc.ScoringServiceImplBase {
  private final Pipeline pipeline;
  private final ScoreTransaction transaction;
  private final ScoreCheckDeposit deposit;
  private final ScoreDelinquency delinquency;
  private final ScoreStream stream;

  /**
   * @param standInMargin a call whose deadline leaves less than this is not scored but given the
   *     policy's stand-in decision (an answer in time beats DEADLINE_EXCEEDED)
   */
  public Scoring(Assessor assessor, LivePolicy policy, Supplier<ListBook> lists,
      ShadowPolicies shadows, TreatmentPlanner treatments, AuditLog audit, EntityTokens tokens,
      ServiceMetrics metrics, Clock clock, Duration standInMargin) {
    this.pipeline = new Pipeline(assessor, policy, lists, shadows, audit, tokens, metrics, clock,
        standInMargin);
    this.transaction = new ScoreTransaction(pipeline);
    this.deposit = new ScoreCheckDeposit(pipeline);
    this.delinquency = new ScoreDelinquency(pipeline, treatments);
    this.stream = new ScoreStream(transaction::score, deposit::score, delinquency::score,
        metrics::streamFailed);
  }

  /** For in-process cost measurement and tests: the pipeline every call goes through. */
  public Pipeline pipeline() {
    return pipeline;
  }

  /** For in-process cost measurement. */
  public Assessor assessor() {
    return pipeline.assessor();
  }

  /** ScoreTransaction called in process, without gRPC (cost measurement). */
  public ScoreTransactionResponse transaction(ScoreTransactionRequest request) {
    return transaction.score(request);
  }

  @Override
  public void scoreTransaction(ScoreTransactionRequest request,
      StreamObserver<ScoreTransactionResponse> response) {
    unary(request, response, transaction::score);
  }

  @Override
  public void scoreCheckDeposit(ScoreCheckDepositRequest request,
      StreamObserver<ScoreCheckDepositResponse> response) {
    unary(request, response, deposit::score);
  }

  @Override
  public void scoreDelinquency(ScoreDelinquencyRequest request,
      StreamObserver<ScoreDelinquencyResponse> response) {
    unary(request, response, delinquency::score);
  }

  @Override
  public StreamObserver<ScoreStreamRequest> scoreStream(
      StreamObserver<ScoreStreamResponse> responses) {
    return stream.open(responses);
  }

  private static <Q, R> void unary(Q request, StreamObserver<R> response, Function<Q, R> task) {
    R result;
    try {
      result = task.apply(request);
    } catch (Refusal r) {
      response.onError(r.toStatus());
      return;
    } catch (StatusRuntimeException e) {
      response.onError(e);
      return;
    }
    response.onNext(result);
    response.onCompleted();
  }
}
