package dev.vigil.scoring.score;

import dev.vigil.proto.v1.ScoreCheckDepositRequest;
import dev.vigil.proto.v1.ScoreCheckDepositResponse;
import dev.vigil.proto.v1.ScoreDelinquencyRequest;
import dev.vigil.proto.v1.ScoreDelinquencyResponse;
import dev.vigil.proto.v1.ScoreError;
import dev.vigil.proto.v1.ScoreStreamRequest;
import dev.vigil.proto.v1.ScoreStreamResponse;
import dev.vigil.proto.v1.ScoreTransactionRequest;
import dev.vigil.proto.v1.ScoreTransactionResponse;
import dev.vigil.scoring.ops.StreamFlow;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ScoreStream: each request scored by its task's adapter and answered in order, under flow control
 * ({@link StreamFlow}). A request that is refused, or fails, is answered with a {@link ScoreError}
 * and the stream goes on: a {@link Refusal} gives its code, field and {@code "field: reason"}; any
 * other Status its code and description; a fault INTERNAL, logged by request id and counted.
 */
public final class ScoreStream {
  private static final Logger log = LoggerFactory.getLogger(ScoreStream.class);
  /** Requests a stream reads ahead of the answers its client has read. */
  static final int WINDOW = 64;

  private final Function<ScoreTransactionRequest, ScoreTransactionResponse> transaction;
  private final Function<ScoreCheckDepositRequest, ScoreCheckDepositResponse> deposit;
  private final Function<ScoreDelinquencyRequest, ScoreDelinquencyResponse> delinquency;
  private final Runnable failed;

  /**
   * @param failed counts a request that failed (not one that was refused)
   */
  public ScoreStream(Function<ScoreTransactionRequest, ScoreTransactionResponse> transaction,
      Function<ScoreCheckDepositRequest, ScoreCheckDepositResponse> deposit,
      Function<ScoreDelinquencyRequest, ScoreDelinquencyResponse> delinquency, Runnable failed) {
    this.transaction = transaction;
    this.deposit = deposit;
    this.delinquency = delinquency;
    this.failed = failed;
  }

  /** Opens a stream answering into {@code responses}; returns where its requests go. */
  public StreamObserver<ScoreStreamRequest> open(StreamObserver<ScoreStreamResponse> responses) {
    StreamFlow flow = StreamFlow.of(responses, WINDOW);
    return new StreamObserver<>() {
      @Override
      public void onNext(ScoreStreamRequest request) {
        responses.onNext(answer(request));
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

  /** The answer to one request: its task's reply, or the error that stands for it. */
  ScoreStreamResponse answer(ScoreStreamRequest request) {
    var out = ScoreStreamResponse.newBuilder();
    try {
      switch (request.getRequestCase()) {
        case TRANSACTION -> {
          var r = transaction.apply(request.getTransaction());
          out.setRequestId(r.getRequestId()).setTransaction(r);
        }
        case CHECK_DEPOSIT -> {
          var r = deposit.apply(request.getCheckDeposit());
          out.setRequestId(r.getRequestId()).setCheckDeposit(r);
        }
        case DELINQUENCY -> {
          var r = delinquency.apply(request.getDelinquency());
          out.setRequestId(r.getRequestId()).setDelinquency(r);
        }
        default -> throw Refusal.invalid("request", "one of transaction, check_deposit or"
            + " delinquency must be set");
      }
    } catch (Refusal r) {
      out.setRequestId(requestIdOf(request)).setError(ScoreError.newBuilder()
          .setCode(r.code().name()).setField(r.field()).setMessage(r.getMessage()));
    } catch (StatusRuntimeException e) {
      // a refusal from below the adapters (no champion serving, the audit spool full): no field
      Status s = e.getStatus();
      out.setRequestId(requestIdOf(request)).setError(ScoreError.newBuilder()
          .setCode(s.getCode().name())
          .setMessage(s.getDescription() == null ? "" : s.getDescription()));
    } catch (RuntimeException e) {
      // not a refusal but a fault: answered, logged by request id, counted; the stream goes on
      String requestId = requestIdOf(request);
      // the class only at ERROR: a message may carry ids or values (full trace at DEBUG)
      log.error("ScoreStream request {} failed: {}", requestId, e.getClass().getName());
      log.debug("ScoreStream request {} failed", requestId, e);
      failed.run();
      out.setRequestId(requestId).setError(ScoreError.newBuilder()
          .setCode(Status.Code.INTERNAL.name())
          .setMessage("the request could not be scored; the service log has request "
              + requestId));
    }
    return out.build();
  }

  private static String requestIdOf(ScoreStreamRequest r) {
    return switch (r.getRequestCase()) {
      case TRANSACTION -> r.getTransaction().getRequestId();
      case CHECK_DEPOSIT -> r.getCheckDeposit().getRequestId();
      case DELINQUENCY -> r.getDelinquency().getRequestId();
      default -> "";
    };
  }
}
