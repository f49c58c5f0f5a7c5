package dev.vigil.models.training;

import java.time.Duration;
import java.time.Instant;

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
