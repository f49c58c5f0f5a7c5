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
import dev.vigil.features.event.Event.Payment;
import dev.vigil.features.event.Event.PromiseToPay;
import dev.vigil.features.event.Event.Statement;
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
}
