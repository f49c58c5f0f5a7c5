package dev.vigil.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.proto.v1.ActivateModelRequest;
import dev.vigil.proto.v1.Event;
import dev.vigil.proto.v1.GetProfileRequest;
import dev.vigil.proto.v1.IngestServiceGrpc;
import dev.vigil.proto.v1.ListModelsRequest;
import dev.vigil.proto.v1.ModelAdminGrpc;
import dev.vigil.proto.v1.ProfileServiceGrpc;
import dev.vigil.proto.v1.PublishAck;
import dev.vigil.proto.v1.PublishRequest;
import dev.vigil.proto.v1.RollbackModelRequest;
import dev.vigil.proto.v1.ScoreCheckDepositRequest;
import dev.vigil.proto.v1.ScoreDelinquencyRequest;
import dev.vigil.proto.v1.ScoreStreamRequest;
import dev.vigil.proto.v1.ScoreStreamResponse;
import dev.vigil.proto.v1.ScoreTransactionRequest;
import dev.vigil.proto.v1.ScoringServiceGrpc;
import dev.vigil.proto.v1.SetChallengerRequest;
import dev.vigil.proto.v1.SetShadowRequest;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Starts the real server on a free port and calls every RPC over TCP. */
class ScoringServerTest {
  private static ScoringServer server;
  private static ManagedChannel channel;

  @BeforeAll
  static void start() throws Exception {
    server = ScoringServer.start(0);
    channel = Grpc.newChannelBuilderForAddress("127.0.0.1", server.port(),
        InsecureChannelCredentials.create()).build();
  }

  @AfterAll
  static void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.close();
  }

  @Test
  void listensOnARealPortAndReportsHealthy() {
    assertThat(server.port()).isPositive();
    var health = HealthGrpc.newBlockingStub(channel);
    assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus())
        .isEqualTo(ServingStatus.SERVING);
    assertThat(health.check(HealthCheckRequest.newBuilder()
        .setService(ScoringServiceGrpc.SERVICE_NAME).build()).getStatus())
        .isEqualTo(ServingStatus.SERVING);
  }

  @Test
  void unknownHealthServiceIsNotFound() {
    var health = HealthGrpc.newBlockingStub(channel);
    assertThatThrownBy(() -> health.check(HealthCheckRequest.newBuilder()
        .setService("vigil.v1.NoSuchService").build()))
        .isInstanceOf(StatusRuntimeException.class)
        .extracting(e -> ((StatusRuntimeException) e).getStatus().getCode())
        .isEqualTo(Status.Code.NOT_FOUND);
  }

  @Test
  void everyUnaryRpcIsReachable() {
    var scoring = ScoringServiceGrpc.newBlockingStub(channel);
    var admin = ModelAdminGrpc.newBlockingStub(channel);
    var profiles = ProfileServiceGrpc.newBlockingStub(channel);
    Event event = Event.newBuilder().setEventId("e-1").setAccountId("a-1").build();

    assertUnimplemented(() -> scoring.scoreTransaction(
        ScoreTransactionRequest.newBuilder().setEvent(event).build()));
    assertUnimplemented(() -> scoring.scoreCheckDeposit(
        ScoreCheckDepositRequest.newBuilder().setEvent(event).build()));
    assertUnimplemented(() -> scoring.scoreDelinquency(
        ScoreDelinquencyRequest.newBuilder().setAccountId("a-1").build()));
    assertUnimplemented(() -> admin.listModels(ListModelsRequest.getDefaultInstance()));
    assertUnimplemented(() -> admin.activateModel(ActivateModelRequest.getDefaultInstance()));
    assertUnimplemented(() -> admin.setChallenger(SetChallengerRequest.getDefaultInstance()));
    assertUnimplemented(() -> admin.setShadow(SetShadowRequest.getDefaultInstance()));
    assertUnimplemented(() -> admin.rollbackModel(RollbackModelRequest.getDefaultInstance()));
    assertUnimplemented(() -> profiles.getProfile(GetProfileRequest.getDefaultInstance()));
  }

  @Test
  void streamingRpcsAreReachable() throws Exception {
    var scoreStream = new CompletableFuture<Throwable>();
    var requests = ScoringServiceGrpc.newStub(channel).scoreStream(
        new FailureObserver<ScoreStreamResponse>(scoreStream));
    requests.onNext(ScoreStreamRequest.getDefaultInstance());
    assertThat(Status.fromThrowable(scoreStream.get(10, TimeUnit.SECONDS)).getCode())
        .isEqualTo(Status.Code.UNIMPLEMENTED);

    var publish = new CompletableFuture<Throwable>();
    var events = IngestServiceGrpc.newStub(channel).publish(
        new FailureObserver<PublishAck>(publish));
    events.onNext(PublishRequest.getDefaultInstance());
    assertThat(Status.fromThrowable(publish.get(10, TimeUnit.SECONDS)).getCode())
        .isEqualTo(Status.Code.UNIMPLEMENTED);
  }

  private static void assertUnimplemented(ThrowingCallable call) {
    assertThatThrownBy(call)
        .isInstanceOf(StatusRuntimeException.class)
        .extracting(e -> ((StatusRuntimeException) e).getStatus().getCode())
        .isEqualTo(Status.Code.UNIMPLEMENTED);
  }

  private record FailureObserver<T>(CompletableFuture<Throwable> failure)
      implements StreamObserver<T> {
    @Override
    public void onNext(T value) {
      failure.completeExceptionally(new AssertionError("unexpected response " + value));
    }

    @Override
    public void onError(Throwable t) {
      failure.complete(t);
    }

    @Override
    public void onCompleted() {
      failure.completeExceptionally(new AssertionError("completed without error"));
    }
  }
}
