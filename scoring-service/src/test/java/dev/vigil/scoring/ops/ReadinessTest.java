package dev.vigil.scoring.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.proto.v1.GetProfileRequest;
import dev.vigil.proto.v1.ListModelsRequest;
import dev.vigil.proto.v1.ModelAdminGrpc;
import dev.vigil.proto.v1.ProfileServiceGrpc;
import dev.vigil.proto.v1.ScoreTransactionRequest;
import dev.vigil.proto.v1.ScoringServiceGrpc;
import dev.vigil.scoring.store.StoreProgress;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.protobuf.services.HealthStatusManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Readiness over a real port: the health statuses and the store gate follow the store's progress
 * (given here, so that each state is chosen, not raced for).
 */
class ReadinessTest {
  /** The store's progress, as each test sets it. */
  static final class Progress implements StoreProgress {
    volatile boolean caughtUp;
    volatile boolean healthy = true;
    volatile long lag = -1;

    @Override
    public boolean caughtUp() {
      return caughtUp;
    }

    @Override
    public boolean healthy() {
      return healthy;
    }

    @Override
    public long lag() {
      return lag;
    }
  }

  private final Progress progress = new Progress();
  private Readiness readiness;
  private Server server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    var health = new HealthStatusManager();
    readiness = new Readiness(health, progress, 10);
    // the services themselves are the unimplemented defaults: a call the gate lets through is
    // answered UNIMPLEMENTED, one it stops UNAVAILABLE
    server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
        .addService(health.getHealthService())
        .addService(new ScoringServiceGrpc.ScoringServiceImplBase() { })
        .addService(new ProfileServiceGrpc.ProfileServiceImplBase() { })
        .addService(new ModelAdminGrpc.ModelAdminImplBase() { })
        .intercept(readiness.storeGate()).build().start();
    channel = Grpc.newChannelBuilderForAddress("127.0.0.1", server.getPort(),
        InsecureChannelCredentials.create()).build();
  }

  @AfterEach
  void stop() {
    channel.shutdownNow();
    server.shutdownNow();
  }

  private ServingStatus status(String service) {
    return HealthGrpc.newBlockingStub(channel)
        .check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus();
  }

  private Status.Code scoreCall() {
    try {
      ScoringServiceGrpc.newBlockingStub(channel)
          .scoreTransaction(ScoreTransactionRequest.getDefaultInstance());
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
  }

  @Test
  void beforeTheStoreCatchesUpItIsLiveButNotReadyAndRefusesScoringAndProfiles() {
    assertThat(status(Readiness.LIVENESS)).isEqualTo(ServingStatus.SERVING);
    assertThat(status(Readiness.READINESS)).isEqualTo(ServingStatus.NOT_SERVING);
    assertThat(status("")).isEqualTo(ServingStatus.NOT_SERVING);
    assertThat(status(ScoringServiceGrpc.SERVICE_NAME)).isEqualTo(ServingStatus.NOT_SERVING);
    assertThat(scoreCall()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThatThrownBy(() -> ProfileServiceGrpc.newBlockingStub(channel)
        .getProfile(GetProfileRequest.getDefaultInstance()))
        .satisfies(e -> assertThat(((StatusRuntimeException) e).getStatus().getCode())
            .isEqualTo(Status.Code.UNAVAILABLE));
    // model administration does not need the store
    assertThatThrownBy(() -> ModelAdminGrpc.newBlockingStub(channel)
        .listModels(ListModelsRequest.getDefaultInstance()))
        .satisfies(e -> assertThat(((StatusRuntimeException) e).getStatus().getCode())
            .isEqualTo(Status.Code.UNIMPLEMENTED));
  }

  @Test
  void readyOnlyWhileCaughtUpHealthyAndWithinTheLagBound() {
    progress.caughtUp = true;
    progress.lag = 10;
    readiness.update();
    assertThat(status(Readiness.READINESS)).isEqualTo(ServingStatus.SERVING);
    assertThat(status("")).isEqualTo(ServingStatus.SERVING);
    assertThat(scoreCall()).isEqualTo(Status.Code.UNIMPLEMENTED); // through the gate

    progress.lag = 11;
    readiness.update();
    assertThat(status(Readiness.READINESS)).isEqualTo(ServingStatus.NOT_SERVING);
    assertThat(status(ScoringServiceGrpc.SERVICE_NAME)).isEqualTo(ServingStatus.NOT_SERVING);
    assertThat(status(Readiness.LIVENESS)).isEqualTo(ServingStatus.SERVING);
    // once caught up, a lagging replica still answers: the probe steers traffic away
    assertThat(scoreCall()).isEqualTo(Status.Code.UNIMPLEMENTED);

    progress.lag = 0;
    progress.healthy = false;
    readiness.update();
    assertThat(status(Readiness.READINESS)).isEqualTo(ServingStatus.NOT_SERVING);

    progress.healthy = true;
    readiness.update();
    assertThat(status(Readiness.READINESS)).isEqualTo(ServingStatus.SERVING);
  }
}
