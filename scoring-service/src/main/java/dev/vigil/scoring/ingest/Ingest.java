package dev.vigil.scoring.ingest;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.EventCodec;
import dev.vigil.features.event.InvalidEventException;
import dev.vigil.proto.v1.AckStatus;
import dev.vigil.proto.v1.IngestServiceGrpc;
import dev.vigil.proto.v1.PublishAck;
import dev.vigil.proto.v1.PublishRequest;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * IngestService: validates each event (an event older than the profiles' horizon is refused: it
 * could change no feature), produces the valid ones to the events topic (idempotent
 * producer, acks=all, keyed by account) and acknowledges each only once Kafka has, in the order
 * the events were sent. A repeated event id is answered DUPLICATE; an invalid event REJECTED with
 * the field and the reason. If the events topic does not acknowledge within the producer's
 * bounded time (a broker away), or the ledger cannot be read or written, the stream ends with
 * UNAVAILABLE: what was not acknowledged must be resent, and resending is safe.
 */
public final class Ingest extends IngestServiceGrpc.IngestServiceImplBase {
  private static final Logger log = LoggerFactory.getLogger(Ingest.class);

  /** Events older than this behind the clock can change no feature: refused. */
  private static final long HORIZON_MILLIS =
      dev.vigil.features.profile.ProfileSettings.HORIZON.toMillis();
  private final Producer<byte[], byte[]> producer;
  private final String topic;
  private final IngestLedger ledger;
  private final Clock clock;
  private final Set<String> inFlight = ConcurrentHashMap.newKeySet();

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
        Throwable cause = t instanceof java.util.concurrent.CompletionException ? t.getCause() : t;
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
    if (event.timeMillis() < clock.millis() - HORIZON_MILLIS) {
      // accepted, it would be set aside by the job: refused here, where the sender hears of it
      return CompletableFuture.completedFuture(ack.setStatus(AckStatus.ACK_STATUS_REJECTED)
          .setField("event.event_time").setReason("is older than the horizon ("
              + HORIZON_MILLIS / 86_400_000L + " days): no feature window reaches it; backfill"
              + " older history through the streaming job's file source (--events-file)")
          .build());
    }
    boolean seen;
    try {
      seen = ledger.contains(event.eventId());
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(new LedgerFailure(e));
    }
    if (seen || !inFlight.add(event.eventId())) {
      return CompletableFuture.completedFuture(
          ack.setStatus(AckStatus.ACK_STATUS_DUPLICATE).build());
    }
    var stored = new CompletableFuture<PublishAck>();
    try {
      producer.send(new ProducerRecord<>(topic, null, event.timeMillis(),
          event.accountId().getBytes(StandardCharsets.UTF_8), proto.toByteArray()),
          (metadata, error) -> {
            try {
              if (error != null) {
                stored.completeExceptionally(error);
                return;
              }
              try {
                ledger.record(event.eventId(), clock.millis());
              } catch (RuntimeException e) {
                // stored, but a resend would not be known as a duplicate: not acknowledged
                stored.completeExceptionally(new LedgerFailure(e));
                return;
              }
              stored.complete(ack.setStatus(AckStatus.ACK_STATUS_ACCEPTED).build());
            } finally {
              inFlight.remove(event.eventId());
            }
          });
    } catch (RuntimeException e) { // a producer closed or interrupted: not stored
      inFlight.remove(event.eventId());
      stored.completeExceptionally(e);
    }
    return stored;
  }

  /** The ledger failed: the event cannot be acknowledged. */
  private static final class LedgerFailure extends RuntimeException {
    LedgerFailure(RuntimeException cause) {
      super(cause.getMessage(), cause);
    }
  }
}
