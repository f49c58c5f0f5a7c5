package dev.vigil.models.training;

import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.history.training.TrainingSet;
import dev.vigil.history.training.TrainingSets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What training checks before it believes its own metrics, each named with the option that
 * changes it. Every case refuses (a {@link Refused}; nothing is trained, so nothing is published
 * or activated), because each makes the metrics mislead:
 *
 * <ul>
 *   <li>the delinquency horizon is longer than the history: no row's outcome can be observed over
 *       its whole horizon, so every "no" is unknown (a shorter {@code --horizon-days} or a longer
 *       history);
 *   <li>the test rows' labels cannot all have arrived: the last test row is within the task's label
 *       delay ({@link TrainingSets#labelDelay}) of the history's end ({@link HistoryEnd}), so bad
 *       outcomes still unreported count as good. {@code --allow-incomplete-labels} turns this one
 *       into a warning (the user has judged it), and {@code --label-delay-days} states a bank's own
 *       delay;
 *   <li>the test rows hold fewer bad outcomes than {@code --min-test-positives}: AUC and average
 *       precision of three frauds say little, however high. Lowering the threshold is the
 *       override.
 * </ul>
 *
 * @param minTestPositives the fewest bad outcomes among the test rows to accept
 * @param labelDelay how late a label can arrive, or null for the task's own
 *     ({@link TrainingSets#labelDelay})
 * @param allowIncompleteLabels train on a test period whose labels may not all have arrived, with
 *     a warning instead of a refusal
 */
public record TrainingChecks(int minTestPositives, Duration labelDelay,
    boolean allowIncompleteLabels) {
  /**
   * The default fewest bad outcomes in a test period: with 30, one more or one fewer caught moves
   * recall by about 3 points; with 3, by 33.
   */
  public static final int DEFAULT_MIN_TEST_POSITIVES = 30;
  /** {@code train}'s defaults. */
  public static final TrainingChecks DEFAULTS =
      new TrainingChecks(DEFAULT_MIN_TEST_POSITIVES, null, false);

  private static final long DAY = 86_400_000L;

  public TrainingChecks {
    if (minTestPositives < 0) {
      throw new IllegalArgumentException("--min-test-positives must be 0 or more, not "
          + minTestPositives);
    }
    if (labelDelay != null && labelDelay.isNegative()) {
      throw new IllegalArgumentException("--label-delay-days must be 0 or more, not "
          + labelDelay.toDays());
    }
  }

  /** A refusal: why, with the figures, and which option changes it; nothing was published. */
  public static final class Refused extends IllegalArgumentException {
    public Refused(String message) {
      super("refused: " + message + "; nothing was trained or published");
    }
  }

  /**
   * Checks the periods, before any row is built (dates only): the horizon against the history and
   * whether the test rows' labels can have arrived.
   *
   * @param firstMillis the history's first event
   * @param rowsFrom where the training set's rows start (delinquency's weekly as-of dates count
   *     from its first midnight)
   * @param end where the history ends for its labels
   * @param horizon delinquency's outcome horizon (ignored for the other tasks)
   * @param schedule delinquency's as-of dates (ignored for the other tasks)
   * @return warnings to print (the incomplete labels allowed); empty when all is well
   * @throws Refused naming the cause, the dates and the option to change
   */
  public List<String> periods(Task task, Split split, long firstMillis, long rowsFrom,
      HistoryEnd end, Duration horizon, String schedule) {
    var warnings = new ArrayList<String>();
    long endMillis = end.millis();
    String history = "the history (events from " + Instant.ofEpochMilli(firstMillis) + " to "
        + Instant.ofEpochMilli(endMillis) + ", " + end.describe() + ": "
        + days(endMillis - firstMillis) + ")";
    if (task.asOfDates() && horizon.toMillis() > endMillis - firstMillis) {
      throw new Refused("--horizon-days " + horizon.toDays() + " is longer than " + history
          + ": no account's outcome can be observed over its whole horizon, so every row's"
          + " label would be decided for want of time. Use a shorter --horizon-days"
          + " or a longer history (--events)");
    }
    long testFrom = split.time() != null ? split.time().testFrom() : split.from();
    long testTo = split.time() != null ? split.time().testTo() : split.to();
    long latest;
    if (task.asOfDates()) {
      var asOf = TrainingSets.schedule(schedule, rowsFrom, testTo).stream()
          .filter(t -> t >= testFrom).toList();
      if (asOf.isEmpty()) {
        return warnings; // no test rows: Workflow.train refuses, naming the period
      }
      latest = asOf.get(asOf.size() - 1);
    } else {
      latest = Math.min(testTo, endMillis);
    }
    Duration delay = delay(task, horizon);
    if (latest + delay.toMillis() <= endMillis) {
      return warnings;
    }
    String what = switch (task) {
      case FRAUD -> "fraud reports arrive up to " + delay.toDays() + " days after their"
          + " transaction, so a fraud in it may still count as good";
      case DEPOSIT -> "deposit returns arrive up to " + delay.toDays() + " days after the"
          + " deposit, so a bad deposit in it may still count as good";
      case DELINQUENCY -> "a delinquency label is known only " + delay.toDays() + " days after"
          + " its as-of date (the horizon), so an account that will fall behind may still count"
          + " as current";
      case CURE -> "a cure label is known only " + delay.toDays() + " days after its as-of date"
          + " (the horizon), so an account that will cure may still count as not cured";
      case ROLL -> "a roll label is known only " + delay.toDays() + " days after its as-of date"
          + " (the horizon), so an account that will roll may still count as not rolled";
    };
    String period = (task.asOfDates() ? "the test period's last as-of date, "
        + Instant.ofEpochMilli(latest) : "the test period, ending "
        + Instant.ofEpochMilli(latest)) + ", is " + days(endMillis - latest) + " before the end"
        + " of " + history;
    String cause = period + ": " + what;
    if (allowIncompleteLabels) {
      warnings.add("warning: " + cause + " (--allow-incomplete-labels: trained anyway; its"
          + " metrics may flatter or understate the model)");
      return warnings;
    }
    String move = split.time() != null
        ? "move the test period earlier (--start, --train-days, --gap-days, --test-days) so that"
            + (task.asOfDates() ? " its last as-of date is" : " it ends") + " by "
            + Instant.ofEpochMilli(endMillis - delay.toMillis())
        : "use --split time with a test period ending by "
            + Instant.ofEpochMilli(endMillis - delay.toMillis());
    throw new Refused(cause + ". To change it: " + move + ", use a longer history (--events),"
        + " state how late your labels arrive (--label-delay-days" + (task.asOfDates()
            ? " or a shorter --horizon-days" : "") + "), or give --allow-incomplete-labels to"
        + " train anyway");
  }

  /**
   * Checks the test rows' bad outcomes against {@link #minTestPositives}. Rows with no or only bad
   * outcomes are left to {@link Workflow#train}, which refuses them as unmeasurable.
   *
   * @throws Refused with the count and the period
   */
  public void testRows(Split split, List<TrainingSet.Row> test) {
    long bad = test.stream().filter(r -> r.label() == 1).count();
    if (bad == 0 || bad == test.size() || bad >= minTestPositives) {
      return;
    }
    throw new Refused(String.format(Locale.ROOT, "%s holds %,d bad outcome(s) among %,d rows,"
        + " fewer than --min-test-positives %d: metrics of so few say little however high they"
        + " are. Widen or move the test period (--start, --test-days), use a larger history"
        + " (--events), or lower --min-test-positives to accept them", split.describeTest(), bad,
        test.size(), minTestPositives));
  }

  /** The label delay these checks use for {@code task}. */
  public Duration delay(Task task, Duration horizon) {
    Duration declared = labelDelay != null ? labelDelay : TrainingSets.labelDelay(task, horizon);
    // a delinquency label says whether the account went bad within its horizon: no override
    // makes one complete sooner
    return task.asOfDates() && declared.compareTo(horizon) < 0 ? horizon : declared;
  }

  private static String days(long millis) {
    double days = millis / (double) DAY;
    return days == Math.rint(days) ? String.format(Locale.ROOT, "%d days", (long) days)
        : String.format(Locale.ROOT, "%.1f days", days);
  }
}
