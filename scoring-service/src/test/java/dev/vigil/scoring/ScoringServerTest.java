package dev.vigil.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.proto.v1.Event;
import dev.vigil.proto.v1.GetProfileRequest;
import dev.vigil.proto.v1.IngestServiceGrpc;
import dev.vigil.proto.v1.ProfileServiceGrpc;
import dev.vigil.proto.v1.PublishAck;
import dev.vigil.proto.v1.PublishRequest;
import dev.vigil.proto.v1.ScoringServiceGrpc;
import dev.vigil.features.event.EventCodec;
import dev.vigil.proto.v1.AckStatus;
import dev.vigil.proto.v1.EntityType;
import dev.vigil.proto.v1.GetProfileResponse;
import dev.vigil.proto.v1.ProfileRecord;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.io.TempDir;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Starts the real server (real Kafka, real RocksDB) on a free port and calls every RPC over TCP. */
class ScoringServerTest {
  private static TestService.Stack stack;
  @TempDir static Path stateDir;

  @BeforeAll
  static void start() throws Exception {
    stack = TestService.Stack.start(stateDir, 2);
  }

  @AfterAll
  static void stop() throws Exception {
    stack.close();
  }

  @Test
  void listensOnARealPortAndReportsHealthy() {
    assertThat(stack.server.port()).isPositive();
    var health = HealthGrpc.newBlockingStub(stack.channel);
    assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus())
        .isEqualTo(ServingStatus.SERVING);
    assertThat(health.check(HealthCheckRequest.newBuilder()
        .setService(ScoringServiceGrpc.SERVICE_NAME).build()).getStatus())
        .isEqualTo(ServingStatus.SERVING);
  }

  @Test
  void listensOnLoopbackOnlyAndWithoutReflectionUnlessConfigured() throws Exception {
    assertThat(stack.server.listenAddresses()).isNotEmpty().allSatisfy(a ->
        assertThat(((java.net.InetSocketAddress) a).getAddress().isLoopbackAddress()).isTrue());
    var responses = new TestService.Responses<io.grpc.reflection.v1.ServerReflectionResponse>();
    var reflection = io.grpc.reflection.v1.ServerReflectionGrpc.newStub(stack.channel)
        .serverReflectionInfo(responses);
    reflection.onNext(io.grpc.reflection.v1.ServerReflectionRequest.newBuilder()
        .setListServices("*").build());
    reflection.onCompleted();
    assertThatThrownBy(() -> responses.await(java.time.Duration.ofSeconds(30)))
        .satisfies(t -> assertThat(((StatusRuntimeException) t.getCause()).getStatus().getCode())
            .isEqualTo(Status.Code.UNIMPLEMENTED));
  }

  @Test
  void unknownHealthServiceIsNotFound() {
    var health = HealthGrpc.newBlockingStub(stack.channel);
    assertThatThrownBy(() -> health.check(HealthCheckRequest.newBuilder()
        .setService("vigil.v1.NoSuchService").build()))
        .isInstanceOf(StatusRuntimeException.class)
        .extracting(e -> ((StatusRuntimeException) e).getStatus().getCode())
        .isEqualTo(Status.Code.NOT_FOUND);
  }

  @Test
  void publishAcknowledgesEachEventInOrderOnlyOnceKafkaHasIt() throws Exception {
    var valid = EventCodec.toProto(new dev.vigil.features.event.Event("ingest-1",
        TestService.NOW.toEpochMilli(), "a-77", "c-77", new dev.vigil.features.event.Event.Transaction(
            new dev.vigil.features.event.Event.Money(1250, "EUR"),
            dev.vigil.features.event.Event.Direction.DEBIT,
            dev.vigil.features.event.Event.Channel.ECOMMERCE, "m-1", "5411", "FR", "d-1", "")));
    var badCurrency = valid.toBuilder().setEventId("ingest-2").setTransaction(
        valid.getTransaction().toBuilder().setAmount(valid.getTransaction().getAmount().toBuilder()
            .setCurrency("EURO"))).build();
    var acks = new TestService.Responses<PublishAck>();
    var events = IngestServiceGrpc.newStub(stack.channel).publish(acks);
    events.onNext(PublishRequest.newBuilder().setEvent(valid).build());
    events.onNext(PublishRequest.newBuilder().setEvent(badCurrency).build());
    events.onNext(PublishRequest.newBuilder().setEvent(valid).build());
    events.onCompleted();
    List<PublishAck> received = acks.await(java.time.Duration.ofSeconds(30));
    assertThat(received).extracting(PublishAck::getEventId)
        .containsExactly("ingest-1", "ingest-2", "ingest-1");
    assertThat(received).extracting(PublishAck::getStatus).containsExactly(
        AckStatus.ACK_STATUS_ACCEPTED, AckStatus.ACK_STATUS_REJECTED,
        AckStatus.ACK_STATUS_DUPLICATE);
    assertThat(received.get(1).getField()).isEqualTo("event.transaction.amount.currency");
    // acknowledged means stored: the event is on the topic, once
    var stored = stack.kafka.readAll("vigil.events").stream()
        .filter(r -> new String(r.key()).equals("a-77")).toList();
    assertThat(stored).hasSize(1);
    assertThat(dev.vigil.proto.v1.Event.parseFrom(stored.get(0).value())).isEqualTo(valid);
    assertThat(new String(stored.get(0).key())).isEqualTo("a-77");
  }

  @Test
  void anOverlongFieldIsRejectedByNameAndAnOversizedMessageRefusedUnread() throws Exception {
    var deposit = EventCodec.toProto(new dev.vigil.features.event.Event("big-1",
        TestService.NOW.toEpochMilli(), "a-big", "c-big",
        new dev.vigil.features.event.Event.CheckDeposit("dep-big",
            new dev.vigil.features.event.Event.Money(5_000, "USD"), "021000021", "payer-1", "1001",
            "", dev.vigil.features.event.Event.Endorsement.RESTRICTIVE, "x".repeat(600_000))));
    var good = deposit.toBuilder().setEventId("big-2").setCheckDeposit(
        deposit.getCheckDeposit().toBuilder().setDepositId("dep-ok").setDeviceId("d-ok")).build();
    var acks = new TestService.Responses<PublishAck>();
    var events = IngestServiceGrpc.newStub(stack.channel).publish(acks);
    events.onNext(PublishRequest.newBuilder().setEvent(deposit).build());
    events.onNext(PublishRequest.newBuilder().setEvent(good).build());
    events.onCompleted();
    List<PublishAck> received = acks.await(java.time.Duration.ofSeconds(30));
    assertThat(received).extracting(PublishAck::getStatus).containsExactly(
        AckStatus.ACK_STATUS_REJECTED, AckStatus.ACK_STATUS_ACCEPTED);
    assertThat(received.get(0).getField()).isEqualTo("event.check_deposit.device_id");
    var storedIds = new java.util.ArrayList<String>();
    for (var r : stack.kafka.readAll("vigil.events")) {
      if (new String(r.key()).equals("a-big")) {
        storedIds.add(Event.parseFrom(r.value()).getEventId());
      }
    }
    assertThat(storedIds).as("only the good one stored").containsExactly("big-2");

    // over the server's inbound limit: refused before it is parsed, and the server goes on
    var huge = deposit.toBuilder().setCheckDeposit(deposit.getCheckDeposit().toBuilder()
        .setDeviceId("x".repeat(ScoringServer.MAX_INBOUND_MESSAGE_BYTES))).build();
    var scoring = dev.vigil.proto.v1.ScoringServiceGrpc.newBlockingStub(stack.channel);
    assertThatThrownBy(() -> scoring.scoreCheckDeposit(
        dev.vigil.proto.v1.ScoreCheckDepositRequest.newBuilder().setEvent(huge).build()))
        .isInstanceOf(StatusRuntimeException.class)
        .extracting(e -> ((StatusRuntimeException) e).getStatus().getCode())
        .isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThatThrownBy(() -> scoring.scoreCheckDeposit(
        dev.vigil.proto.v1.ScoreCheckDepositRequest.newBuilder().setEvent(deposit).build()))
        .isInstanceOf(StatusRuntimeException.class)
        .satisfies(e -> assertThat(((StatusRuntimeException) e).getStatus().getDescription())
            .startsWith("event.check_deposit.device_id: "));
  }

  @Test
  void getProfileServesTheMaterialisedProfileAndItsFeatures() throws Exception {
    var settings = dev.vigil.features.profile.ProfileSettings.DEFAULT;
    var book = new dev.vigil.features.profile.ProfileBook(settings);
    long t0 = 1_767_225_600_000L;
    for (int i = 0; i < 5; i++) {
      book.fold(new dev.vigil.features.event.Event("p-" + i, t0 + i * 60_000L, "a-5", "c-5",
          new dev.vigil.features.event.Event.Transaction(
              new dev.vigil.features.event.Event.Money(1000 + i, "USD"),
              dev.vigil.features.event.Event.Direction.DEBIT,
              dev.vigil.features.event.Event.Channel.CARD_PRESENT, "m-5", "5411", "US", "", "")));
    }
    var key = dev.vigil.features.profile.EntityKey.account("a-5");
    var profile = book.get(key);
    var record = ProfileRecord.newBuilder().setEntityType(EntityType.ENTITY_TYPE_ACCOUNT)
        .setEntityId("a-5").setVersion(profile.version())
        .setLastEventTime(EventCodec.timestamp(profile.lastEventMillis()))
        .setState(com.google.protobuf.ByteString.copyFrom(
            new dev.vigil.features.profile.ProfileCodec(settings).encode(profile)))
        .build();
    stack.kafka.produce("vigil.profiles", List.of(new ProducerRecord<>("vigil.profiles",
        key.toString().getBytes(), record.toByteArray())));

    var profiles = ProfileServiceGrpc.newBlockingStub(stack.channel);
    var request = GetProfileRequest.newBuilder().setEntityType(EntityType.ENTITY_TYPE_ACCOUNT)
        .setEntityId("a-5").setAsOf(EventCodec.timestamp(t0 + 10 * 60_000L)).build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    GetProfileResponse response = null;
    while (response == null) {
      try {
        response = profiles.getProfile(request);
      } catch (StatusRuntimeException e) {
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(System.nanoTime()).isLessThan(deadline);
        Thread.sleep(50);
      }
    }
    assertThat(response.getProfile().getVersion()).isEqualTo(5);
    assertThat(response.getFeaturesMap()).containsEntry("acct_txn_count_1h", 5.0)
        .containsEntry("acct_txn_sum_24h", 5010.0).containsKey("dpd_current")
        .doesNotContainKey("merchant_txn_count_1d").doesNotContainKey("txn_amount");
  }

  @Test
  void getProfileNamesTheBadField() {
    var profiles = ProfileServiceGrpc.newBlockingStub(stack.channel);
    assertThatThrownBy(() -> profiles.getProfile(GetProfileRequest.newBuilder()
        .setEntityType(EntityType.ENTITY_TYPE_ACCOUNT).build()))
        .isInstanceOf(StatusRuntimeException.class)
        .satisfies(e -> assertThat(((StatusRuntimeException) e).getStatus().getCode())
            .isEqualTo(Status.Code.INVALID_ARGUMENT))
        .hasMessageContaining("entity_id");
    assertThatThrownBy(() -> profiles.getProfile(GetProfileRequest.newBuilder()
        .setEntityId("a-1").build()))
        .hasMessageContaining("entity_type");
    assertThatThrownBy(() -> profiles.getProfile(GetProfileRequest.newBuilder()
        .setEntityType(EntityType.ENTITY_TYPE_ACCOUNT).setEntityId("a-1")
        .setAsOf(com.google.protobuf.Timestamp.newBuilder().setSeconds(1).setNanos(-5)).build()))
        .satisfies(e -> assertThat(((StatusRuntimeException) e).getStatus().getCode())
            .isEqualTo(Status.Code.INVALID_ARGUMENT))
        .hasMessageContaining("as_of");
  }
}
