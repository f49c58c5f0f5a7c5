package dev.vigil.features.profile;

import java.time.Duration;

/**
 * Settings every process folding or reading profiles must share. Serializable, so that a
 * streaming job's functions carry them as they are.
 *
 * @param horizon how far behind its profile's newest event an event may be and still be folded
 *     ({@link #beyondHorizon}: the streaming job judges it per account at intake, each profile
 *     again when it folds, and Publish against the clock): the longest feature window (365 days)
 *     and the coarsest bucket's slack, so that an event older than this can change no feature.
 *     Within it, the profiles' state depends only on the set of events folded, not on the order
 *     they came in, so a late event counts exactly as if it had come on time.
 * @param labelDelay how long fraud reports take to arrive: merchant counts and fraud rates cover
 *     windows ending this long before the query time (7 days, as in the Fraud Detection Handbook)
 */
public record ProfileSettings(Duration horizon, Duration labelDelay)
    implements java.io.Serializable {
  /** The default horizon: 365 days and the 6-day buckets' slack, rounded up. */
  public static final Duration HORIZON = Duration.ofDays(380);
  public static final ProfileSettings DEFAULT = new ProfileSettings(HORIZON, Duration.ofDays(7));

  public ProfileSettings {
    if (horizon.isNegative() || labelDelay.isNegative()) {
      throw new IllegalArgumentException("horizon and labelDelay must not be negative");
    }
  }

  /**
   * The lateness rule, the one every process applies: whether an event at {@code eventMillis} is
   * older than the horizon behind {@code newestMillis} (a profile's or an account's newest event
   * time, or the clock), so that it can change no feature and is set aside.
   *
   * @param newestMillis the newest time judged against; {@code Long.MIN_VALUE} (nothing seen yet)
   *     sets nothing aside
   */
  public boolean beyondHorizon(long eventMillis, long newestMillis) {
    return newestMillis != Long.MIN_VALUE && eventMillis < newestMillis - horizon.toMillis();
  }

  /** Why an event {@link #beyondHorizon} is set aside, for a dead letter or a refusal. */
  public String beyondHorizonReason(String behind) {
    return "older than the horizon (" + horizon.toDays() + " days behind " + behind + "): no"
        + " feature window reaches it; backfill older history with the job's file source"
        + " (--events-file)";
  }
}
