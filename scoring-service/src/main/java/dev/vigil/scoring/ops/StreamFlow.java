package dev.vigil.scoring.ops;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Flow control for a bidirectional stream: the server reads a client's requests only as fast as
 * the client reads the answers. At most {@code window} requests are taken ahead of the answers
 * written; while the transport says the client is not reading ({@code isReady()} false), no more
 * are taken, so a client that stops reading makes the server stop reading, never buffer without
 * bound. (What the client's HTTP/2 window takes, 1 MiB by default, is written before the
 * transport reports it not ready: the bound is that window plus {@code window} requests.)
 */
public final class StreamFlow {
  private final ServerCallStreamObserver<?> call;
  private final AtomicInteger owed = new AtomicInteger();

  private StreamFlow(ServerCallStreamObserver<?> call) {
    this.call = call;
  }

  /**
   * Puts {@code responses}' call under flow control; call it before the service method returns.
   *
   * @param window how many requests may be read ahead of the answers written
   */
  public static StreamFlow of(StreamObserver<?> responses, int window) {
    if (!(responses instanceof ServerCallStreamObserver<?> call)) {
      return new StreamFlow(null); // called directly, not through gRPC: nothing to control
    }
    call.disableAutoRequest();
    var flow = new StreamFlow(call);
    call.setOnReadyHandler(flow::onReady);
    call.request(window);
    return flow;
  }

  /** One answer was written: take one more request, or owe it until the client reads. */
  public void answered() {
    if (call == null) {
      return;
    }
    if (call.isReady()) {
      call.request(1);
    } else {
      owed.incrementAndGet();
      if (call.isReady()) { // became ready in between: the handler may have run already
        onReady();
      }
    }
  }

  private void onReady() {
    int n = owed.getAndSet(0);
    if (n > 0) {
      call.request(n);
    }
  }
}
