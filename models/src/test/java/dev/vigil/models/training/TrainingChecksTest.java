package dev.vigil.models.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.Event.Channel;
import dev.vigil.features.event.Event.DepositReturn;
import dev.vigil.features.event.Event.Direction;
import dev.vigil.features.event.Event.FraudReport;
import dev.vigil.features.event.Event.Money;
import dev.vigil.features.event.Event.Transaction;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.history.simulator.Simulator;
import dev.vigil.history.training.TrainingSet;
import dev.vigil.history.training.TrainingSets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The checks on their own, on dates and rows made to measure (the command's: TrainRefusalsTest). */
class TrainingChecksTest {
  private static final Instant FEB_1 = Instant.parse("2026-02-01T00:00:00Z");
  private static final Instant MAR_1 = Instant.parse("2026-03-01T00:00:00Z");

  private static Event transaction(Instant at) {
    return new Event("t-" + at, at.toEpochMilli(), "a-1", "c-1", new Transaction(
        new Money(1_000, "USD"), Direction.DEBIT, Channel.CARD_PRESENT, "m-1", "5411", "US", "",
        ""));
  }

  private static Event fraudReport(Instant at) {
    return new Event("r-" + at, at.toEpochMilli(), "a-1", "c-1",
        new FraudReport("t-x", "m-1", FEB_1.toEpochMilli(), false));
  }

  /** A history of transactions from January to March 1st, and a late report after it. */
  private static final HistoryEnd END = HistoryEnd.of(List.of(
      transaction(Instant.parse("2026-01-01T00:00:00Z")), transaction(MAR_1),
      fraudReport(MAR_1.plus(Duration.ofDays(40)))));
  private static final long FIRST = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();

  private static Split week(Instant start) {
    return Split.byTime(new TimeSplit(start, Duration.ofDays(7), Duration.ofDays(7),
        Duration.ofDays(7)));
  }

  @Test
  void aHistoryEndsAtItsLastTransactionNotItsLastLateOutcome() {
    assertThat(END.millis()).isEqualTo(MAR_1.toEpochMilli());
    assertThat(END.describe()).isEqualTo("its last transaction");
    var outcomesOnly = HistoryEnd.of(List.of(fraudReport(FEB_1), fraudReport(MAR_1)));
    assertThat(outcomesOnly.millis()).isEqualTo(MAR_1.toEpochMilli());
    assertThat(outcomesOnly.describe()).isEqualTo("its last event");
  }

  @Test
  void depositReturnsAreAwaitedSixDaysAndTheRefusalSaysByWhenTheTestMustEnd() {
    var checks = TrainingChecks.DEFAULTS;
    // the test period ends February 22nd, 7 days before the end: every return is in
    assertThat(checks.periods(Task.DEPOSIT, week(FEB_1), FIRST, FEB_1.toEpochMilli(), END,
        Duration.ofDays(90), "weekly")).isEmpty();
    // ending February 24th, 5 days before it: a return may be missing
    Split late = week(FEB_1.plus(Duration.ofDays(2)));
    assertThatThrownBy(() -> checks.periods(Task.DEPOSIT, late, FIRST, FEB_1.toEpochMilli(), END,
        Duration.ofDays(90), "weekly"))
        .isInstanceOf(TrainingChecks.Refused.class)
        .hasMessageStartingWith("refused: the test period, ending 2026-02-24T00:00:00Z, is 5 days"
            + " before the end of the history (events from 2026-01-01T00:00:00Z to"
            + " 2026-03-01T00:00:00Z, its last transaction: 59 days)")
        .hasMessageContaining("deposit returns arrive up to 6 days after the deposit")
        .hasMessageContaining("so that it ends by 2026-02-23T00:00:00Z")
        .hasMessageContaining("--allow-incomplete-labels")
        .hasMessageContaining("--label-delay-days)")
        .hasMessageEndingWith("nothing was trained or published");
    // allowed: a warning, not a refusal
    var allowed = new TrainingChecks(30, null, true).periods(Task.DEPOSIT, late, FIRST,
        FEB_1.toEpochMilli(), END, Duration.ofDays(90), "weekly");
    assertThat(allowed).singleElement().asString().startsWith("warning: the test period, ending"
        + " 2026-02-24T00:00:00Z").contains("--allow-incomplete-labels: trained anyway");
    // a delay the user states replaces the task's
    assertThat(new TrainingChecks(30, Duration.ofDays(5), false).periods(Task.DEPOSIT, late,
        FIRST, FEB_1.toEpochMilli(), END, Duration.ofDays(90), "weekly")).isEmpty();
  }

  @Test
  void anEntitySplitTestsUpToTheEndSoItsFraudLabelsAreIncomplete() {
    var entity = Split.byAccount(FEB_1.toEpochMilli(), MAR_1.toEpochMilli() + 1,
        new Split.Accounts(0.3, 42));
    assertThatThrownBy(() -> TrainingChecks.DEFAULTS.periods(Task.FRAUD, entity, FIRST,
        FEB_1.toEpochMilli(), END, Duration.ofDays(90), "weekly"))
        .hasMessageContaining("ending 2026-03-01T00:00:00Z, is 0 days before the end")
        .hasMessageContaining("fraud reports arrive up to 61 days")
        .hasMessageContaining("use --split time with a test period ending by"
            + " 2025-12-30T00:00:00Z");
  }

  @Test
  void delinquencyIsJudgedByItsLastAsOfDateAndItsHorizon() {
    var checks = TrainingChecks.DEFAULTS;
    // the test period runs past the end, but its only as-of date is 14 days before it
    Split split = Split.byTime(new TimeSplit(FEB_1, Duration.ofDays(7), Duration.ofDays(2),
        Duration.ofDays(30)));
    assertThat(checks.periods(Task.DELINQUENCY, split, FIRST, FEB_1.toEpochMilli(), END,
        Duration.ofDays(10), "2026-02-15")).isEmpty();
    assertThatThrownBy(() -> checks.periods(Task.DELINQUENCY, split, FIRST,
        FEB_1.toEpochMilli(), END, Duration.ofDays(10), "2026-02-15,2026-02-25"))
        .hasMessageContaining("the test period's last as-of date, 2026-02-25T00:00:00Z, is 4 days"
            + " before the end")
        .hasMessageContaining("a delinquency label is known only 10 days after its as-of date")
        .hasMessageContaining("or a shorter --horizon-days");
    // weekly as-of dates count from the rows' start, not the test period's
    // (from February 1st: the 8th, 15th, 22nd; the test period February 11th to 22nd holds the
    // 15th, 14 days before the end, where counting from the 11th would give the 18th)
    Split weekly = Split.byTime(new TimeSplit(FEB_1, Duration.ofDays(10), Duration.ofDays(0),
        Duration.ofDays(11)));
    assertThat(checks.periods(Task.DELINQUENCY, weekly, FIRST, FEB_1.toEpochMilli(), END,
        Duration.ofDays(14), "weekly")).as("as-of February 15th, 14 days before").isEmpty();
    // a horizon beyond the whole history: refused even when incomplete labels are allowed
    assertThatThrownBy(() -> new TrainingChecks(30, null, true).periods(Task.DELINQUENCY,
        split, FIRST, FEB_1.toEpochMilli(), END, Duration.ofDays(90), "weekly"))
        .hasMessageStartingWith("refused: --horizon-days 90 is longer than the history (events"
            + " from 2026-01-01T00:00:00Z to 2026-03-01T00:00:00Z, its last transaction: 59"
            + " days)")
        .hasMessageContaining("Use a shorter --horizon-days or a longer history (--events)");
  }

  @Test
  void fewerTestPositivesThanTheMinimumAreRefusedWithTheirCount() {
    Split split = week(FEB_1);
    var rows = new ArrayList<TrainingSet.Row>();
    IntStream.range(0, 10).forEach(i -> rows.add(new TrainingSet.Row("r" + i,
        FEB_1.toEpochMilli(), "a" + i, new double[0], i < 2 ? 1 : 0)));
    assertThatThrownBy(() -> new TrainingChecks(3, null, false).testRows(split, rows))
        .isInstanceOf(TrainingChecks.Refused.class)
        .hasMessage("refused: the test period 2026-02-15T00:00:00Z to 2026-02-22T00:00:00Z"
            + " (exclusive) holds 2 bad outcome(s) among 10 rows, fewer than"
            + " --min-test-positives 3: metrics of so few say little however high they are."
            + " Widen or move the test period (--start, --test-days), use a larger history"
            + " (--events), or lower --min-test-positives to accept them; nothing was trained or"
            + " published");
    new TrainingChecks(2, null, false).testRows(split, rows);
    // none at all is Workflow.train's to refuse (no metric is defined), not a count's
    new TrainingChecks(3, null, false).testRows(split, rows.subList(2, 10));
    assertThatThrownBy(() -> new TrainingChecks(-1, null, false))
        .hasMessage("--min-test-positives must be 0 or more, not -1");
  }

  @Test
  void aPeriodStartsAtTheNextMidnightUnlessItIsOne() {
    assertThat(TimeSplit.dayStartOnOrAfter(Instant.parse("2026-02-07T00:00:14.591Z")))
        .isEqualTo(Instant.parse("2026-02-08T00:00:00Z"));
    assertThat(TimeSplit.dayStartOnOrAfter(Instant.parse("2026-02-07T00:00:00Z")))
        .isEqualTo(Instant.parse("2026-02-07T00:00:00Z"));
  }

  @Test
  void theSimulatorsOutcomesArriveWithinTheDeclaredDelays() {
    long[] latest = {0, 0};
    long[] seen = {0, 0};
    new Simulator(Simulator.Config.of(5, 300, 60)).run(e -> {
      if (e.kind() instanceof FraudReport r) {
        seen[0]++;
        latest[0] = Math.max(latest[0], e.timeMillis() - r.reportedEventMillis());
      } else if (e.kind() instanceof DepositReturn r) {
        seen[1]++;
        latest[1] = Math.max(latest[1], e.timeMillis() - r.depositMillis());
      }
    });
    assertThat(seen[0]).as("fraud reports").isGreaterThan(10);
    assertThat(seen[1]).as("deposit returns").isGreaterThan(10);
    assertThat(Duration.ofMillis(latest[0])).isLessThanOrEqualTo(
        TrainingSets.FRAUD_REPORT_DELAY).isGreaterThan(Duration.ofDays(1));
    assertThat(Duration.ofMillis(latest[1])).isLessThanOrEqualTo(
        TrainingSets.DEPOSIT_RETURN_DELAY).isGreaterThan(Duration.ofDays(4));
    assertThat(TrainingSets.labelDelay(Task.DELINQUENCY, Duration.ofDays(45)))
        .isEqualTo(Duration.ofDays(45));
  }

  @Test
  void noLabelDelayOverrideMakesADelinquencyLabelCompleteBeforeItsHorizon() {
    Duration horizon = Duration.ofDays(90);
    var checks = new TrainingChecks(TrainingChecks.DEFAULT_MIN_TEST_POSITIVES, Duration.ZERO,
        false);
    assertThat(checks.delay(Task.DELINQUENCY, horizon)).isEqualTo(horizon);
    assertThat(new TrainingChecks(TrainingChecks.DEFAULT_MIN_TEST_POSITIVES,
        Duration.ofDays(120), false).delay(Task.DELINQUENCY, horizon))
        .isEqualTo(Duration.ofDays(120));
    assertThat(checks.delay(Task.DEPOSIT, horizon)).isEqualTo(Duration.ZERO);
  }
}
