package dev.vigil.scoring.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.EventCodec;
import dev.vigil.proto.v1.AckStatus;
import dev.vigil.proto.v1.IngestServiceGrpc;
import dev.vigil.proto.v1.PublishAck;
import dev.vigil.proto.v1.PublishRequest;
import dev.vigil.scoring.TestService;
import dev.vigil.testkit.EmbeddedKafka;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Publish over a real port when the events topic or the ledger fails: the stream ends with
 * UNAVAILABLE, it never waits forever.
 */
class IngestTest {

  private static dev.vigil.proto.v1.Event event(int i) {
    return EventCodec.toProto(new Event("ingest-" + i, TestService.NOW.toEpochMilli(), "a-1",
        "c-1", new Event.Transaction(new Event.Money(1250, "EUR"), Event.Direction.DEBIT,
            Event.Channel.ECOMMERCE, "m-1", "5411", "FR", "d-1", "")));
  }

  /** Publishes {@code n} events through an in-process server and waits for the stream's end. */
  private static List<PublishAck> publish(Ingest ingest, int n) throws Exception {
    Server server = serve(ingest);
    ManagedChannel channel = channelTo(server);
    try {
      var acks = new TestService.Responses<PublishAck>();
      var events = IngestServiceGrpc.newStub(channel).publish(acks);
      for (int i = 0; i < n; i++) {
        events.onNext(PublishRequest.newBuilder().setEvent(event(i)).build());
      }
      events.onCompleted();
      // generous: the failure here is waiting forever, not a slow answer
      return acks.await(Duration.ofSeconds(60));
    } finally {
      channel.shutdownNow();
      server.shutdownNow();
    }
  }

  private static Server serve(Ingest ingest) throws java.io.IOException {
    return Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create()).addService(ingest)
        .build().start();
  }

  private static ManagedChannel channelTo(Server server) {
    return Grpc.newChannelBuilderForAddress("127.0.0.1", server.getPort(),
        InsecureChannelCredentials.create()).build();
  }

  private static Status statusOf(Throwable t) {
    Throwable cause = t instanceof ExecutionException ? t.getCause() : t;
    return ((StatusRuntimeException) cause).getStatus();
  }

  @Test
  void aBrokerAwayEndsTheStreamWithUnavailableWithinTheConfiguredTime(@TempDir Path dir)
      throws Exception {
    var kafka = new Properties();
    kafka.put("bootstrap.servers", "127.0.0.1:1");
    try (var producer = Ingest.producer(kafka, Duration.ofSeconds(2));
        var ledger = IngestLedger.open(dir, Duration.ofDays(1))) {
      var ingest = new Ingest(producer, "vigil.events", ledger, TestService.CLOCK);
      long start = System.nanoTime();
      assertThatThrownBy(() -> publish(ingest, 3))
          .satisfies(t -> {
            assertThat(statusOf(t).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(statusOf(t).getDescription()).contains("did not acknowledge in time");
          });
      // the producer's default would have blocked the first send for 60 s
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
      assertThat(ledger.contains("ingest-0")).isFalse();
    }
  }

  @Test
  void aResendOfAnEventStillInFlightIsNotAcknowledgedUntilTheOriginalIs(@TempDir Path dir)
      throws Exception {
    var kafka = new Properties();
    kafka.put("bootstrap.servers", "127.0.0.1:1"); // the original will fail
    try (var producer = Ingest.producer(kafka, Duration.ofSeconds(2));
        var ledger = IngestLedger.open(dir, Duration.ofDays(1));
        var ingest = new Ingest(producer, "vigil.events", ledger, TestService.CLOCK)) {
      // two streams, called directly: the first's event is in flight when the second resends it
      var first = new TestService.Responses<PublishAck>();
      var second = new TestService.Responses<PublishAck>();
      var a = ingest.publish(first);
      a.onNext(PublishRequest.newBuilder().setEvent(event(0)).build());
      var b = ingest.publish(second);
      b.onNext(PublishRequest.newBuilder().setEvent(event(0)).build());
      a.onCompleted();
      b.onCompleted();
      for (var stream : List.of(first, second)) {
        assertThatThrownBy(() -> stream.await(Duration.ofSeconds(60))).satisfies(t ->
            assertThat(statusOf(t).getCode()).isEqualTo(Status.Code.UNAVAILABLE));
        // an early DUPLICATE here would tell the sender an event that was lost is stored
        assertThat(stream.received()).isEmpty();
      }
      assertThat(ledger.contains("ingest-0")).isFalse();
    }
  }

  @Test
  void anEventOlderThanTheHorizonIsRefusedNamingTheBackfillRoute(@TempDir Path dir)
      throws Exception {
    var kafka = new Properties();
    kafka.put("bootstrap.servers", "127.0.0.1:1"); // never reached: refused before
    try (var producer = Ingest.producer(kafka, Duration.ofSeconds(2));
        var ledger = IngestLedger.open(dir, Duration.ofDays(1))) {
      var ingest = new Ingest(producer, "vigil.events", ledger, TestService.CLOCK);
      var old = event(0).toBuilder().setEventTime(com.google.protobuf.Timestamp.newBuilder()
          .setSeconds(TestService.NOW.minus(Duration.ofDays(381)).getEpochSecond())).build();
      Server server = serve(ingest);
      ManagedChannel channel = channelTo(server);
      try {
        var acks = new TestService.Responses<PublishAck>();
        var events = IngestServiceGrpc.newStub(channel).publish(acks);
        events.onNext(PublishRequest.newBuilder().setEvent(old).build());
        events.onCompleted();
        assertThat(acks.await(Duration.ofSeconds(60))).singleElement().satisfies(ack -> {
          assertThat(ack.getStatus()).isEqualTo(AckStatus.ACK_STATUS_REJECTED);
          assertThat(ack.getField()).isEqualTo("event.event_time");
          assertThat(ack.getReason()).contains("horizon").contains("--events-file");
        });
      } finally {
        channel.shutdownNow();
        server.shutdownNow();
      }
    }
  }

  @Test
  void aStoredEventIsStampedWithItsAcceptanceSoThatRetentionCountsFromArrival(@TempDir Path dir)
      throws Exception {
    // an event 100 days old, as a backfill or a replayed history sends: stamped with its own
    // time, a topic keeping 7 days would delete it at the broker's next retention check, before
    // the job had read it (an end-to-end test once lost a whole history that way)
    long old = TestService.NOW.minus(Duration.ofDays(100)).toEpochMilli();
    var proto = EventCodec.toProto(new Event("ingest-old", old, "a-1", "c-1",
        new Event.Transaction(new Event.Money(1250, "EUR"), Event.Direction.DEBIT,
            Event.Channel.ECOMMERCE, "m-1", "5411", "FR", "d-1", "")));
    try (var broker = new EmbeddedKafka()) {
      broker.createTopic("vigil.events", 1, false);
      var kafka = new Properties();
      kafka.put("bootstrap.servers", broker.bootstrapServers());
      try (var producer = Ingest.producer(kafka, Duration.ofSeconds(10));
          var ledger = IngestLedger.open(dir, Duration.ofDays(1));
          var ingest = new Ingest(producer, "vigil.events", ledger, TestService.CLOCK)) {
        var acks = new TestService.Responses<PublishAck>();
        var events = ingest.publish(acks);
        events.onNext(PublishRequest.newBuilder().setEvent(proto).build());
        events.onCompleted();
        assertThat(acks.await(Duration.ofSeconds(60))).extracting(PublishAck::getStatus)
            .containsExactly(AckStatus.ACK_STATUS_ACCEPTED);
      }
      var stored = broker.readAll("vigil.events");
      assertThat(stored).hasSize(1);
      assertThat(stored.get(0).timestamp()).as("the record's timestamp")
          .isEqualTo(TestService.NOW.toEpochMilli());
      assertThat(dev.vigil.proto.v1.Event.parseFrom(stored.get(0).value()).getEventTime())
          .as("the event's own time, in the payload").isEqualTo(proto.getEventTime());
    }
  }

  @Test
  void aLedgerThatFailsEndsTheStreamWithUnavailableAfterTheEventsItAcknowledged(
      @TempDir Path dir) throws Exception {
    try (var broker = new EmbeddedKafka()) {
      broker.createTopic("vigil.events", 1, false);
      var kafka = new Properties();
      kafka.put("bootstrap.servers", broker.bootstrapServers());
      try (var producer = Ingest.producer(kafka, Duration.ofSeconds(10));
          var real = IngestLedger.open(dir, Duration.ofDays(1))) {
        var writes = new AtomicInteger();
        IngestLedger failsAfterThree = new IngestLedger() {
          @Override
          public boolean contains(String eventId) {
            return real.contains(eventId);
          }

          @Override
          public void record(String eventId, long ackedAtMillis) {
            if (writes.incrementAndGet() > 3) {
              throw new IllegalStateException("cannot write the ingest ledger (disk full)");
            }
            real.record(eventId, ackedAtMillis);
          }

          @Override
          public void close() {}
        };
        var ingest = new Ingest(producer, "vigil.events", failsAfterThree, TestService.CLOCK);
        var acks = new TestService.Responses<PublishAck>();
        Server server = serve(ingest);
        ManagedChannel channel = channelTo(server);
        try {
          var events = IngestServiceGrpc.newStub(channel).publish(acks);
          for (int i = 0; i < 6; i++) {
            events.onNext(PublishRequest.newBuilder().setEvent(event(i)).build());
          }
          events.onCompleted();
          assertThatThrownBy(() -> acks.await(Duration.ofSeconds(60))).satisfies(t -> {
            assertThat(statusOf(t).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(statusOf(t).getDescription()).contains("ingest ledger");
          });
        } finally {
          channel.shutdownNow();
          server.shutdownNow();
        }
        // the three the ledger noted were acknowledged, in order; nothing after them
        assertThat(acks.received()).extracting(PublishAck::getEventId, PublishAck::getStatus)
            .containsExactly(
                org.assertj.core.groups.Tuple.tuple("ingest-0", AckStatus.ACK_STATUS_ACCEPTED),
                org.assertj.core.groups.Tuple.tuple("ingest-1", AckStatus.ACK_STATUS_ACCEPTED),
                org.assertj.core.groups.Tuple.tuple("ingest-2", AckStatus.ACK_STATUS_ACCEPTED));
        assertThat(real.contains("ingest-2")).isTrue();
        assertThat(real.contains("ingest-3")).isFalse();
      }
    }
  }
}
