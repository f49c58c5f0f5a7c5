package dev.vigil.scoring.collections;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.Event.ContactAttempt;
import dev.vigil.features.event.Event.ContactChannel;
import dev.vigil.features.profile.AccountProfile;
import dev.vigil.features.profile.ProfileSettings;
import dev.vigil.proto.v1.TreatmentAction;
import dev.vigil.scoring.policy.Segment;
import java.time.Instant;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TreatmentPlannerTest {
  private static final long HOUR = 3_600_000L;
  private static final long DAY = 24 * HOUR;
  private static final ZoneId CHICAGO = ZoneId.of("America/Chicago");
  // 2026-03-10 15:00 UTC = 10:00 in Chicago
  private static final long NOW = Instant.parse("2026-03-10T15:00:00Z").toEpochMilli();
  private final TreatmentPlanner planner = new TreatmentPlanner();

  private static Map<String, Double> consents(boolean call, boolean sms, boolean email) {
    var f = new HashMap<String, Double>();
    f.put("consent_call", call ? 1.0 : 0.0);
    f.put("consent_sms", sms ? 1.0 : 0.0);
    f.put("consent_email", email ? 1.0 : 0.0);
    f.put("dpd_current", 40.0);
    return f;
  }

  private static AccountProfile calledAt(long... times) {
    var a = new AccountProfile(ProfileSettings.DEFAULT);
    int i = 0;
    for (long t : times) {
      a.fold(new Event("call-" + i++, t, "a-1", "c-1", new ContactAttempt(ContactChannel.CALL,
          false)));
    }
    return a;
  }

  @Test
  void oneSaveRuleGivesASecondChanceThenEscalates() {
    var f = consents(true, true, true);
    f.put("promises_broken_180d", 1.0);
    var first = planner.plan(Segment.BROKEN_COMMITMENTS, f, calledAt(), NOW, CHICAGO);
    assertThat(first.getAction()).isEqualTo(TreatmentAction.TREATMENT_ACTION_PAYMENT_PLAN_OFFER);
    f.put("promises_broken_180d", 2.0);
    var again = planner.plan(Segment.BROKEN_COMMITMENTS, f, calledAt(), NOW, CHICAGO);
    assertThat(again.getAction()).isEqualTo(TreatmentAction.TREATMENT_ACTION_ESCALATION);
  }

  @Test
  void hardshipIsReferredNotPressed() {
    var f = consents(true, true, true);
    f.put("hardship", 1.0);
    assertThat(planner.plan(Segment.NEEDS_HELP, f, calledAt(), NOW, CHICAGO).getAction())
        .isEqualTo(TreatmentAction.TREATMENT_ACTION_HARDSHIP_REFERRAL);
  }

  @Test
  void withoutCallConsentTheNextConsentedChannelIsUsed() {
    var t = planner.plan(Segment.HIGH_RISK, consents(false, true, true), calledAt(), NOW,
        CHICAGO);
    assertThat(t.getChannel()).isEqualTo(dev.vigil.proto.v1.ContactChannel.CONTACT_CHANNEL_SMS);
    var none = planner.plan(Segment.HIGH_RISK, consents(false, false, false), calledAt(),
        NOW, CHICAGO);
    assertThat(none.getChannel())
        .isEqualTo(dev.vigil.proto.v1.ContactChannel.CONTACT_CHANNEL_LETTER);
  }

  @Test
  void sevenCallsInSevenDaysPauseCallingUntilTheOldestLeavesTheWeek() {
    long oldest = NOW - 6 * DAY;
    var account = calledAt(oldest, NOW - 5 * DAY, NOW - 4 * DAY, NOW - 3 * DAY, NOW - 2 * DAY,
        NOW - DAY, NOW - HOUR);
    var t = planner.plan(Segment.HIGH_RISK, consents(true, true, true), account, NOW,
        CHICAGO);
    assertThat(t.getChannel()).isEqualTo(dev.vigil.proto.v1.ContactChannel.CONTACT_CHANNEL_CALL);
    long earliest = t.getEarliestContactTime().getSeconds() * 1000;
    // not before the oldest call is 7 days old; the window bound may add up to 1/60 of a week
    assertThat(earliest).isGreaterThanOrEqualTo(oldest + 7 * DAY)
        .isLessThanOrEqualTo(oldest + 7 * DAY + 7 * DAY / 60 + 15 * 60_000L + 13 * HOUR);
    assertThat(t.getRationale()).contains("Regulation F");
    // six calls: one more is allowed now
    var six = calledAt(NOW - 5 * DAY, NOW - 4 * DAY, NOW - 3 * DAY, NOW - 2 * DAY, NOW - DAY,
        NOW - HOUR);
    assertThat(planner.plan(Segment.HIGH_RISK, consents(true, true, true), six, NOW,
        CHICAGO).getEarliestContactTime().getSeconds() * 1000).isEqualTo(NOW);
  }

  @Test
  void contactWaitsForConvenientHoursInTheCustomersZone() {
    long lateEvening = Instant.parse("2026-03-11T03:30:00Z").toEpochMilli(); // 22:30 Chicago
    var t = planner.plan(Segment.SELF_CURE, consents(true, true, true), calledAt(),
        lateEvening, CHICAGO);
    assertThat(Instant.ofEpochSecond(t.getEarliestContactTime().getSeconds()))
        .isEqualTo(Instant.parse("2026-03-11T13:00:00Z")); // 08:00 Chicago (CDT) next morning
  }
}
