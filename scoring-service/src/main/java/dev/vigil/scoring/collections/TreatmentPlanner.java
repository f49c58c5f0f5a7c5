package dev.vigil.scoring.collections;

import static dev.vigil.features.profile.FeatureCatalogue.DELINQUENCY;

import dev.vigil.features.event.Event.ContactChannel;
import dev.vigil.features.event.EventCodec;
import dev.vigil.features.profile.AccountProfile;
import dev.vigil.features.profile.FeatureCatalogue.Handle;
import dev.vigil.proto.v1.Treatment;
import dev.vigil.scoring.policy.Segment;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The next collections treatment for a segment: what to do, on which channel, and from when.
 *
 * <ul>
 *   <li>Segments: nothing for the low-risk; a reminder for the early signs and the likely
 *       self-cure; support, not pressure, for hardship (a hardship referral when one is declared,
 *       otherwise a payment plan, or a debt-counselling referral when nothing is yet past due);
 *       an agent call for the high risk.
 *   <li>The "one save" rule: a first broken promise to pay gets a second chance (a payment plan
 *       offer); repeated broken promises escalate.
 *   <li>Consent: a call needs call consent, a text SMS consent, an email email consent; a letter
 *       needs none. The treatment takes the first consented channel in its order of preference.
 *   <li>Regulation F: no call that would be the eighth in 7 days or within 7 days of a telephone
 *       conversation ({@link AccountProfile#callsAllowedFromMillis}).
 *   <li>Convenient hours: calls, texts and emails between 08:00 and 21:00 in the customer's time
 *       zone (FDCPA); a letter at any time.
 * </ul>
 */
public final class TreatmentPlanner {
  static final LocalTime OPENS = LocalTime.of(8, 0);
  static final LocalTime CLOSES = LocalTime.of(21, 0);

  private record Plan(TreatmentAction action, List<ContactChannel> channels, String rationale) {}

  /**
   * A treatment as planned, with what held it back: a call put off by Regulation F ({@code
   * callsPaused}), the preferred channel without consent ({@code channelNotConsented}).
   */
  public record Planned(Treatment treatment, boolean callsPaused, boolean channelNotConsented) {}

  /**
   * The treatment for an account in {@code segment} as of {@code asOfMillis}.
   *
   * @param zone the customer's time zone, for convenient hours
   */
  public Treatment plan(Segment segment, Map<String, Double> features, AccountProfile account,
      long asOfMillis, ZoneId zone) {
    return plan(segment, Map.of(), features, account, asOfMillis, zone).treatment();
  }

  /**
   * As {@link #plan(Segment, Map, AccountProfile, long, ZoneId)}, a strategy's {@code overrides}
   * (a segment's action instead of this planner's) first: an overridden action keeps its usual
   * channels, consent, Regulation F and convenient hours.
   */
  public Planned plan(Segment segment, Map<Segment, TreatmentAction> overrides,
      Map<String, Double> features, AccountProfile account, long asOfMillis, ZoneId zone) {
    TreatmentAction override = overrides.get(segment);
    Plan plan = override == null ? planFor(segment, features) : planOf(override);
    var out = Treatment.newBuilder().setAction(plan.action().wire())
        .setRationale(plan.rationale()).setTimeZone(zone.getId());
    if (plan.action() == TreatmentAction.NONE) {
      // no channel: the wire's CONTACT_CHANNEL_UNSPECIFIED
      return new Planned(out.build(), false, false);
    }
    ContactChannel channel = plan.channels().stream()
        .filter(c -> consented(c, features)).findFirst()
        .orElse(ContactChannel.LETTER);
    String rationale = plan.rationale();
    long earliest = asOfMillis;
    boolean paused = false;
    if (channel == ContactChannel.CALL) {
      long allowed = account.callsAllowedFromMillis(asOfMillis);
      if (allowed > asOfMillis) {
        rationale += "; calls paused until the Regulation F limits allow";
        paused = true;
      }
      earliest = allowed;
    }
    boolean notConsented = channel != plan.channels().get(0);
    if (notConsented) {
      rationale += "; " + name(plan.channels().get(0)) + " not consented, so " + name(channel);
    }
    if (channel != ContactChannel.LETTER) {
      earliest = convenient(earliest, zone);
    }
    return new Planned(out.setChannel(channel.wire()).setRationale(rationale)
        .setEarliestContactTime(EventCodec.timestamp(earliest)).build(), paused, notConsented);
  }

  /** A strategy's action for a segment, on the channels the action has everywhere. */
  private static Plan planOf(TreatmentAction action) {
    var call = ContactChannel.CALL;
    var sms = ContactChannel.SMS;
    var email = ContactChannel.EMAIL;
    var letter = ContactChannel.LETTER;
    String why = "the strategy's treatment for this segment: ";
    return switch (action) {
      case NONE -> new Plan(action, List.of(), why + "no contact");
      case REMINDER -> new Plan(action, List.of(sms, email, letter), why + "a reminder");
      case PAYMENT_PLAN_OFFER -> new Plan(action, List.of(call, email, letter),
          why + "an affordable payment plan");
      case HARDSHIP_REFERRAL -> new Plan(action, List.of(call, email, letter),
          why + "a referral to the hardship programme");
      case DEBT_COUNSELLING_REFERRAL -> new Plan(action, List.of(email, call, letter),
          why + "a referral to debt counselling");
      case AGENT_CALL -> new Plan(action, List.of(call, sms, email, letter), why + "an agent call");
      case ESCALATION -> new Plan(action, List.of(call, letter), why + "escalation");
    };
  }

  // the features the plan reads, resolved when this class loads: a renamed feature fails here
  private static final Handle PROMISES_BROKEN = DELINQUENCY.handle("promises_broken_180d");
  private static final Handle HARDSHIP = DELINQUENCY.handle("hardship");
  private static final Handle DAYS_PAST_DUE = DELINQUENCY.handle("dpd_current");
  private static final Handle CONSENT_CALL = DELINQUENCY.handle("consent_call");
  private static final Handle CONSENT_SMS = DELINQUENCY.handle("consent_sms");
  private static final Handle CONSENT_EMAIL = DELINQUENCY.handle("consent_email");

  private static Plan planFor(Segment segment, Map<String, Double> f) {
    var call = ContactChannel.CALL;
    var sms = ContactChannel.SMS;
    var email = ContactChannel.EMAIL;
    var letter = ContactChannel.LETTER;
    double broken = PROMISES_BROKEN.in(f, 0.0);
    return switch (segment) {
      case PRE_DELINQUENT -> new Plan(TreatmentAction.REMINDER,
          List.of(email, sms, letter), "early signs of strain: a gentle reminder before the due date");
      case SELF_CURE -> new Plan(TreatmentAction.REMINDER,
          List.of(sms, email, letter), "likely to pay unprompted: a reminder is enough");
      case NEEDS_HELP -> HARDSHIP.in(f, 0.0) > 0
          ? new Plan(TreatmentAction.HARDSHIP_REFERRAL,
              List.of(call, email, letter), "hardship declared: refer to the hardship programme")
          : DAYS_PAST_DUE.in(f, 0.0) > 0
              ? new Plan(TreatmentAction.PAYMENT_PLAN_OFFER,
                  List.of(call, email, letter),
                  "signs of financial difficulty: offer an affordable payment plan")
              : new Plan(TreatmentAction.DEBT_COUNSELLING_REFERRAL,
                  List.of(email, call, letter),
                  "signs of financial difficulty before any arrears: refer to debt counselling");
      case HIGH_RISK -> new Plan(TreatmentAction.AGENT_CALL,
          List.of(call, sms, email, letter), "unlikely to pay without contact: an agent call");
      case BROKEN_COMMITMENTS -> broken <= 1
          ? new Plan(TreatmentAction.PAYMENT_PLAN_OFFER,
              List.of(call, sms, email, letter),
              "one broken promise: a second chance with a payment plan (one-save rule)")
          : new Plan(TreatmentAction.ESCALATION, List.of(call, letter),
              String.format("%.0f broken promises in 6 months: escalate", broken));
      case CURRENT_LOW_RISK -> new Plan(TreatmentAction.NONE, List.of(),
          "current and low risk: no contact");
    };
  }

  private static boolean consented(ContactChannel channel, Map<String, Double> f) {
    return switch (channel) {
      case CALL -> CONSENT_CALL.in(f, 0.0) > 0;
      case SMS -> CONSENT_SMS.in(f, 0.0) > 0;
      case EMAIL -> CONSENT_EMAIL.in(f, 0.0) > 0;
      case LETTER -> true;
      case PUSH -> false;
    };
  }

  /** The first instant at or after {@code millis} within 08:00-21:00 local time. */
  static long convenient(long millis, ZoneId zone) {
    ZonedDateTime t = Instant.ofEpochMilli(millis).atZone(zone);
    LocalTime time = t.toLocalTime();
    if (time.isBefore(OPENS)) {
      t = t.with(OPENS);
    } else if (!time.isBefore(CLOSES)) {
      t = t.plusDays(1).with(OPENS);
    }
    return t.toInstant().toEpochMilli();
  }

  private static String name(ContactChannel c) {
    return c.name().toLowerCase(Locale.ROOT);
  }
}
