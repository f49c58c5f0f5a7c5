package dev.vigil.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class TestInstantsTest {
  static long at(String instant) {
    return Instant.parse(instant).toEpochMilli();
  }

  @Test
  void aWeekdayNoonAtOrBeforeTheGivenTime() {
    // Monday night: the Friday before
    assertThat(TestInstants.weekdayNoonBefore(Instant.parse("2026-11-30T03:00:00Z")))
        .isEqualTo(at("2026-11-27T12:00:00Z"));
    // Wednesday noon exactly: itself; a second earlier: Tuesday's
    assertThat(TestInstants.weekdayNoonBefore(Instant.parse("2026-11-25T12:00:00Z")))
        .isEqualTo(at("2026-11-25T12:00:00Z"));
    assertThat(TestInstants.weekdayNoonBefore(Instant.parse("2026-11-25T11:59:59Z")))
        .isEqualTo(at("2026-11-24T12:00:00Z"));
  }

  @Test
  void neverMoreThanThreeDaysBackWhateverTheHourOfTheWeek() {
    Instant t = Instant.parse("2026-11-23T00:00:00Z"); // a Monday
    for (int minutes = 0; minutes < 7 * 24 * 60; minutes += 7) {
      Instant at = t.plus(Duration.ofMinutes(minutes));
      long noon = TestInstants.weekdayNoonBefore(at);
      var local = Instant.ofEpochMilli(noon).atZone(ZoneOffset.UTC);
      assertThat(local.getHour()).isEqualTo(12);
      assertThat(local.getDayOfWeek().getValue()).isBetween(1, 5);
      assertThat(noon).isLessThanOrEqualTo(at.toEpochMilli())
          .isGreaterThan(at.toEpochMilli() - Duration.ofDays(3).toMillis() - 1);
    }
  }
}
