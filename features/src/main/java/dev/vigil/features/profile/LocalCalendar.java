package dev.vigil.features.profile;

import dev.vigil.features.event.Event.Transaction;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

/**
 * Where the calendar features of a scored event (night, weekend) are judged: the one rule, used
 * by the streaming job, the scoring service and training alike, so that training and serving
 * agree.
 *
 * <ol>
 *   <li>the customer's time zone, where Vigil knows it (their newest {@code CustomerDetails}
 *       event, kept on {@link CustomerProfile#timeZone()}: the one source of the customer's
 *       zone, which collections' convenient hours read too);
 *   <li>else the merchant's or terminal's ({@code Transaction.merchant_time_zone});
 *   <li>else UTC.
 * </ol>
 *
 * @param zone the zone the event's local time is read in
 * @param source which rule gave it
 */
public record LocalCalendar(ZoneId zone, Source source) {
  /** The rule, as the catalogue states it. */
  public static final String RULE =
      "local time: the customer's time zone, else the merchant's or terminal's, else UTC";

  /** Which of the rule's zones applied. */
  public enum Source { CUSTOMER, MERCHANT, UTC }

  private static final LocalCalendar IN_UTC = new LocalCalendar(ZoneOffset.UTC, Source.UTC);

  /** The zone the calendar features of {@code in}'s scored event are judged in. */
  public static LocalCalendar of(FeatureInputs in) {
    ZoneId customer = in.customer().timeZone();
    if (customer != null) {
      return new LocalCalendar(customer, Source.CUSTOMER);
    }
    if (in.current() != null && in.current().kind() instanceof Transaction t
        && t.merchantZone() != null) {
      return new LocalCalendar(t.merchantZone(), Source.MERCHANT);
    }
    return IN_UTC;
  }

  /** {@code millis} as a date and time in this zone. */
  public ZonedDateTime at(long millis) {
    return Instant.ofEpochMilli(millis).atZone(zone);
  }
}
