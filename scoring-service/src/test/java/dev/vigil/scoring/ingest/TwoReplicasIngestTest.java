package dev.vigil.scoring.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.EventCodec;
import dev.vigil.proto.v1.AckStatus;
import dev.vigil.proto.v1.IngestServiceGrpc;
import dev.vigil.proto.v1.PublishAck;
import dev.vigil.proto.v1.PublishRequest;
import dev.vigil.scoring.TestService;
import dev.vigil.testkit.EmbeddedKafka;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One event published to both of two replicas, each with its own ledger and producer, over one
 * events topic (a client retrying against the other replica): the second replica cannot know the
 * first took it and answers ACCEPTED, and the topic holds it twice, on one partition (both are
 * keyed by account), for the job to fold once (ReplicaDuplicatesTest in streaming-job). A resend
 * to the replica that took it is answered DUPLICATE.
 */
class TwoReplicasIngestTest {

  /** One replica's IngestService on a port of its own, with its own ledger and producer. */
  private record Replica(Server server, ManagedChannel channel, Ingest ingest,
      KafkaProducer<byte[], byte[]> producer, IngestLedger ledger) implements AutoCloseable {
    static Replica start(EmbeddedKafka kafka, Path ledgerDir) throws Exception {
      var client = new Properties();
      client.put("bootstrap.servers", kafka.bootstrapServers());
      var producer = Ingest.producer(client, Duration.ofSeconds(30));
      var ledger = IngestLedger.open(ledgerDir, Duration.ofDays(7));
      var ingest = new Ingest(producer, "vigil.events", ledger, TestService.CLOCK);
      Server server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
          .addService(ingest).build().start();
      return new Replica(server, Grpc.newChannelBuilderForAddress("127.0.0.1", server.getPort(),
          InsecureChannelCredentials.create()).build(), ingest, producer, ledger);
    }

    AckStatus publish(dev.vigil.proto.v1.Event event) throws Exception {
      var acks = new TestService.Responses<PublishAck>();
      var events = IngestServiceGrpc.newStub(channel).publish(acks);
      events.onNext(PublishRequest.newBuilder().setEvent(event).build());
      events.onCompleted();
      List<PublishAck> answered = acks.await(Duration.ofSeconds(60));
      assertThat(answered).hasSize(1);
      return answered.get(0).getStatus();
    }

    @Override
    public void close() {
      channel.shutdownNow();
      server.shutdownNow();
      ingest.close();
      producer.close();
      ledger.close();
    }
  }

  @Test
  void theSecondReplicaAnswersAcceptedAndTheTopicHoldsTheEventTwiceOnOnePartition(
      @TempDir Path dir) throws Exception {
    var event = EventCodec.toProto(new Event("retried-1", TestService.NOW.toEpochMilli() - 5_000,
        "a-42", "c-42", new Event.Transaction(new Event.Money(9_900, "EUR"),
            Event.Direction.DEBIT, Event.Channel.ECOMMERCE, "m-1", "5411", "FR", "d-1", "")));
    try (var kafka = new EmbeddedKafka()) {
      kafka.createTopic("vigil.events", 4, false);
      try (var a = Replica.start(kafka, dir.resolve("a/ingested"));
          var b = Replica.start(kafka, dir.resolve("b/ingested"))) {
        assertThat(a.publish(event)).isEqualTo(AckStatus.ACK_STATUS_ACCEPTED);
        // the client did not hear A and retries against B, whose ledger never saw the event
        assertThat(b.publish(event)).as("the other replica cannot know")
            .isEqualTo(AckStatus.ACK_STATUS_ACCEPTED);
        // a replica that took it knows it
        assertThat(a.publish(event)).isEqualTo(AckStatus.ACK_STATUS_DUPLICATE);
        assertThat(b.publish(event)).isEqualTo(AckStatus.ACK_STATUS_DUPLICATE);
      }
      var copies = kafka.readAll("vigil.events");
      assertThat(copies).hasSize(2);
      assertThat(copies).extracting(r -> r.partition()).as("one partition, one Dedupe key")
          .containsOnly(copies.get(0).partition());
      for (var r : copies) {
        assertThat(dev.vigil.proto.v1.Event.parseFrom(r.value()).getEventId())
            .isEqualTo("retried-1");
      }
    }
  }
}
