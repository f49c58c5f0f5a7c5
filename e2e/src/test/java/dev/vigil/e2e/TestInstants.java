package dev.vigil.e2e;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;

/** Instants of known time of day for tests whose processes run on the wall clock. */
final class TestInstants {
  private TestInstants() {}

  /** The newest 12:00 UTC on a Monday to Friday at or before {@code t}. */
  static long weekdayNoonBefore(Instant t) {
    ZonedDateTime noon = t.atZone(ZoneOffset.UTC).withHour(12).truncatedTo(ChronoUnit.HOURS);
    while (noon.toInstant().isAfter(t) || noon.getDayOfWeek() == DayOfWeek.SATURDAY
        || noon.getDayOfWeek() == DayOfWeek.SUNDAY) {
      noon = noon.minusDays(1);
    }
    return noon.toInstant().toEpochMilli();
  }
}
