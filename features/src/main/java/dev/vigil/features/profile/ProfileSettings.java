package dev.vigil.features.profile;

import java.time.Duration;

/**
 * Settings every process folding or reading profiles must share.
 *
 * @param allowedLateness an event older than its profile's newest event by more than this is
 *     refused as too late (and counted by the caller)
 * @param labelDelay how long fraud reports take to arrive: merchant counts and fraud rates cover
 *     windows ending this long before the query time (7 days, as in the Fraud Detection Handbook)
 */
public record ProfileSettings(Duration allowedLateness, Duration labelDelay) {
  public static final ProfileSettings DEFAULT =
      new ProfileSettings(Duration.ofDays(3), Duration.ofDays(7));

  public ProfileSettings {
    if (allowedLateness.isNegative() || labelDelay.isNegative()) {
      throw new IllegalArgumentException("allowedLateness and labelDelay must not be negative");
    }
  }
}
