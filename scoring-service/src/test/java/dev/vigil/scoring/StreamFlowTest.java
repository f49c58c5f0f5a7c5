package dev.vigil.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.EventCodec;
import dev.vigil.proto.v1.ScoreStreamRequest;
import dev.vigil.proto.v1.ScoreStreamResponse;
import dev.vigil.proto.v1.ScoreTransactionRequest;
import dev.vigil.proto.v1.ScoringServiceGrpc;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A ScoreStream client that sends and does not read: the server stops reading its requests once
 * the answers it could not deliver fill the window, instead of scoring them all and buffering the
 * answers; once the client reads, every answer comes.
 */
class StreamFlowTest {
  private static final int REQUESTS = 10_000;
  private static TestService.Stack stack;
  @TempDir static Path dir;

  @BeforeAll
  static void start() throws Exception {
    stack = TestService.Stack.start(dir, 1);
  }

  @AfterAll
  static void stop() throws Exception {
    stack.close();
  }

  /** Fraud decisions the service has made (from /metrics). */
  private static long decided() throws Exception {
    String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
        "http://127.0.0.1:" + stack.server.metricsPort() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    long n = 0;
    for (String line : body.split("\n")) {
      if (line.startsWith("vigil_decisions_total{") && line.contains("task=\"fraud\"")) {
        n += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return n;
  }

  @Test
  void aClientThatDoesNotReadStopsTheServerReadingAndLosesNothing() throws Exception {
    var call = new AtomicReference<ClientCallStreamObserver<ScoreStreamRequest>>();
    var received = new AtomicInteger();
    var done = new CountDownLatch(1);
    var requests = ScoringServiceGrpc.newStub(stack.channel).scoreStream(
        new ClientResponseObserver<ScoreStreamRequest, ScoreStreamResponse>() {
          @Override
          public void beforeStart(ClientCallStreamObserver<ScoreStreamRequest> requestStream) {
            requestStream.disableAutoRequestWithInitial(0); // reads nothing for now
            call.set(requestStream);
          }

          @Override
          public void onNext(ScoreStreamResponse value) {
            received.incrementAndGet();
          }

          @Override
          public void onError(Throwable t) {
            done.countDown();
          }

          @Override
          public void onCompleted() {
            done.countDown();
          }
        });
    for (int i = 0; i < REQUESTS; i++) {
      requests.onNext(ScoreStreamRequest.newBuilder().setTransaction(ScoreTransactionRequest
          .newBuilder().setRequestId("flow-" + i).setEvent(EventCodec.toProto(new Event(
              "flow-" + i, TestService.NOW.toEpochMilli() - 1000, "a-flow" + (i % 50), "c-flow",
              new Event.Transaction(new Event.Money(1_000, "USD"), Event.Direction.DEBIT,
                  Event.Channel.CARD_PRESENT, "m-1", "5411", "US", "d-1", ""))))).build());
    }
    requests.onCompleted();

    // wait until the server has scored everything (no flow control) or has stopped for 2 s
    long last = -1;
    long stableSince = System.nanoTime();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      long now = decided();
      if (now >= REQUESTS) {
        break;
      }
      if (now != last) {
        last = now;
        stableSince = System.nanoTime();
      } else if (System.nanoTime() - stableSince > TimeUnit.SECONDS.toNanos(2)) {
        break;
      }
      Thread.sleep(50);
    }
    long scoredUnread = decided();
    // what the client's HTTP/2 window (1 MiB) takes of answers, about 2,000, is written before
    // the transport reports the client not reading; without flow control all 10,000 are scored
    assertThat(scoredUnread).as("requests scored while the client read nothing")
        .isLessThan(REQUESTS / 2);

    call.get().request(Integer.MAX_VALUE); // the client reads now
    assertThat(done.await(60, TimeUnit.SECONDS)).isTrue();
    assertThat(received.get()).isEqualTo(REQUESTS);
    System.out.println("scored while the client read nothing: " + scoredUnread + " of "
        + REQUESTS);
  }
}
