package dev.vigil.scoring.score;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.proto.v1.ScoreCheckDepositRequest;
import dev.vigil.proto.v1.ScoreDelinquencyRequest;
import dev.vigil.proto.v1.ScoreDelinquencyResponse;
import dev.vigil.proto.v1.ScoreError;
import dev.vigil.proto.v1.ScoreStreamRequest;
import dev.vigil.proto.v1.ScoreStreamResponse;
import dev.vigil.proto.v1.ScoreTransactionRequest;
import dev.vigil.proto.v1.ScoreTransactionResponse;
import dev.vigil.scoring.TestService;
import io.grpc.Status;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * ScoreStream answers each request in order: a refusal as a ScoreError carrying the refusal's own
 * field (never parsed back out of a text), a Status from below without a field, a fault as
 * INTERNAL, counted; the stream goes on after each.
 */
class ScoreStreamTest {
  private final AtomicInteger failed = new AtomicInteger();

  /** Adapters standing in for the real ones: each answers or refuses as its request id says. */
  private final ScoreStream stream = new ScoreStream(
      r -> switch (r.getRequestId()) {
        case "bad-amount" -> throw Refusal.invalid("event.transaction.amount.minor_units",
            "must be positive");
        case "no-model" -> throw Status.FAILED_PRECONDITION
            .withDescription("no fraud model is serving: publish one").asRuntimeException();
        case "bug" -> throw new IllegalStateException("a bug");
        default -> ScoreTransactionResponse.newBuilder().setRequestId(r.getRequestId()).build();
      },
      r -> {
        throw Refusal.invalid("event.check_deposit", "is required: ScoreCheckDeposit scores"
            + " deposits");
      },
      r -> {
        if (r.getRequestId().equals("late")) {
          throw Refusal.cancelled();
        }
        return ScoreDelinquencyResponse.newBuilder().setRequestId(r.getRequestId()).build();
      },
      failed::incrementAndGet);

  @Test
  void eachRefusalIsAnsweredWithItsOwnFieldAndTheStreamGoesOn() throws Exception {
    var responses = new TestService.Responses<ScoreStreamResponse>();
    var requests = stream.open(responses);
    requests.onNext(transaction("bad-amount"));
    requests.onNext(ScoreStreamRequest.newBuilder().setCheckDeposit(ScoreCheckDepositRequest
        .newBuilder().setRequestId("wrong-kind")).build());
    requests.onNext(ScoreStreamRequest.getDefaultInstance());
    requests.onNext(transaction("ok"));
    requests.onCompleted();
    var all = responses.await(Duration.ofSeconds(5));

    assertThat(all).extracting(ScoreStreamResponse::getRequestId)
        .containsExactly("bad-amount", "wrong-kind", "", "ok");
    assertThat(all.get(0).getError()).isEqualTo(ScoreError.newBuilder()
        .setCode("INVALID_ARGUMENT").setField("event.transaction.amount.minor_units")
        .setMessage("event.transaction.amount.minor_units: must be positive").build());
    assertThat(all.get(1).getError().getField()).isEqualTo("event.check_deposit");
    assertThat(all.get(1).getError().getMessage())
        .isEqualTo("event.check_deposit: is required: ScoreCheckDeposit scores deposits");
    assertThat(all.get(2).getError().getField()).isEqualTo("request");
    assertThat(all.get(3).hasTransaction()).isTrue();
    assertThat(failed).hasValue(0);
  }

  @Test
  void aStatusFromBelowHasNoFieldAndAFaultIsInternalAndCounted() throws Exception {
    var responses = new TestService.Responses<ScoreStreamResponse>();
    var requests = stream.open(responses);
    requests.onNext(transaction("no-model"));
    requests.onNext(ScoreStreamRequest.newBuilder().setDelinquency(ScoreDelinquencyRequest
        .newBuilder().setRequestId("late")).build());
    requests.onNext(transaction("bug"));
    requests.onCompleted();
    var all = responses.await(Duration.ofSeconds(5));

    // a description with ": " in it names no field: only a Refusal carries one
    assertThat(all.get(0).getError()).isEqualTo(ScoreError.newBuilder()
        .setCode("FAILED_PRECONDITION")
        .setMessage("no fraud model is serving: publish one").build());
    assertThat(all.get(1).getError().getCode()).isEqualTo("DEADLINE_EXCEEDED");
    assertThat(all.get(1).getError().getField()).isEmpty();
    assertThat(all.get(1).getError().getMessage()).isEqualTo("the call was cancelled or its"
        + " deadline passed before it was scored");
    assertThat(all.get(2).getRequestId()).isEqualTo("bug");
    assertThat(all.get(2).getError().getCode()).isEqualTo("INTERNAL");
    assertThat(all.get(2).getError().getField()).isEmpty();
    assertThat(failed).hasValue(1);
  }

  @Test
  void aUnaryCallSeesTheRefusalAsTheStatusItAlwaysHad() {
    var invalid = Refusal.invalid("time_zone", "is not an IANA time zone").toStatus().getStatus();
    assertThat(invalid.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(invalid.getDescription()).isEqualTo("time_zone: is not an IANA time zone");
    var cancelled = Refusal.cancelled().toStatus().getStatus();
    assertThat(cancelled.getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(cancelled.getDescription()).isEqualTo("the call was cancelled or its deadline"
        + " passed before it was scored");
  }

  private static ScoreStreamRequest transaction(String requestId) {
    return ScoreStreamRequest.newBuilder().setTransaction(ScoreTransactionRequest.newBuilder()
        .setRequestId(requestId)).build();
  }
}
