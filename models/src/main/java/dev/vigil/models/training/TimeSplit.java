package dev.vigil.models.training;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * A split by time, never at random across time: train on {@code [start, start + train)}, skip a
 * gap as long as the label delay (outcomes of the last training days are not yet known when the
 * model would ship), test on the period after it.
 */
public record TimeSplit(Instant start, Duration train, Duration gap, Duration test) {
  public TimeSplit {
    if (train.isNegative() || train.isZero() || test.isNegative() || test.isZero()
        || gap.isNegative()) {
      throw new IllegalArgumentException("train and test must be positive and gap not negative");
    }
  }

  /**
   * The start of the UTC day {@code t} falls in, or {@code t} itself when it is one: where a
   * period begins unless the user names an instant, so that a training period starting from the
   * first event plus a burn-in begins at 2026-02-08T00:00:00Z, not 2026-02-07T00:00:14.591Z.
   */
  public static Instant dayStartOnOrAfter(Instant t) {
    Instant day = t.truncatedTo(ChronoUnit.DAYS);
    return day.equals(t) ? t : day.plus(Duration.ofDays(1));
  }

  public long trainFrom() {
    return start.toEpochMilli();
  }

  public long trainTo() {
    return start.plus(train).toEpochMilli();
  }

  public long testFrom() {
    return start.plus(train).plus(gap).toEpochMilli();
  }

  public long testTo() {
    return start.plus(train).plus(gap).plus(test).toEpochMilli();
  }

  public boolean inTraining(long t) {
    return t >= trainFrom() && t < trainTo();
  }

  public boolean inTest(long t) {
    return t >= testFrom() && t < testTo();
  }
}
