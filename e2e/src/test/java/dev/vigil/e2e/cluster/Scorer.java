package dev.vigil.e2e.cluster;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.EventCodec;
import dev.vigil.proto.v1.ScoreTransactionRequest;
import dev.vigil.proto.v1.ScoringServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A core system scoring card transactions through the balanced channel, one call after another
 * at about a fixed rate, on its own thread: which calls were answered (their audit ids) and which
 * failed after the retry policy, with when.
 *
 * @see BalancedChannel
 */
final class Scorer implements AutoCloseable {
  /** One call: when it ended (System.nanoTime), its audit id, or the status it failed with. */
  record Call(long endedNanos, String auditId, String failure) {}

  private final ManagedChannel channel;
  private final List<Event> transactions;
  private final int perSecond;
  private final ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicLong sequence = new AtomicLong();
  private final Thread thread;

  Scorer(ManagedChannel channel, List<Event> transactions, int perSecond) {
    if (transactions.isEmpty()) {
      throw new IllegalArgumentException("no transactions to score");
    }
    this.channel = channel;
    this.transactions = transactions;
    this.perSecond = perSecond;
    this.thread = new Thread(this::run, "scorer");
    thread.setDaemon(true);
  }

  Scorer start() {
    thread.start();
    return this;
  }

  private void run() {
    long start = System.nanoTime();
    while (running.get()) {
      long n = sequence.getAndIncrement();
      Event e = transactions.get((int) (n % transactions.size()));
      Event scored = new Event("score-" + n, e.timeMillis(), e.accountId(), e.customerId(),
          e.kind());
      try {
        var reply = ScoringServiceGrpc.newBlockingStub(channel)
            .withDeadlineAfter(15, TimeUnit.SECONDS)
            .scoreTransaction(ScoreTransactionRequest.newBuilder().setRequestId("cluster-" + n)
                .setEvent(EventCodec.toProto(scored)).build());
        calls.add(new Call(System.nanoTime(), reply.getScore().getAuditId(), null));
      } catch (StatusRuntimeException ex) {
        calls.add(new Call(System.nanoTime(), null, ex.getStatus().getCode() + ": "
            + ex.getStatus().getDescription()));
      }
      long due = start + TimeUnit.SECONDS.toNanos(n + 1) / perSecond;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        try {
          TimeUnit.NANOSECONDS.sleep(wait);
        } catch (InterruptedException ie) {
          return;
        }
      }
    }
  }

  /** Calls that ended after {@code fromNanos}. */
  List<Call> since(long fromNanos) {
    var list = new ArrayList<Call>();
    for (Call c : calls) {
      if (c.endedNanos() > fromNanos) {
        list.add(c);
      }
    }
    return list;
  }

  /** Every answered call's audit id so far. */
  List<String> auditIds() {
    return since(Long.MIN_VALUE).stream().filter(c -> c.auditId() != null).map(Call::auditId)
        .toList();
  }

  /** Failures by status, of the calls in {@code calls}. */
  static Map<String, Integer> failures(List<Call> calls) {
    var failures = new TreeMap<String, Integer>();
    calls.stream().filter(c -> c.failure() != null)
        .forEach(c -> failures.merge(c.failure(), 1, Integer::sum));
    return failures;
  }

  @Override
  public void close() throws InterruptedException {
    running.set(false);
    thread.join(TimeUnit.SECONDS.toMillis(30));
  }
}
