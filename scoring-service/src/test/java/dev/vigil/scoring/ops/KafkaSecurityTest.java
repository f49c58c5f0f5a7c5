package dev.vigil.scoring.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.EventCodec;
import dev.vigil.features.profile.ProfileBook;
import dev.vigil.features.profile.ProfileSettings;
import dev.vigil.proto.v1.AckStatus;
import dev.vigil.proto.v1.AuditRecord;
import dev.vigil.proto.v1.IngestServiceGrpc;
import dev.vigil.proto.v1.PublishAck;
import dev.vigil.proto.v1.PublishRequest;
import dev.vigil.proto.v1.ScoreTransactionRequest;
import dev.vigil.proto.v1.ScoringServiceGrpc;
import dev.vigil.scoring.ScoringServer;
import dev.vigil.scoring.ServiceConfig;
import dev.vigil.scoring.TestService;
import dev.vigil.testkit.EmbeddedKafka;
import io.grpc.ManagedChannel;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka as banks run it: a broker that takes SASL connections only. Given the client properties
 * file, every Kafka client of the service authenticates: the store's materialiser (profiles
 * arrive), Publish's producer (events acknowledged), the audit spool's producer (the decision
 * reaches the decisions topic).
 */
class KafkaSecurityTest {
  @TempDir Path dir;

  @Test
  void everyKafkaClientOfTheServiceTakesTheClientPropertiesFile() throws Exception {
    try (var kafka = EmbeddedKafka.withSasl()) {
      kafka.createTopic("vigil.events", 1, false);
      kafka.createTopic("vigil.profiles", 1, true);
      kafka.createTopic("vigil.decisions", 1, false);
      Path properties = dir.resolve("kafka-client.properties");
      try (Writer w = Files.newBufferedWriter(properties)) {
        kafka.clientProperties().store(w, "the service's Kafka client settings");
      }
      var env = TestService.env(kafka, dir);
      env.put("VIGIL_KAFKA_CLIENT_PROPERTIES_FILE", properties.toString());
      env.put("VIGIL_INGEST_KAFKA_TIMEOUT_MS", "5000");
      var server = ScoringServer.start(ServiceConfig.load(null, env), TestService.CLOCK);
      ManagedChannel channel = TestService.channel(server.port(), "admin");
      try {
        long now = TestService.NOW.toEpochMilli();
        var book = new ProfileBook(ProfileSettings.DEFAULT);
        book.fold(purchase("sasl-h1", now - 86_400_000L, 2_000));
        TestService.publish(kafka, server, book); // waits until the materialiser stored them

        var acks = new TestService.Responses<PublishAck>();
        var stream = IngestServiceGrpc.newStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS)
            .publish(acks);
        stream.onNext(PublishRequest.newBuilder()
            .setEvent(EventCodec.toProto(purchase("sasl-e1", now - 60_000, 1_000))).build());
        stream.onCompleted();
        assertThat(acks.await(Duration.ofSeconds(60))).extracting(PublishAck::getStatus)
            .containsExactly(AckStatus.ACK_STATUS_ACCEPTED);

        var scored = ScoringServiceGrpc.newBlockingStub(channel)
            .withDeadlineAfter(30, TimeUnit.SECONDS).scoreTransaction(ScoreTransactionRequest
                .newBuilder().setEvent(EventCodec.toProto(purchase("sasl-s1", now - 1_000,
                    1_500))).build());
        AuditRecord audit = AuditRecord.parseFrom(kafka.awaitValue("vigil.decisions",
            scored.getScore().getAuditId(), Duration.ofSeconds(60)));
        assertThat(audit.getEventId()).isEqualTo("sasl-s1");
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.close();
      }
    }
  }

  private static Event purchase(String id, long at, long cents) {
    return new Event(id, at, "sasl-acct", "sasl-cust", new Event.Transaction(
        new Event.Money(cents, "USD"), Event.Direction.DEBIT, Event.Channel.CARD_PRESENT,
        "sasl-merchant", "5411", "US", "sasl-device", ""));
  }
}
