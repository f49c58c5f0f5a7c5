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
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * IngestService: validates each event, produces the valid ones to the events topic (idempotent
 * producer, acks=all, keyed by account) and acknowledges each only once Kafka has, in the order
 * the events were sent. A repeated event id is answered DUPLICATE; an invalid event REJECTED with
 * the field and the reason. If Kafka fails, the stream ends with UNAVAILABLE: what was not
 * acknowledged must be resent, and resending is safe.
 */
public final class Ingest extends IngestServiceGrpc.IngestServiceImplBase {
  private static final Logger log = LoggerFactory.getLogger(Ingest.class);

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
          if (!failed) {
            failed = true;
            log.warn("events topic unavailable; ending the publish stream: {}", t.toString());
            acks.onError(Status.UNAVAILABLE
                .withDescription("the events topic did not acknowledge; resend what was not"
                    + " acknowledged")
                .asRuntimeException());
          }
          return null;
        });
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
    if (ledger.contains(event.eventId()) || !inFlight.add(event.eventId())) {
      return CompletableFuture.completedFuture(
          ack.setStatus(AckStatus.ACK_STATUS_DUPLICATE).build());
    }
    var stored = new CompletableFuture<PublishAck>();
    producer.send(new ProducerRecord<>(topic, null, event.timeMillis(),
        event.accountId().getBytes(StandardCharsets.UTF_8), proto.toByteArray()),
        (metadata, error) -> {
          try {
            if (error != null) {
              stored.completeExceptionally(error);
              return;
            }
            ledger.record(event.eventId(), clock.millis());
            stored.complete(ack.setStatus(AckStatus.ACK_STATUS_ACCEPTED).build());
          } finally {
            inFlight.remove(event.eventId());
          }
        });
    return stored;
  }
}
