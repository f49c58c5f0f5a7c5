package dev.vigil.scoring.ingest;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.EventCodec;
import dev.vigil.features.event.InvalidEventException;
import dev.vigil.features.profile.ProfileSettings;
import dev.vigil.proto.v1.AckStatus;
import dev.vigil.proto.v1.IngestServiceGrpc;
import dev.vigil.proto.v1.PublishAck;
import dev.vigil.proto.v1.PublishRequest;
import dev.vigil.scoring.ops.StreamFlow;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * IngestService: validates each event (an event older than the profiles' horizon is refused: it
 * could change no feature), produces the valid ones to the events topic (idempotent
 * producer, acks=all, keyed by account) and acknowledges each only once Kafka has, in the order
 * the events were sent. A repeated event id is answered DUPLICATE; an invalid event REJECTED with
 * the field and the reason. The ledger that knows the repeats is this replica's own: an event
 * first stored through another replica (a client retrying against this one) is answered ACCEPTED
 * and stored again, on the same partition (keyed by account), and the job folds it once, counting
 * the second copy in {@code vigil_events_duplicate}. If the events topic does not acknowledge within the producer's
 * bounded time (a broker away), or the ledger cannot be read or written, the stream ends with
 * UNAVAILABLE: what was not acknowledged must be resent, and resending is safe.
 */
public final class Ingest extends IngestServiceGrpc.IngestServiceImplBase
    implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Ingest.class);

  /** Events older than this behind the clock can change no feature: refused. */
  /** Whose lateness rule Publish applies: the profiles' (the job's and training's too). */
  private static final ProfileSettings PROFILES =
      ProfileSettings.DEFAULT;
  private final Producer<byte[], byte[]> producer;
  private final String topic;
  private final IngestLedger ledger;
  private final Clock clock;
  /**
   * Events handed to the producer and not yet acknowledged or failed, by id: a resend of one of
   * them gets the original's outcome (DUPLICATE once stored; the stream's failure if the original
   * fails), never an early DUPLICATE for an event that may still be lost.
   */
  private final Map<String, CompletableFuture<PublishAck>> inFlight = new ConcurrentHashMap<>();
  /**
   * Hands events to the producer in the order they came, off the calls' threads; at most {@link
   * #QUEUED_SENDS} wait (a broker away): beyond that, the stream ends UNAVAILABLE.
   */
  private final ThreadPoolExecutor sends = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
      new ArrayBlockingQueue<>(QUEUED_SENDS), r -> {
        Thread t = new Thread(r, "ingest-send");
        t.setDaemon(true);
        return t;
      });
  static final int QUEUED_SENDS = 20_000;
  /** Events a Publish stream reads ahead of the acknowledgements its client has read. */
  static final int STREAM_WINDOW = 1_000;

  public Ingest(Producer<byte[], byte[]> producer, String topic, IngestLedger ledger, Clock clock) {
    this.producer = producer;
    this.topic = topic;
    this.ledger = ledger;
    this.clock = clock;
  }

  /**
   * Ingest's producer: loses nothing it acknowledged (acks=all, idempotent); acknowledgements wait
   * on it, so it lingers only 2 ms; a send the events topic has not acknowledged within {@code
   * timeout} (half of it waiting for the topic's metadata, half for the acknowledgement) fails, so
   * Publish answers UNAVAILABLE instead of waiting on a broker that is away.
   *
   * @param kafka the Kafka client settings (bootstrap servers, security)
   */
  public static KafkaProducer<byte[], byte[]> producer(Properties kafka, Duration timeout) {
    long half = Math.max(1, timeout.toMillis() / 2);
    var p = new Properties();
    p.putAll(kafka);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "vigil-ingest");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "2");
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(half));
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(half));
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(half + 2));
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  @Override
  public StreamObserver<PublishRequest> publish(StreamObserver<PublishAck> acks) {
    // events in flight per stream are bounded, and none are read while the client reads no acks
    var flow = StreamFlow.of(acks, STREAM_WINDOW);
    return new StreamObserver<>() {
      private CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
      private volatile boolean failed;

      @Override
      public void onNext(PublishRequest request) {
        CompletableFuture<PublishAck> ack = handle(request.getEvent());
        // acknowledgements leave in the order the events came, one at a time
        chain = chain.thenCompose(v -> ack).thenAccept(a -> {
          if (!failed) {
            acks.onNext(a);
            flow.answered();
          }
        }).exceptionally(t -> {
          fail(t);
          return null;
        });
      }

      private synchronized void fail(Throwable t) {
        if (failed) {
          return;
        }
        failed = true;
        Throwable cause = t instanceof CompletionException ? t.getCause() : t;
        boolean ledger = cause instanceof LedgerFailure;
        log.warn("{}; ending the publish stream: {}", ledger ? "ingest ledger failed"
            : "events topic unavailable", String.valueOf(cause.getCause() != null && ledger
            ? cause.getCause() : cause));
        acks.onError(Status.UNAVAILABLE
            .withDescription(ledger
                ? "the ingest ledger could not be read or written; resend what was not"
                    + " acknowledged"
                : "the events topic did not acknowledge in time; resend what was not"
                    + " acknowledged")
            .asRuntimeException());
      }

      @Override
      public void onError(Throwable t) {
        // the client went away; what it sent and we acknowledged is stored
      }

      @Override
      public void onCompleted() {
        chain = chain.thenRun(() -> {
          if (!failed) {
            acks.onCompleted();
          }
        });
      }
    };
  }

  private CompletableFuture<PublishAck> handle(dev.vigil.proto.v1.Event proto) {
    var ack = PublishAck.newBuilder().setEventId(proto.getEventId());
    Event event;
    try {
      event = EventCodec.fromProto(proto, clock.millis());
    } catch (InvalidEventException e) {
      return CompletableFuture.completedFuture(ack.setStatus(AckStatus.ACK_STATUS_REJECTED)
          .setField(e.field()).setReason(e.reason()).build());
    }
    if (PROFILES.beyondHorizon(event.timeMillis(), clock.millis())) {
      // accepted, it would be set aside by the job: refused here, where the sender hears of it
      return CompletableFuture.completedFuture(ack.setStatus(AckStatus.ACK_STATUS_REJECTED)
          .setField("event.event_time").setReason("is "
              + PROFILES.beyondHorizonReason("the service's clock")).build());
    }
    var stored = new CompletableFuture<PublishAck>();
    CompletableFuture<PublishAck> original = inFlight.putIfAbsent(event.eventId(), stored);
    if (original != null) {
      return original.thenApply(a -> ack.setStatus(AckStatus.ACK_STATUS_DUPLICATE).build());
    }
    stored.whenComplete((a, e) -> inFlight.remove(event.eventId(), stored));
    try {
      // asked once this event is in flight: an original is either still in flight (and waited
      // for above) or already in the ledger (it records before it leaves inFlight)
      if (ledger.contains(event.eventId())) {
        stored.complete(ack.setStatus(AckStatus.ACK_STATUS_DUPLICATE).build());
        return stored;
      }
    } catch (RuntimeException e) {
      stored.completeExceptionally(new LedgerFailure(e));
      return stored;
    }
    // the record's timestamp is when the event was accepted, not when it happened (that is in
    // the payload, which the job reads): the topic's time-based retention then counts from
    // arrival, so an event days or months old (a late one, a backfill) is not deleted by the
    // broker's next retention check before the job has read it
    var record = new ProducerRecord<>(topic, null, clock.millis(),
        event.accountId().getBytes(StandardCharsets.UTF_8), proto.toByteArray());
    try {
      // never on the call's thread: with the broker away, send blocks (for up to half the
      // configured timeout), and gRPC's few threads must go on answering scoring calls
      sends.execute(() -> send(record, event.eventId(), ack, stored));
    } catch (RejectedExecutionException e) {
      stored.completeExceptionally(e);
    }
    return stored;
  }

  private void send(ProducerRecord<byte[], byte[]> record, String eventId,
      PublishAck.Builder ack, CompletableFuture<PublishAck> stored) {
    try {
      producer.send(record, (metadata, error) -> {
        if (error != null) {
          stored.completeExceptionally(error);
          return;
        }
        try {
          ledger.record(eventId, clock.millis());
        } catch (RuntimeException e) {
          // stored, but a resend would not be known as a duplicate: not acknowledged
          stored.completeExceptionally(new LedgerFailure(e));
          return;
        }
        stored.complete(ack.setStatus(AckStatus.ACK_STATUS_ACCEPTED).build());
      });
    } catch (RuntimeException e) { // a producer closed or interrupted: not stored
      stored.completeExceptionally(e);
    }
  }

  /** Stops handing events to the producer (those queued are failed: not acknowledged). */
  @Override
  public void close() {
    sends.shutdownNow();
  }

  /** The ledger failed: the event cannot be acknowledged. */
  private static final class LedgerFailure extends RuntimeException {
    LedgerFailure(RuntimeException cause) {
      super(cause.getMessage(), cause);
    }
  }
}
