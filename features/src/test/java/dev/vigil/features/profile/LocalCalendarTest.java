package dev.vigil.features.profile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.Event.Channel;
import dev.vigil.features.event.Event.CustomerDetails;
import dev.vigil.features.event.Event.Direction;
import dev.vigil.features.event.Event.Money;
import dev.vigil.features.event.Event.Transaction;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * The calendar features (txn_night, txn_weekend) are judged in the customer's time zone, else
 * the merchant's, else UTC: {@link LocalCalendar}, through the catalogue's own definitions.
 */
class LocalCalendarTest {
  static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
  static final ZoneId SYDNEY = ZoneId.of("Australia/Sydney");
  static final ZoneId LOS_ANGELES = ZoneId.of("America/Los_Angeles");
  static final ProfileSettings SETTINGS = ProfileSettings.DEFAULT;

  static long at(String instant) {
    return Instant.parse(instant).toEpochMilli();
  }

  static Transaction purchase(ZoneId merchantZone) {
    return new Transaction(new Money(4_200, "USD"), Direction.DEBIT, Channel.CARD_PRESENT, "m-1",
        "5411", "US", "", "", merchantZone);
  }

  /** The inputs to score a purchase at {@code time} by a customer whose zone is {@code zone}. */
  static FeatureInputs scored(long time, ZoneId customerZone, ZoneId merchantZone) {
    var book = new ProfileBook(SETTINGS);
    if (customerZone != null) {
      book.fold(new Event("details", time - 86_400_000L, "a-1", "c-1",
          new CustomerDetails(customerZone)));
    }
    var purchase = new Event("p", time, "a-1", "c-1", purchase(merchantZone));
    return book.inputsFor(purchase);
  }

  static double feature(String name, FeatureInputs in) {
    return FeatureCatalogue.FRAUD.features().stream().filter(f -> f.name().equals(name))
        .findFirst().orElseThrow().valueOf(in);
  }

  @Test
  void aSevenPmPurchaseInNewYorkIsNotNightThoughItIsMidnightInUtc() {
    long sevenPm = at("2026-11-24T19:00:00-05:00"); // 2026-11-25T00:00Z
    assertThat(feature("txn_night", scored(sevenPm, NEW_YORK, null))).isZero();
    assertThat(feature("txn_night", scored(sevenPm, null, null))).as("judged in UTC").isOne();
    assertThat(LocalCalendar.of(scored(sevenPm, NEW_YORK, null)).source())
        .isEqualTo(LocalCalendar.Source.CUSTOMER);
  }

  @Test
  void aSaturdayMorningInSydneyIsTheWeekendThoughItIsFridayInUtc() {
    long saturdayMorning = at("2026-11-28T09:00:00+11:00"); // Friday 22:00 UTC
    assertThat(feature("txn_weekend", scored(saturdayMorning, SYDNEY, null))).isOne();
    assertThat(feature("txn_weekend", scored(saturdayMorning, null, null))).isZero();
  }

  @Test
  void withoutTheCustomersZoneTheMerchantsIsUsedAndTheCustomersComesFirst() {
    long nineInLosAngeles = at("2026-11-25T05:00:00Z"); // 21:00 the evening before in LA
    assertThat(feature("txn_night", scored(nineInLosAngeles, null, LOS_ANGELES))).isZero();
    assertThat(LocalCalendar.of(scored(nineInLosAngeles, null, LOS_ANGELES)).source())
        .isEqualTo(LocalCalendar.Source.MERCHANT);
    assertThat(feature("txn_night", scored(nineInLosAngeles, null, null))).isOne();
    assertThat(LocalCalendar.of(scored(nineInLosAngeles, null, null)).source())
        .isEqualTo(LocalCalendar.Source.UTC);
    // a New Yorker shopping online at a Los Angeles merchant at midnight New York time
    assertThat(feature("txn_night", scored(at("2026-11-25T05:00:00Z"), NEW_YORK, LOS_ANGELES)))
        .isOne();
  }

  @Test
  void bothSidesOfEveryBoundaryInLocalTime() {
    record Case(String localTime, double night, double weekend) {}
    for (var c : List.of(
        new Case("2026-11-25T05:59:59.999", 1, 0), // Wednesday
        new Case("2026-11-25T06:00:00", 0, 0),
        new Case("2026-11-24T23:59:59.999", 0, 0), // Tuesday
        new Case("2026-11-25T00:00:00", 1, 0),
        new Case("2026-11-27T23:59:59.999", 0, 0), // Friday
        new Case("2026-11-28T00:00:00", 1, 1), // Saturday
        new Case("2026-11-29T23:59:59.999", 0, 1), // Sunday
        new Case("2026-11-30T00:00:00", 1, 0))) { // Monday
      for (ZoneId zone : List.of(NEW_YORK, SYDNEY, ZoneOffset.UTC)) {
        long t = java.time.LocalDateTime.parse(c.localTime()).atZone(zone).toInstant()
            .toEpochMilli();
        var in = scored(t, zone, null);
        assertThat(feature("txn_night", in)).as("night at %s in %s", c.localTime(), zone)
            .isEqualTo(c.night());
        assertThat(feature("txn_weekend", in)).as("weekend at %s in %s", c.localTime(), zone)
            .isEqualTo(c.weekend());
      }
    }
  }

  @Test
  void daylightSavingTimeMovesTheNight() {
    // New York springs forward on 2026-03-08 at 02:00 EST: 10:30 UTC is 06:30 EDT, not 05:30
    assertThat(feature("txn_night", scored(at("2026-03-08T10:30:00Z"), NEW_YORK, null)))
        .isZero();
    assertThat(feature("txn_night", scored(at("2026-03-07T10:30:00Z"), NEW_YORK, null)))
        .as("the day before, 05:30 EST").isOne();
  }

  @Test
  void theNewestDetailsWinWhateverTheArrivalOrderAndSurviveTheCodec() {
    var book = new ProfileBook(SETTINGS);
    long t0 = at("2026-11-01T00:00:00Z");
    book.fold(new Event("moved", t0 + 3_600_000, "a-1", "c-1", new CustomerDetails(SYDNEY)));
    book.fold(new Event("first", t0, "a-1", "c-1", new CustomerDetails(NEW_YORK))); // late
    var customer = (CustomerProfile) book.all().get(new EntityKey(EntityType.CUSTOMER, "c-1"));
    assertThat(customer.timeZone()).isEqualTo(SYDNEY);
    assertThat(book.all()).as("the details fold into the customer's profile alone")
        .containsOnlyKeys(new EntityKey(EntityType.CUSTOMER, "c-1"));
    var codec = new ProfileCodec(SETTINGS);
    var copy = (CustomerProfile) codec.decode(codec.encode(customer));
    assertThat(copy.timeZone()).isEqualTo(SYDNEY);
    copy.fold(new Event("between", t0 + 1_800_000, "a-1", "c-1", new CustomerDetails(NEW_YORK)));
    assertThat(copy.timeZone()).as("older than the one kept").isEqualTo(SYDNEY);
  }

  @Test
  void aZoneThisJvmDoesNotKnowReadsAsNoZoneAndTheProfileStillServes() {
    var state = dev.vigil.features.state.CustomerState.newBuilder().setTimeZone("Mars/Olympus")
        .setTimeZoneMillis(1).setConsentGranted(1 << Event.ContactChannel.SMS.ordinal()).build();
    var customer = CustomerProfile.fromState(SETTINGS, state);
    assertThat(customer.timeZone()).isNull();
    assertThat(customer.consents(Event.ContactChannel.SMS)).isTrue();
  }

  // ---- against a brute-force reference -----------------------------------------------------

  @Provide
  Arbitrary<ZoneId> zones() {
    return Arbitraries.of(NEW_YORK, SYDNEY, LOS_ANGELES, ZoneId.of("Asia/Kolkata"),
        ZoneId.of("Pacific/Chatham"), ZoneId.of("Europe/London"), ZoneId.of("Pacific/Kiritimati"),
        ZoneId.of("Pacific/Pago_Pago"), ZoneOffset.UTC);
  }

  @Provide
  Arbitrary<Long> instants() {
    return Arbitraries.longs().between(at("2000-01-01T00:00:00Z"), at("2040-01-01T00:00:00Z"));
  }

  /**
   * The reference: the zone's offset at the instant, then plain arithmetic on seconds since the
   * epoch (1970-01-01 was a Thursday).
   */
  @Property(tries = 2000)
  void nightAndWeekendMatchPlainArithmeticOnTheLocalOffset(@ForAll("instants") long millis,
      @ForAll("zones") ZoneId customerZone, @ForAll("zones") ZoneId merchantZone,
      @ForAll boolean customerKnown, @ForAll boolean merchantKnown) {
    ZoneId expected = customerKnown ? customerZone : merchantKnown ? merchantZone
        : ZoneOffset.UTC;
    long offset = expected.getRules().getOffset(Instant.ofEpochMilli(millis)).getTotalSeconds();
    long localSeconds = Math.floorDiv(millis, 1000) + offset;
    long hour = Math.floorMod(localSeconds, 86_400) / 3600;
    long dayOfWeek = Math.floorMod(Math.floorDiv(localSeconds, 86_400) + 3, 7); // 0 = Monday
    var in = scored(millis, customerKnown ? customerZone : null,
        merchantKnown ? merchantZone : null);
    assertThat(feature("txn_night", in)).isEqualTo(hour < 6 ? 1 : 0);
    assertThat(feature("txn_weekend", in)).isEqualTo(dayOfWeek >= 5 ? 1 : 0);
  }
}
