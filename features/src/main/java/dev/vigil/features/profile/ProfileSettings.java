package dev.vigil.features.profile;

import java.time.Duration;

/**
 * Settings every process folding or reading profiles must share.
 *
 * @param horizon how far behind its profile's newest event an event may be and still be folded
 *     (the streaming job judges it against the watermark, at intake, and Publish against the
 *     clock): the longest feature window (365 days) and the coarsest bucket's slack, so that an
 *     event older than this can change no feature. Within it, the profiles' state depends only on
 *     the set of events folded, not on the order they came in, so a late event counts exactly as
 *     if it had come on time.
 * @param labelDelay how long fraud reports take to arrive: merchant counts and fraud rates cover
 *     windows ending this long before the query time (7 days, as in the Fraud Detection Handbook)
 */
public record ProfileSettings(Duration horizon, Duration labelDelay) {
  /** The default horizon: 365 days and the 6-day buckets' slack, rounded up. */
  public static final Duration HORIZON = Duration.ofDays(380);
  public static final ProfileSettings DEFAULT = new ProfileSettings(HORIZON, Duration.ofDays(7));

  public ProfileSettings {
    if (horizon.isNegative() || labelDelay.isNegative()) {
      throw new IllegalArgumentException("horizon and labelDelay must not be negative");
    }
  }
}
