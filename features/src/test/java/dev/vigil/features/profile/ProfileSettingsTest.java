package dev.vigil.features.profile;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The one lateness rule: the job's intake, every profile's fold and Publish apply it. */
class ProfileSettingsTest {
  private static final long DAY = 86_400_000L;
  private static final long NEWEST = 1_000 * DAY;

  @Test
  void anEventIsBeyondTheHorizonOnlyWhenOlderThanTheHorizonBehindTheNewest() {
    var settings = new ProfileSettings(Duration.ofDays(380), Duration.ofDays(7));
    assertThat(settings.beyondHorizon(NEWEST - 380 * DAY, NEWEST)).isFalse(); // on the edge
    assertThat(settings.beyondHorizon(NEWEST - 380 * DAY - 1, NEWEST)).isTrue();
    assertThat(settings.beyondHorizon(NEWEST + DAY, NEWEST)).isFalse(); // newer than the newest
    assertThat(settings.beyondHorizon(Long.MIN_VALUE + 1, Long.MIN_VALUE)).isFalse(); // none seen
    assertThat(settings.beyondHorizonReason("the account's newest event"))
        .startsWith("older than the horizon (380 days behind the account's newest event)")
        .contains("--events-file");
  }

  @Test
  void aProfileSetsAsideWhatTheRuleSetsAsideAndCountsNothingForIt() {
    var settings = new ProfileSettings(Duration.ofDays(30), Duration.ofDays(7));
    var merchant = new MerchantProfile(settings);
    assertThat(merchant.fold(purchase("e1", NEWEST))).isEqualTo(Profile.Fold.FOLDED);
    assertThat(merchant.fold(purchase("e2", NEWEST - 30 * DAY))).isEqualTo(Profile.Fold.FOLDED);
    assertThat(merchant.fold(purchase("e3", NEWEST - 30 * DAY - 1)))
        .isEqualTo(Profile.Fold.BEYOND_HORIZON);
    assertThat(merchant.version()).isEqualTo(2);
  }

  private static dev.vigil.features.event.Event purchase(String id, long millis) {
    return new dev.vigil.features.event.Event(id, millis, "a1", "c1",
        new dev.vigil.features.event.Event.Transaction(
            new dev.vigil.features.event.Event.Money(1_000, "USD"),
            dev.vigil.features.event.Event.Direction.DEBIT,
            dev.vigil.features.event.Event.Channel.CARD_PRESENT, "m1", "5411", "US", "", ""));
  }
}
