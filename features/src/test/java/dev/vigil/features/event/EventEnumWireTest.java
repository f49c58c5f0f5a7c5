package dev.vigil.features.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.features.event.Event.Channel;
import dev.vigil.features.event.Event.ContactChannel;
import dev.vigil.features.event.Event.Direction;
import dev.vigil.features.event.Event.Endorsement;
import dev.vigil.proto.v1.TransactionChannel;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Each event enum mapped to the wire once: round trips, and refusals naming the value. */
class EventEnumWireTest {
  @Test
  void directions() {
    WireMapping.check(Direction.class, dev.vigil.proto.v1.Direction.class, Direction::wire,
        Direction::of, Set.of(dev.vigil.proto.v1.Direction.DIRECTION_UNSPECIFIED,
            dev.vigil.proto.v1.Direction.UNRECOGNIZED), "direction");
  }

  @Test
  void transactionChannels() {
    WireMapping.check(Channel.class, TransactionChannel.class, Channel::wire, Channel::of,
        Set.of(TransactionChannel.TRANSACTION_CHANNEL_UNSPECIFIED,
            TransactionChannel.UNRECOGNIZED), "channel");
  }

  @Test
  void contactChannels() {
    WireMapping.check(ContactChannel.class, dev.vigil.proto.v1.ContactChannel.class,
        ContactChannel::wire, ContactChannel::of,
        Set.of(dev.vigil.proto.v1.ContactChannel.CONTACT_CHANNEL_UNSPECIFIED,
            dev.vigil.proto.v1.ContactChannel.UNRECOGNIZED), "channel");
  }

  @Test
  void endorsementsWhereUnspecifiedIsUnknown() {
    WireMapping.check(Endorsement.class, dev.vigil.proto.v1.Endorsement.class,
        Endorsement::wire, Endorsement::of,
        Set.of(dev.vigil.proto.v1.Endorsement.UNRECOGNIZED), "endorsement");
    assertThat(Endorsement.of(dev.vigil.proto.v1.Endorsement.ENDORSEMENT_UNSPECIFIED))
        .isSameAs(Endorsement.UNKNOWN);
  }

  private static final long NOW = 1_764_000_000_000L;

  @Test
  void theCodecReadsAnUnknownNumberAsMissingOrUnknownAsBefore() throws Exception {
    var tx = EventCodec.toProto(new Event("e-1", NOW, "a-1", "c-1", new Event.Transaction(
        new Event.Money(100, "USD"), Direction.CREDIT, Channel.P2P, "m-1", "5411", "US", "d-1",
        "")));
    assertThat(EventCodec.fromProto(tx, NOW).kind()).isInstanceOf(Event.Transaction.class);
    var unknownChannel = tx.toBuilder().setTransaction(tx.getTransaction().toBuilder()
        .setChannelValue(99)).build();
    assertThatThrownBy(() -> EventCodec.fromProto(unknownChannel, NOW))
        .isInstanceOfSatisfying(InvalidEventException.class, e -> {
          assertThat(e.field()).isEqualTo("event.transaction.channel");
          assertThat(e.reason()).isEqualTo("is required");
        });
    var noDirection = tx.toBuilder().setTransaction(tx.getTransaction().toBuilder()
        .setDirectionValue(0)).build();
    assertThatThrownBy(() -> EventCodec.fromProto(noDirection, NOW))
        .isInstanceOfSatisfying(InvalidEventException.class, e -> {
          assertThat(e.field()).isEqualTo("event.transaction.direction");
          assertThat(e.reason()).isEqualTo("must be DEBIT or CREDIT");
        });
    var deposit = EventCodec.toProto(new Event("e-2", NOW, "a-1", "c-1", new Event.CheckDeposit(
        "dep-1", new Event.Money(5_000, "USD"), "021000021", "payer-1", "1001", "",
        Endorsement.SIGNATURE_ONLY, "")));
    var unknownEndorsement = deposit.toBuilder().setCheckDeposit(deposit.getCheckDeposit()
        .toBuilder().setEndorsementValue(99)).build();
    assertThat(((Event.CheckDeposit) EventCodec.fromProto(unknownEndorsement, NOW).kind())
        .endorsement()).isEqualTo(Endorsement.UNKNOWN);
    assertThat(((Event.CheckDeposit) EventCodec.fromProto(deposit, NOW).kind())
        .endorsement()).isEqualTo(Endorsement.SIGNATURE_ONLY);
  }
}
