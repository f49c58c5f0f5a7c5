package dev.vigil.job.intake;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.features.event.Event;
import dev.vigil.features.profile.EntityType;
import dev.vigil.history.simulator.Simulator;
import java.io.IOException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * Events travel typed between the job's operators: every kind comes back equal to what was
 * written, and Flink uses these serializers, not its POJO analysis or Kryo (the job also runs with
 * generic types disabled, so a Kryo fallback fails it).
 */
class EventSerializerTest {
  private static final long T = 1_780_000_000_000L;

  @Test
  void everyKindOfEventComesBackEqual() throws IOException {
    List<Event> events = new ArrayList<>();
    new Simulator(Simulator.Config.of(11, 60, 45)).run(events::add);
    events.addAll(handMade());
    Set<Class<?>> kinds = events.stream().map(e -> e.kind().getClass())
        .collect(Collectors.toSet());
    assertThat(kinds).hasSameElementsAs(List.of(Event.Kind.class.getPermittedSubclasses()));
    for (Event e : events) {
      assertThat(roundTrip(EventSerializer.INSTANCE, e)).as(e.eventId()).isEqualTo(e);
      Routed r = roundTrip(Routed.Serializer.INSTANCE,
          Routed.event("ACCOUNT/" + e.accountId(), e));
      assertThat(r.events).containsExactly(e);
      assertThat(r.key).isEqualTo("ACCOUNT/" + e.accountId());
      assertThat(r.time).isEqualTo(e.timeMillis());
      Incoming in = roundTrip(Incoming.Serializer.INSTANCE,
          Incoming.valid(e, new byte[] {1, 2, 3}, "events/0/7"));
      assertThat(in.event()).isEqualTo(e);
      assertThat(in.payload()).containsExactly(1, 2, 3);
      assertThat(in.origin()).isEqualTo("events/0/7");
      assertThat(in.valid()).isTrue();
    }
  }

  @Test
  void aBundleComesBackInItsOrder() throws IOException {
    List<Event> events = handMade();
    Routed bundle = roundTrip(Routed.Serializer.INSTANCE, Routed.bundle("MERCHANT/m/1", events));
    assertThat(bundle.events).containsExactlyElementsOf(events);
    assertThat(bundle.time).isEqualTo(T + 12); // the newest event's
    assertThat(bundle.key).isEqualTo("MERCHANT/m/1");
  }

  @Test
  void signalsInvalidRecordsAndSetAsideEventsComeBackEqual() throws IOException {
    Routed signal = roundTrip(Routed.Serializer.INSTANCE,
        Routed.duplicatePresentment("ACCOUNT/a1", "dep-9", T));
    assertThat(signal.events).isEmpty();
    assertThat(signal.duplicateDepositId).isEqualTo("dep-9");
    assertThat(signal.time).isEqualTo(T);

    Incoming invalid = roundTrip(Incoming.Serializer.INSTANCE,
        Incoming.invalid(null, "events/1/2", "event.amount.currency", "not ISO 4217"));
    assertThat(invalid.valid()).isFalse();
    assertThat(invalid.event()).isNull();
    assertThat(invalid.payload()).isEmpty();
    assertThat(invalid.errorField()).isEqualTo("event.amount.currency");
    assertThat(invalid.errorReason()).isEqualTo("not ISO 4217");
    assertThat(invalid.eventId()).isEmpty();

    Event e = handMade().get(0);
    Incoming aside = roundTrip(Incoming.Serializer.INSTANCE,
        Incoming.valid(e, new byte[] {9}, "file").setAside("event.event_time", "too old"));
    assertThat(aside.valid()).isFalse();
    assertThat(aside.eventId()).isEqualTo(e.eventId()); // the dead letter's key
    assertThat(aside.errorReason()).isEqualTo("too old");
  }

  @Test
  void flinkUsesTheseSerializers() {
    var config = new SerializerConfigImpl();
    config.setGenericTypes(false);
    assertThat(TypeInformation.of(Routed.class).createSerializer(config))
        .isSameAs(Routed.Serializer.INSTANCE);
    assertThat(TypeInformation.of(Incoming.class).createSerializer(config))
        .isSameAs(Incoming.Serializer.INSTANCE);
    for (EntityType type : EntityType.values()) {
      assertThat(Route.to(type).getTypeInfo()).isEqualTo(Routed.Type.INFO);
    }
  }

  /** What the simulator may not make: every field set, odd text, a merchant's time zone. */
  private static List<Event> handMade() {
    var usd = new Event.Money(-12_345, "USD");
    return List.of(
        new Event("ü-1", T, "a1", "c1", new Event.Transaction(usd, Event.Direction.CREDIT,
            Event.Channel.P2P, "m/1", "6011", "DE", "d1", "cp-1", ZoneId.of("Europe/Berlin"))),
        new Event("x-2", T + 1, "a1", "", new Event.Transaction(usd, Event.Direction.DEBIT,
            Event.Channel.ECOMMERCE, "", "", "", "", "")),
        new Event("x-3", T + 2, "a1", "c1", new Event.CheckDeposit("dep-1",
            new Event.Money(50_000, "CAD"), "011000015", "fp", "1001", "img",
            Event.Endorsement.SIGNATURE_ONLY, "d2")),
        new Event("x-4", T + 3, "a1", "c1", new Event.Payment("p1", usd, true, "R01")),
        new Event("x-5", T + 4, "a1", "c1", new Event.Statement(usd, new Event.Money(2_500,
            "USD"), T + 86_400_000L, new Event.Money(500_000, "USD"))),
        new Event("x-6", T + 5, "a1", "c1", new Event.AccountStatus(61, usd, T - 1)),
        new Event("x-7", T + 6, "a1", "c1", new Event.PromiseToPay(usd, T + 7)),
        new Event("x-8", T + 7, "a1", "c1", new Event.ContactAttempt(Event.ContactChannel.SMS,
            true)),
        new Event("x-9", T + 8, "a1", "c1", new Event.ConsentChange(Event.ContactChannel.CALL,
            false)),
        new Event("x-10", T + 9, "a1", "c1", new Event.HardshipFlag(true, "job loss")),
        new Event("x-11", T + 10, "a1", "c1", new Event.FraudReport("ü-1", "m/1", T, true)),
        new Event("x-12", T + 11, "a1", "c1", new Event.DepositReturn("dep-1", "NSF", T + 2)),
        new Event("x-13", T + 12, "a1", "c1",
            new Event.CustomerDetails(ZoneId.of("America/New_York"))));
  }

  private static <T> T roundTrip(TypeSerializer<T> serializer, T value) throws IOException {
    var out = new DataOutputSerializer(64);
    serializer.serialize(value, out);
    serializer.serialize(value, out); // twice: each read must take exactly its own bytes
    var in = new DataInputDeserializer(out.getSharedBuffer(), 0, out.length());
    T first = serializer.deserialize(in);
    T second = serializer.deserialize(in);
    assertThat(in.available()).isZero();
    assertThat(second).usingRecursiveComparison().isEqualTo(first);
    return first;
  }
}
