package dev.vigil.e2e.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.proto.v1.ScoreTransactionRequest;
import dev.vigil.proto.v1.ScoreTransactionResponse;
import dev.vigil.proto.v1.ScoringServiceGrpc;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The cluster check's client, against two real gRPC servers on loopback: calls go round robin
 * to both, and a call one of them answers UNAVAILABLE (a replica going away) is retried on the
 * other, so the caller never sees it.
 */
class BalancedChannelTest {
  private final List<Server> servers = new ArrayList<>();
  private ManagedChannel channel;

  /** A scoring server that counts its calls and answers UNAVAILABLE while told to. */
  private static final class Replica extends ScoringServiceGrpc.ScoringServiceImplBase {
    final AtomicInteger calls = new AtomicInteger();
    final AtomicBoolean unavailable = new AtomicBoolean();

    @Override
    public void scoreTransaction(ScoreTransactionRequest request,
        StreamObserver<ScoreTransactionResponse> reply) {
      calls.incrementAndGet();
      if (unavailable.get()) {
        reply.onError(Status.UNAVAILABLE.withDescription("going away").asRuntimeException());
        return;
      }
      reply.onNext(ScoreTransactionResponse.getDefaultInstance());
      reply.onCompleted();
    }
  }

  private InetSocketAddress serve(Replica replica) throws Exception {
    Server server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
        .addService(replica).build().start();
    servers.add(server);
    return new InetSocketAddress("127.0.0.1", server.getPort());
  }

  @AfterEach
  void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    for (Server s : servers) {
      s.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void callsGoToBothReplicasAndAnUnavailableOneIsRetriedOnTheOther() throws Exception {
    var a = new Replica();
    var b = new Replica();
    channel = BalancedChannel.of("balanced-test", List.of(serve(a), serve(b)),
        InsecureChannelCredentials.create());
    var stub = ScoringServiceGrpc.newBlockingStub(channel);
    // both subchannels ready, then round robin alternates
    Deadline.await("calls reach both replicas", Duration.ofSeconds(30), 10, () -> {
      stub.withDeadlineAfter(5, TimeUnit.SECONDS)
          .scoreTransaction(ScoreTransactionRequest.getDefaultInstance());
      return a.calls.get() > 0 && b.calls.get() > 0;
    });
    a.calls.set(0);
    b.calls.set(0);
    for (int i = 0; i < 20; i++) {
      stub.scoreTransaction(ScoreTransactionRequest.getDefaultInstance());
    }
    assertThat(a.calls.get()).isEqualTo(10);
    assertThat(b.calls.get()).isEqualTo(10);

    a.unavailable.set(true);
    a.calls.set(0);
    b.calls.set(0);
    for (int i = 0; i < 20; i++) {
      // never fails: the policy retries UNAVAILABLE, round robin picks the other replica
      stub.withDeadlineAfter(10, TimeUnit.SECONDS)
          .scoreTransaction(ScoreTransactionRequest.getDefaultInstance());
    }
    assertThat(a.calls.get()).as("calls the failing replica refused").isGreaterThan(0);
    assertThat(b.calls.get()).isEqualTo(20);
  }
}
