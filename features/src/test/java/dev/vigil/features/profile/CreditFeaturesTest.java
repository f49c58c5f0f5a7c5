package dev.vigil.features.profile;

import static dev.vigil.features.profile.ProfileTest.DAY;
import static dev.vigil.features.profile.ProfileTest.HOUR;
import static dev.vigil.features.profile.ProfileTest.T0;
import static dev.vigil.features.profile.ProfileTest.usd;
import static dev.vigil.features.profile.ProfileTest.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.Event.AccountStatus;
import dev.vigil.features.event.Event.Channel;
import dev.vigil.features.event.Event.Direction;
import dev.vigil.features.event.Event.Payment;
import dev.vigil.features.event.Event.PromiseToPay;
import dev.vigil.features.event.Event.Statement;
import dev.vigil.features.event.Event.Transaction;
import dev.vigil.features.profile.FeatureCatalogue.FeatureSet;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The credit features practitioners add to the raw statements, and the raw-statement baseline
 * itself, on a hand-made account whose every cycle's outcome is known: statements 30 days apart
 * (limit $1,000), each due 25 days after.
 */
class CreditFeaturesTest {
  private static final FeatureSet RAW = FeatureCatalogue.RAW_STATEMENTS_DELINQUENCY;
  private static final FeatureSet CREDIT = FeatureCatalogue.DELINQUENCY;
  private int ids;

  /**
   * Cycle k (0-6) is stated on day 30k: balance (k + 1) * $100, minimum $25. Paid: cycle 0 in
   * full, cycles 1-3 the minimum only, cycle 4 $10 (part of the minimum), cycle 5 nothing; then
   * 40 days past due reported on day 178; a promise made on day 179 due on day 186.
   */
  private List<Event> account() {
    var events = new ArrayList<Event>();
    long[] paid = {10_000, 2_500, 2_500, 2_500, 1_000, 0};
    for (int k = 0; k <= 6; k++) {
      long at = T0 + 30L * k * DAY;
      events.add(event(at, new Statement(usd((k + 1) * 10_000L), usd(2_500), at + 25 * DAY,
          usd(100_000))));
      if (k < paid.length && paid[k] > 0) {
        events.add(event(at + 10 * DAY, new Payment("p" + k, usd(paid[k]), false, "")));
      }
    }
    events.add(event(T0 + 178 * DAY, new AccountStatus(40, usd(70_000), 0)));
    events.add(event(T0 + 179 * DAY, new PromiseToPay(usd(2_500), T0 + 186 * DAY)));
    return events;
  }

  private Event event(long at, Event.Kind kind) {
    return new Event("c" + ids++, at, "a1", "c-a1", kind);
  }

  private static FeatureInputs inputs(List<Event> events, long asOf) {
    var book = new ProfileBook(ProfileTest.SETTINGS);
    events.forEach(book::fold);
    return book.inputsForAccount("a1", "c-a1", asOf);
  }

  @Test
  void theRawStatementsAreTheLastSixCyclesNewestFirst() {
    var in = inputs(account(), T0 + 181 * DAY);
    // the newest statement is cycle 6 (day 180), then 5, 4, ... 1
    for (int back = 1; back <= 6; back++) {
      int k = 7 - back;
      assertThat(value("stmt" + back + "_balance", RAW, in)).as("back %d", back)
          .isEqualTo((k + 1) * 10_000);
      assertThat(value("stmt" + back + "_limit", RAW, in)).isEqualTo(100_000);
      assertThat(value("stmt" + back + "_min_due", RAW, in)).isEqualTo(2_500);
    }
    assertThat(value("stmt1_paid", RAW, in)).isZero();
    assertThat(value("stmt2_paid", RAW, in)).isZero(); // cycle 5: nothing
    assertThat(value("stmt3_paid", RAW, in)).isEqualTo(1_000); // cycle 4: part
    assertThat(value("stmt4_paid", RAW, in)).isEqualTo(2_500);
    // the status of day 178 falls in cycle 5's span (day 150 to 180)
    assertThat(value("stmt1_dpd", RAW, in)).isEqualTo(40);
    assertThat(value("stmt2_dpd", RAW, in)).isZero();
    // before any statement: zeros, not an error
    var empty = inputs(account(), T0 - DAY);
    assertThat(RAW.vector(empty)).containsOnly(0.0);
  }

  @Test
  void whatEachCycleCameToIsCountedAsPractitionersDo() {
    var in = inputs(account(), T0 + 181 * DAY);
    assertThat(FeatureCatalogue.pastDue(in)).isTrue();
    assertThat(value("past_due", CREDIT, in)).isEqualTo(1);
    // due in the 182 days before day 181: cycles 0-5, whose due dates are days 25 ... 175
    assertThat(value("paid_in_full_6m", CREDIT, in)).isEqualTo(1); // cycle 0
    assertThat(value("paid_in_full_6m", CREDIT, inputs(account(), T0 + 210 * DAY))).isZero();
    assertThat(value("paid_in_full_share_12m", CREDIT, in)).isCloseTo(1 / 6.0, within(1e-9));
    assertThat(value("partial_payments_6m", CREDIT, in)).isEqualTo(1);
    // the newest due cycles: 5 (nothing) breaks the minimum-only streak at once
    assertThat(value("minimum_only_streak", CREDIT, in)).isZero();
    assertThat(value("minimum_only_streak", CREDIT, inputs(account(), T0 + 140 * DAY)))
        .isEqualTo(3); // cycles 3, 2, 1 paid their minimum only; cycle 0 in full
    // the newest missed cycle is 5, due on day 175: 6 days, a fifth of a month
    assertThat(value("months_since_missed_payment", CREDIT, in)).isCloseTo(6 / 30.0,
        within(1e-9));
    assertThat(value("months_since_missed_payment", CREDIT, inputs(account(), T0 + 100 * DAY)))
        .isEqualTo(13);
    // still unpaid of a past-due minimum: $25 of cycle 5, over the $1,000 limit
    assertThat(value("past_due_amount_to_limit", CREDIT, in)).isCloseTo(0.025, within(1e-9));
    assertThat(value("paid_to_balance_last_cycle", CREDIT, in)).isZero();
    assertThat(value("days_since_payment", CREDIT, in)).isEqualTo(181 - 130);
    assertThat(value("promise_open", CREDIT, in)).isEqualTo(1);
    assertThat(value("promise_open", CREDIT, inputs(account(), T0 + 187 * DAY))).isZero();
    // balance $700 now, $100 six statements before: +0.6 of the limit
    assertThat(value("balance_growth_6m", CREDIT, in)).isCloseTo(0.6, within(1e-9));
    assertThat(value("dpd_max_30d", CREDIT, in)).isEqualTo(40);
    // the last six statements: cycles 6 ... 1, balances $700 ... $200 (mean $450), of which
    // $25 + $25 + $25 + $10 were paid
    assertThat(value("balance_mean_6_statements", CREDIT, in)).isEqualTo(45_000);
    assertThat(value("paid_to_balance_6_statements", CREDIT, in)).isCloseTo(8_500 / 270_000.0,
        within(1e-9));
  }

  @Test
  void theCureSetIsTheDelinquencySetAndTheBaselineIsNamedOnlyForThem() {
    assertThat(FeatureCatalogue.CURE.names()).isEqualTo(CREDIT.names());
    assertThat(FeatureCatalogue.CURE.fingerprint()).isNotEqualTo(CREDIT.fingerprint());
    var in = inputs(account(), T0 + 181 * DAY);
    assertThat(FeatureCatalogue.CURE.vector(in)).containsExactly(CREDIT.vector(in));
    assertThat(FeatureCatalogue.named(Task.CURE, "raw-statements"))
        .isSameAs(FeatureCatalogue.RAW_STATEMENTS_CURE);
    assertThat(FeatureCatalogue.named(Task.DELINQUENCY, "default")).isSameAs(CREDIT);
    assertThatThrownBy(() -> FeatureCatalogue.named(Task.FRAUD, "raw-statements"))
        .hasMessageContaining("not a fraud one");
    assertThatThrownBy(() -> FeatureCatalogue.named(Task.CURE, "raw"))
        .hasMessageContaining("\"raw\"");
    // current once the status says so
    var events = account();
    events.add(event(T0 + 182 * DAY, new AccountStatus(0, usd(70_000), 0)));
    assertThat(FeatureCatalogue.pastDue(inputs(events, T0 + 183 * DAY))).isFalse();
  }

  @Test
  void aStatementsBalanceSurvivesTheProfileState() {
    var book = new ProfileBook(ProfileTest.SETTINGS);
    account().forEach(book::fold);
    var codec = new ProfileCodec(ProfileTest.SETTINGS);
    var key = EntityKey.account("a1");
    Profile restored = codec.decode(codec.encode(book.get(key)));
    long asOf = T0 + 181 * DAY + HOUR;
    var keys = FeatureInputs.keysForAccount("a1", "c-a1");
    var fromState = FeatureInputs.assemble(asOf, null, keys,
        k -> k.equals(key) ? restored : book.get(k));
    assertThat(RAW.vector(fromState))
        .containsExactly(RAW.vector(book.inputsForAccount("a1", "c-a1", asOf)));
    assertThat(value("stmt1_balance", RAW, fromState)).isEqualTo(70_000);
  }

  @Test
  void aStatementUnpaidCountsTheDaysSinceItUntilItsMinimumIsPaid() {
    // cycle 2 is stated on day 60 and its minimum paid on day 70
    assertThat(value("days_statement_unpaid", CREDIT, inputs(account(), T0 + 65 * DAY)))
        .isEqualTo(5);
    assertThat(value("days_statement_unpaid", CREDIT, inputs(account(), T0 + 75 * DAY)))
        .isZero();
    // cycle 4 (day 120): $10 paid on day 130 falls short of its $25 minimum
    assertThat(value("days_statement_unpaid", CREDIT, inputs(account(), T0 + 135 * DAY)))
        .isEqualTo(15);
    // cycle 6 (day 180): nothing paid yet
    assertThat(value("days_statement_unpaid", CREDIT, inputs(account(), T0 + 181 * DAY + HOUR)))
        .isCloseTo(1 + 1 / 24.0, within(1e-9));
    // a payment returned unpaid pays nothing: cycle 2 unpaid again once its return is known
    var returned = account();
    returned.add(event(T0 + 72 * DAY, new Payment("p2", usd(2_500), true, "R01")));
    assertThat(value("days_statement_unpaid", CREDIT, inputs(returned, T0 + 75 * DAY)))
        .isEqualTo(15);
    // nothing due: nothing unpaid
    var nothingDue = List.of(event(T0, new Statement(usd(0), usd(0), T0 + 25 * DAY,
        usd(100_000))));
    assertThat(value("days_statement_unpaid", CREDIT, inputs(nothingDue, T0 + 20 * DAY)))
        .isZero();
  }

  @Test
  void paidLateInCycleIsTheShareOfCyclesWhoseFirstPaymentCameInTheirLastFiveDaysOrNever() {
    // statements on days 0, 30, ... 120, each due 25 days after: the first payments come on day
    // 5 (early), 50 (5 days before the due date of day 55: on time), 81 (4 days before day 85:
    // late), and 112 (after cycle 3's due date of day 115 less 5 days: late)
    var events = new ArrayList<Event>();
    for (int k = 0; k <= 4; k++) {
      long at = T0 + 30L * k * DAY;
      events.add(event(at, new Statement(usd(50_000), usd(2_500), at + 25 * DAY,
          usd(100_000))));
    }
    long[] paidOn = {5, 50, 81, 112};
    for (long d : paidOn) {
      events.add(event(T0 + d * DAY, new Payment("p" + d, usd(2_500), false, "")));
    }
    // a second, later payment in cycle 0 does not make its first one late
    events.add(event(T0 + 24 * DAY, new Payment("late-extra", usd(1_000), false, "")));
    // as of day 130: cycles 0-3 are due (days 25, 55, 85, 115); 2 and 3 paid late or never
    assertThat(value("paid_late_in_cycle_share_6m", CREDIT, inputs(events, T0 + 130 * DAY)))
        .isCloseTo(2 / 4.0, within(1e-9));
    // as of day 100: cycles 0-2 due, cycle 2 late; cycle 3 not due yet says nothing
    assertThat(value("paid_late_in_cycle_share_6m", CREDIT, inputs(events, T0 + 100 * DAY)))
        .isCloseTo(1 / 3.0, within(1e-9));
    // as of day 230: only cycles due after day 48 count: 1 on time; 2, 3 and 4 (stated on day
    // 120, due on day 145, nothing paid after it) late
    assertThat(value("paid_late_in_cycle_share_6m", CREDIT, inputs(events, T0 + 230 * DAY)))
        .isCloseTo(3 / 4.0, within(1e-9));
    // none due yet
    assertThat(value("paid_late_in_cycle_share_6m", CREDIT, inputs(events, T0 + 20 * DAY)))
        .isZero();
  }

  @Test
  void payrollToItsAverageReadsOneForASteadyPayAndZeroForNone() {
    // $1,000 every 14 days on days 8 ... 78 (6 pays), as of day 85: 2 in 28 days, 6 in 84
    var steady = new ArrayList<Event>();
    for (long d = 8; d <= 78; d += 14) {
      steady.add(pay(d));
    }
    steady.add(event(T0 + 80 * DAY, new Transaction(usd(50_000), Direction.CREDIT,
        Channel.CARD_PRESENT, "m1", "5411", "US", "", ""))); // a refund: not pay
    assertThat(value("payroll_28d_to_avg_84d", CREDIT, inputs(steady, T0 + 85 * DAY)))
        .isCloseTo(1.0, within(1e-9));
    // the pay of day 78 did not come: 1 in 28 days over 5 in 84, a third each
    var stopped = new ArrayList<>(steady.subList(0, 5));
    assertThat(value("payroll_28d_to_avg_84d", CREDIT, inputs(stopped, T0 + 85 * DAY)))
        .isCloseTo(1_000 / (5_000 / 3.0), within(1e-9));
    // none in 84 days: 0, the same as pay that stopped a month ago, never a steady 1
    assertThat(value("payroll_28d_to_avg_84d", CREDIT, inputs(steady, T0 + 200 * DAY)))
        .isZero();
    assertThat(value("payroll_28d_to_avg_84d", CREDIT, inputs(steady, T0 + 120 * DAY)))
        .isZero();
  }

  private Event pay(long day) {
    return event(T0 + day * DAY, new Transaction(usd(100_000), Direction.CREDIT, Channel.ACH, "",
        "", "US", "", "employer-1"));
  }
}
