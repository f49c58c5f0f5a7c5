package dev.vigil.features.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.history.simulator.Simulator;
import dev.vigil.proto.v1.Direction;
import dev.vigil.proto.v1.Money;
import dev.vigil.proto.v1.Transaction;
import dev.vigil.proto.v1.TransactionChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class EventCodecTest {
  static final long NOW = 1_767_225_600_000L; // 2026-01-01

  static dev.vigil.proto.v1.Event valid() {
    return dev.vigil.proto.v1.Event.newBuilder()
        .setEventId("e-1").setEventTime(EventCodec.timestamp(NOW)).setAccountId("a-1")
        .setCustomerId("c-1")
        .setTransaction(Transaction.newBuilder()
            .setAmount(Money.newBuilder().setMinorUnits(1234).setCurrency("USD"))
            .setDirection(Direction.DIRECTION_DEBIT)
            .setChannel(TransactionChannel.TRANSACTION_CHANNEL_ECOMMERCE)
            .setMerchantId("m-1").setMcc("5411").setCountry("US"))
        .build();
  }

  @Test
  void everySimulatedKindSurvivesTheWireRoundTrip() throws Exception {
    var events = new ArrayList<Event>();
    new Simulator(Simulator.Config.of(7, 300, 45)).run(events::add);
    var kinds = new java.util.HashSet<Class<?>>();
    for (Event e : events) {
      assertThat(EventCodec.fromProto(EventCodec.toProto(e), Long.MAX_VALUE)).isEqualTo(e);
      kinds.add(e.kind().getClass());
    }
    assertThat(kinds).as("the simulator exercises every kind")
        .containsExactlyInAnyOrder(Event.Kind.class.getPermittedSubclasses());
    assertThat(events).as("and the merchant's time zone")
        .anyMatch(e -> e.kind() instanceof Event.Transaction t && t.merchantZone() != null);
  }

  static List<Arguments> badEvents() {
    return List.of(
        bad("event.event_id", b -> b.setEventId("")),
        bad("event.event_id", b -> b.setEventId("has space")),
        bad("event.event_time", b -> b.clearEventTime()),
        bad("event.event_time", b -> b.setEventTime(EventCodec.timestamp(NOW + 3_600_000))),
        bad("event.account_id", b -> b.setAccountId("")),
        bad("event.kind", b -> b.clearKind()),
        bad("event.transaction.amount", b -> b.setTransaction(
            b.getTransaction().toBuilder().clearAmount())),
        bad("event.transaction.amount.currency", b -> b.setTransaction(
            b.getTransaction().toBuilder().setAmount(Money.newBuilder().setMinorUnits(5)
                .setCurrency("usd")))),
        bad("event.transaction.amount.currency", b -> b.setTransaction(
            b.getTransaction().toBuilder().setAmount(Money.newBuilder().setMinorUnits(5)
                .setCurrency("XYZ")))),
        bad("event.transaction.amount.minor_units", b -> b.setTransaction(
            b.getTransaction().toBuilder().setAmount(Money.newBuilder().setMinorUnits(-5)
                .setCurrency("USD")))),
        bad("event.transaction.amount.minor_units", b -> b.setTransaction(
            b.getTransaction().toBuilder().setAmount(Money.newBuilder()
                .setMinorUnits(EventCodec.MAX_AMOUNT + 1).setCurrency("USD")))),
        bad("event.transaction.direction", b -> b.setTransaction(
            b.getTransaction().toBuilder().clearDirection())),
        bad("event.transaction.channel", b -> b.setTransaction(
            b.getTransaction().toBuilder().clearChannel())),
        bad("event.transaction.mcc", b -> b.setTransaction(
            b.getTransaction().toBuilder().setMcc("54x1"))),
        bad("event.transaction.country", b -> b.setTransaction(
            b.getTransaction().toBuilder().setCountry("usa"))),
        bad("event.transaction.merchant_time_zone", b -> b.setTransaction(
            b.getTransaction().toBuilder().setMerchantTimeZone("Mars/Olympus"))),
        bad("event.transaction.merchant_time_zone", b -> b.setTransaction(
            b.getTransaction().toBuilder().setMerchantTimeZone("America/" + "X".repeat(70)))),
        bad("event.customer_details.time_zone", b -> b.setCustomerDetails(
            dev.vigil.proto.v1.CustomerDetails.getDefaultInstance())),
        bad("event.customer_details.time_zone", b -> b.setCustomerDetails(
            dev.vigil.proto.v1.CustomerDetails.newBuilder().setTimeZone("EST5EDT-ish"))),
        bad("event.customer_id", b -> b.clearCustomerId().setCustomerDetails(
            dev.vigil.proto.v1.CustomerDetails.newBuilder().setTimeZone("America/New_York"))),
        bad("event.check_deposit.routing_number", b -> b.setCheckDeposit(
            dev.vigil.proto.v1.CheckDeposit.newBuilder().setDepositId("d")
                .setAmount(Money.newBuilder().setMinorUnits(5).setCurrency("USD"))
                .setRoutingNumber("1234").setPayerAccountFingerprint("p").setCheckNumber("1"))),
        bad("event.customer_id", b -> b.clearCustomerId().setConsentChange(
            dev.vigil.proto.v1.ConsentChange.newBuilder()
                .setChannel(dev.vigil.proto.v1.ContactChannel.CONTACT_CHANNEL_SMS))),
        bad("event.statement.due_time", b -> b.setStatement(
            dev.vigil.proto.v1.Statement.newBuilder()
                .setBalance(Money.newBuilder().setMinorUnits(5).setCurrency("USD"))
                .setMinimumDue(Money.newBuilder().setMinorUnits(5).setCurrency("USD"))
                .setDueTime(EventCodec.timestamp(NOW - 1)))));
  }

  static Arguments bad(String field, UnaryOperator<dev.vigil.proto.v1.Event.Builder> change) {
    return Arguments.of(field, change.apply(valid().toBuilder()).build());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badEvents")
  void aBadEventIsRefusedNamingTheField(String field, dev.vigil.proto.v1.Event event) {
    assertThatThrownBy(() -> EventCodec.fromProto(event, NOW))
        .isInstanceOf(InvalidEventException.class)
        .satisfies(e -> assertThat(((InvalidEventException) e).field()).isEqualTo(field))
        .satisfies(e -> assertThat(((InvalidEventException) e).reason()).isNotBlank());
  }

  static dev.vigil.proto.v1.CheckDeposit.Builder deposit() {
    return dev.vigil.proto.v1.CheckDeposit.newBuilder().setDepositId("d-1")
        .setAmount(Money.newBuilder().setMinorUnits(5_000).setCurrency("USD"))
        .setRoutingNumber("021000021").setPayerAccountFingerprint("p-1").setCheckNumber("1001");
  }

  /** Every string field of an event: how to set it, and its limit. */
  static List<Arguments> boundedFields() {
    int id = EventCodec.MAX_ID_LENGTH;
    int code = EventCodec.MAX_CODE_LENGTH;
    return List.of(
        field("event.event_id", id, (b, v) -> b.setEventId(v)),
        field("event.account_id", id, (b, v) -> b.setAccountId(v)),
        field("event.customer_id", id, (b, v) -> b.setCustomerId(v)),
        field("event.transaction.merchant_id", id, (b, v) -> b.setTransaction(
            b.getTransaction().toBuilder().setMerchantId(v))),
        field("event.transaction.device_id", id, (b, v) -> b.setTransaction(
            b.getTransaction().toBuilder().setDeviceId(v))),
        field("event.transaction.counterparty_id", id, (b, v) -> b.setTransaction(
            b.getTransaction().toBuilder().setCounterpartyId(v))),
        field("event.check_deposit.deposit_id", id, (b, v) -> b.setCheckDeposit(
            deposit().setDepositId(v))),
        field("event.check_deposit.payer_account_fingerprint", id, (b, v) -> b.setCheckDeposit(
            deposit().setPayerAccountFingerprint(v))),
        field("event.check_deposit.image_fingerprint", id, (b, v) -> b.setCheckDeposit(
            deposit().setImageFingerprint(v))),
        field("event.check_deposit.device_id", id, (b, v) -> b.setCheckDeposit(
            deposit().setDeviceId(v))),
        field("event.payment.payment_id", id, (b, v) -> b.setPayment(payment().setPaymentId(v))),
        field("event.payment.return_reason", code, (b, v) -> b.setPayment(
            payment().setReturnReason(v))),
        field("event.hardship_flag.reason", code, (b, v) -> b.setHardshipFlag(
            dev.vigil.proto.v1.HardshipFlag.newBuilder().setActive(true).setReason(v))),
        field("event.fraud_report.reported_event_id", id, (b, v) -> b.setFraudReport(
            fraudReport().setReportedEventId(v))),
        field("event.fraud_report.merchant_id", id, (b, v) -> b.setFraudReport(
            fraudReport().setMerchantId(v))),
        field("event.deposit_return.deposit_id", id, (b, v) -> b.setDepositReturn(
            dev.vigil.proto.v1.DepositReturn.newBuilder().setDepositId(v))),
        field("event.deposit_return.return_reason", code, (b, v) -> b.setDepositReturn(
            dev.vigil.proto.v1.DepositReturn.newBuilder().setDepositId("d-1").setReturnReason(v))));
  }

  static dev.vigil.proto.v1.Payment.Builder payment() {
    return dev.vigil.proto.v1.Payment.newBuilder().setPaymentId("p-1")
        .setAmount(Money.newBuilder().setMinorUnits(5_000).setCurrency("USD"))
        .setStatus(dev.vigil.proto.v1.PaymentStatus.PAYMENT_STATUS_RETURNED);
  }

  static dev.vigil.proto.v1.FraudReport.Builder fraudReport() {
    return dev.vigil.proto.v1.FraudReport.newBuilder().setReportedEventId("e-0")
        .setKind(dev.vigil.proto.v1.FraudReportKind.FRAUD_REPORT_KIND_CHARGEBACK);
  }

  static Arguments field(String name, int limit,
      java.util.function.BiFunction<dev.vigil.proto.v1.Event.Builder, String,
          dev.vigil.proto.v1.Event.Builder> set) {
    return Arguments.of(name, limit, set);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("boundedFields")
  void everyStringFieldIsTakenAtItsLimitAndRefusedOneOver(String field, int limit,
      java.util.function.BiFunction<dev.vigil.proto.v1.Event.Builder, String,
          dev.vigil.proto.v1.Event.Builder> set) throws Exception {
    EventCodec.fromProto(set.apply(valid().toBuilder(), "x".repeat(limit)).build(), NOW);
    assertThatThrownBy(() -> EventCodec.fromProto(
        set.apply(valid().toBuilder(), "x".repeat(limit + 1)).build(), NOW))
        .isInstanceOf(InvalidEventException.class)
        .satisfies(e -> assertThat(((InvalidEventException) e).field()).isEqualTo(field));
    // the issue's own case, 600,000 characters: named, not a fold's failure later
    assertThatThrownBy(() -> EventCodec.fromProto(
        set.apply(valid().toBuilder(), "x".repeat(600_000)).build(), NOW))
        .satisfies(e -> assertThat(((InvalidEventException) e).field()).isEqualTo(field));
  }

  @Test
  void anEventOverItsEncodedSizeIsRefusedWhateverMakesItLarge() throws Exception {
    // within every field's limit, but carrying 5 KB in a field this version does not know
    var unknown = com.google.protobuf.UnknownFieldSet.newBuilder().addField(999,
        com.google.protobuf.UnknownFieldSet.Field.newBuilder()
            .addLengthDelimited(com.google.protobuf.ByteString.copyFrom(new byte[5_000])).build())
        .build();
    var large = valid().toBuilder().setUnknownFields(unknown).build();
    assertThat(large.getSerializedSize()).isGreaterThan(EventCodec.MAX_EVENT_BYTES);
    assertThatThrownBy(() -> EventCodec.fromProto(large, NOW))
        .satisfies(e -> assertThat(((InvalidEventException) e).field()).isEqualTo("event"));
    var roundTrip = dev.vigil.proto.v1.Event.parseFrom(large.toByteArray());
    assertThatThrownBy(() -> EventCodec.fromProto(roundTrip, NOW))
        .satisfies(e -> assertThat(((InvalidEventException) e).field()).isEqualTo("event"));
    // every field at its limit together stays under it
    var full = valid().toBuilder().setEventId("e".repeat(128)).setAccountId("a".repeat(128))
        .setCustomerId("c".repeat(128)).setTransaction(valid().getTransaction().toBuilder()
            .setMerchantId("m".repeat(128)).setDeviceId("d".repeat(128))
            .setCounterpartyId("p".repeat(128)).setMerchantTimeZone("America/Argentina/ComodRivadavia"))
        .build();
    EventCodec.fromProto(full, NOW);
  }

  @Test
  void extremeAmountsAreRefusedByName() {
    for (long units : new long[] {Long.MIN_VALUE, Long.MIN_VALUE + 1, -EventCodec.MAX_AMOUNT - 1,
        EventCodec.MAX_AMOUNT + 1, Long.MAX_VALUE}) {
      var statement = valid().toBuilder().setStatement(dev.vigil.proto.v1.Statement.newBuilder()
          .setBalance(Money.newBuilder().setMinorUnits(units).setCurrency("USD"))
          .setMinimumDue(Money.newBuilder().setMinorUnits(0).setCurrency("USD"))
          .setDueTime(EventCodec.timestamp(NOW + 86_400_000L))).build();
      assertThatThrownBy(() -> EventCodec.fromProto(statement, NOW)).as("balance %d", units)
          .satisfies(e -> assertThat(((InvalidEventException) e).field())
              .isEqualTo("event.statement.balance.minor_units"));
    }
  }

  @Test
  void timeZonesAreReadAsIanaZones() throws Exception {
    var t = valid().toBuilder().setTransaction(valid().getTransaction().toBuilder()
        .setMerchantTimeZone("Australia/Sydney")).build();
    assertThat(((Event.Transaction) EventCodec.fromProto(t, NOW).kind()).merchantZone())
        .isEqualTo(java.time.ZoneId.of("Australia/Sydney"));
    assertThat(((Event.Transaction) EventCodec.fromProto(valid(), NOW).kind()).merchantZone())
        .as("not given: not known").isNull();
    var details = valid().toBuilder().setCustomerDetails(dev.vigil.proto.v1.CustomerDetails
        .newBuilder().setTimeZone("America/New_York")).build();
    assertThat(EventCodec.fromProto(details, NOW).kind()).isEqualTo(
        new Event.CustomerDetails(java.time.ZoneId.of("America/New_York")));
  }

  @Test
  void theValidEventIsAccepted() throws Exception {
    Event e = EventCodec.fromProto(valid(), NOW);
    assertThat(e.kind()).isInstanceOf(Event.Transaction.class);
    assertThat(((Event.Transaction) e.kind()).amount()).isEqualTo(new Event.Money(1234, "USD"));
  }
}
