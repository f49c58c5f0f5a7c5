package dev.vigil.history.training;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.Event.Direction;
import dev.vigil.features.event.Event.Transaction;
import dev.vigil.features.profile.ProfileSettings;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.history.simulator.Simulator;
import dev.vigil.history.training.TrainingSet.Row;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TrainingSetsTest {
  static final long DAY = 86_400_000L;
  static final ProfileSettings SETTINGS = ProfileSettings.DEFAULT;
  static List<Event> history;
  static long start;

  @BeforeAll
  static void simulate() {
    history = new ArrayList<>();
    var config = Simulator.Config.of(31, 400, 45);
    start = config.startMillis();
    new Simulator(config).run(history::add);
  }

  /**
   * The leakage test: rows up to a cut time are identical whether the history stops at the cut or
   * goes on (with the fraud reports, deposit returns, payments and statuses that came later).
   */
  /**
   * Training judges the calendar features by the same rule as serving: for every transaction, the
   * customer's zone from their newest CustomerDetails replayed before it, else the merchant's,
   * else UTC, found here by a brute-force scan of the raw history.
   */
  @Test
  void calendarFeaturesAreJudgedInTheCustomersZoneElseTheMerchantsAsOfEachTransaction() {
    var set = TrainingSets.fraud(history, SETTINGS, start, Long.MAX_VALUE);
    var ordered = new ArrayList<>(history);
    ordered.sort((a, b) -> Long.compare(a.timeMillis(), b.timeMillis()));
    Map<String, Event> byId = new HashMap<>();
    Map<String, Integer> position = new HashMap<>();
    Map<String, List<Integer>> detailsByCustomer = new HashMap<>();
    for (int i = 0; i < ordered.size(); i++) {
      Event e = ordered.get(i);
      byId.put(e.eventId(), e);
      position.put(e.eventId(), i);
      if (e.kind() instanceof Event.CustomerDetails) {
        detailsByCustomer.computeIfAbsent(e.customerId(), k -> new ArrayList<>()).add(i);
      }
    }
    int night = set.features().names().indexOf("txn_night");
    int weekend = set.features().names().indexOf("txn_weekend");
    Map<String, Integer> bySource = new HashMap<>();
    int differsFromUtc = 0;
    for (Row r : set.rows()) {
      Event e = byId.get(r.id());
      java.time.ZoneId zone = null;
      String source = "utc";
      long newest = Long.MIN_VALUE;
      for (int i : detailsByCustomer.getOrDefault(e.customerId(), List.of())) {
        Event d = ordered.get(i);
        if (i < position.get(r.id()) && d.timeMillis() >= newest) {
          newest = d.timeMillis();
          zone = ((Event.CustomerDetails) d.kind()).timeZone();
          source = "customer";
        }
      }
      if (zone == null && ((Transaction) e.kind()).merchantZone() != null) {
        zone = ((Transaction) e.kind()).merchantZone();
        source = "merchant";
      }
      var local = java.time.Instant.ofEpochMilli(r.asOfMillis())
          .atZone(zone == null ? java.time.ZoneOffset.UTC : zone);
      assertThat(r.values()[night]).as("night of %s", r.id())
          .isEqualTo(local.getHour() < 6 ? 1 : 0);
      assertThat(r.values()[weekend]).as("weekend of %s", r.id())
          .isEqualTo(local.getDayOfWeek().getValue() >= 6 ? 1 : 0);
      bySource.merge(source, 1, Integer::sum);
      var utc = java.time.Instant.ofEpochMilli(r.asOfMillis()).atZone(java.time.ZoneOffset.UTC);
      if ((utc.getHour() < 6) != (local.getHour() < 6)) {
        differsFromUtc++;
      }
    }
    assertThat(bySource).as("both the customer's zone and the merchant's are exercised")
        .containsKeys("customer", "merchant");
    assertThat(differsFromUtc).as("transactions whose night differs from UTC's")
        .isGreaterThan(100);
  }

  @Test
  void aDelinquencyScheduleIsWeeklyMonthlyOrTheUsersDates() {
    long from = java.time.Instant.parse("2026-01-15T00:00:00Z").toEpochMilli();
    long to = java.time.Instant.parse("2026-04-01T00:00:00Z").toEpochMilli();
    assertThat(TrainingSets.schedule("monthly", from, to)).containsExactly(
        java.time.Instant.parse("2026-02-01T00:00:00Z").toEpochMilli(),
        java.time.Instant.parse("2026-03-01T00:00:00Z").toEpochMilli());
    assertThat(TrainingSets.schedule("weekly", from, to)).hasSize(11)
        .allMatch(t -> (t - from) % Duration.ofDays(7).toMillis() == 0);
    // a list: sorted, deduplicated, only inside [from, to)
    assertThat(TrainingSets.schedule("2026-03-10, 2026-02-20T12:00:00Z,2026-03-10,2025-12-01",
        from, to)).containsExactly(
            java.time.Instant.parse("2026-02-20T12:00:00Z").toEpochMilli(),
            java.time.Instant.parse("2026-03-10T00:00:00Z").toEpochMilli());
    org.assertj.core.api.Assertions.assertThatThrownBy(
        () -> TrainingSets.schedule("2026-02-01,fortnightly", from, to))
        .hasMessageContaining("schedule: \"fortnightly\"");
  }

  @Test
  void nothingAfterTheAsOfTimeReachesTheFeatures() {
    long cut = start + 25 * DAY;
    List<Event> truncated = history.stream().filter(e -> e.timeMillis() <= cut).toList();
    assertThat(truncated.size()).isLessThan(history.size());
    long end = Long.MAX_VALUE;

    assertSameRowsUpTo(cut, TrainingSets.fraud(history, SETTINGS, start, end),
        TrainingSets.fraud(truncated, SETTINGS, start, end));
    assertSameRowsUpTo(cut, TrainingSets.deposits(history, SETTINGS, start, end),
        TrainingSets.deposits(truncated, SETTINGS, start, end));
    var asOf = TrainingSets.every(start, start + 45 * DAY, Duration.ofDays(5));
    // delinquency's and cure's rows come from the same replay (a current account takes longer
    // than this 45-day world to be 30 days past due: no delinquency positives to compare)
    assertSameRowsUpTo(cut,
        TrainingSets.cure(history, SETTINGS, asOf, Duration.ofDays(30)),
        TrainingSets.cure(truncated, SETTINGS, asOf, Duration.ofDays(30)));
  }

  static void assertSameRowsUpTo(long cut, TrainingSet full, TrainingSet truncated) {
    Map<String, Row> byId = new HashMap<>();
    full.rows().forEach(r -> byId.put(r.id(), r));
    int compared = 0;
    for (Row r : truncated.rows()) {
      if (r.asOfMillis() > cut) {
        continue;
      }
      Row other = byId.get(r.id());
      assertThat(other).as(r.id()).isNotNull();
      assertThat(Arrays.equals(other.values(), r.values())).as("features of %s", r.id()).isTrue();
      compared++;
    }
    assertThat(compared).as("%s rows compared", full.task()).isGreaterThan(10);
    assertThat(full.positives()).as("%s positives", full.task()).isPositive();
  }

  /** Catalogue-level check against brute force over the raw events. */
  @Test
  void velocityFeaturesMatchABruteForceCountOverTheRawHistory() {
    var set = TrainingSets.fraud(history, SETTINGS, start, Long.MAX_VALUE);
    Map<String, List<long[]>> debitsByAccount = new HashMap<>();
    Map<String, Event> byId = new HashMap<>();
    var ordered = new ArrayList<>(history);
    ordered.sort((a, b) -> Long.compare(a.timeMillis(), b.timeMillis()));
    Map<String, Integer> position = new HashMap<>();
    for (int i = 0; i < ordered.size(); i++) {
      Event e = ordered.get(i);
      position.put(e.eventId(), i);
      byId.put(e.eventId(), e);
      if (e.kind() instanceof Transaction t && t.direction() == Direction.DEBIT) {
        debitsByAccount.computeIfAbsent(e.accountId(), k -> new ArrayList<>())
            .add(new long[] {e.timeMillis(), t.amount().minorUnits(), i});
      }
    }
    Function<String, Integer> col = name -> set.features().names().indexOf(name);
    long[][] windows = {{col.apply("acct_txn_count_1h"), 3_600_000L},
        {col.apply("acct_txn_count_24h"), DAY}, {col.apply("acct_txn_count_7d"), 7 * DAY}};
    int sumCol = col.apply("acct_txn_sum_24h");
    int checked = 0;
    for (Row r : set.rows()) {
      int pos = position.get(r.id());
      long t = r.asOfMillis();
      var debits = debitsByAccount.get(r.accountId());
      for (long[] w : windows) {
        long width = w[1];
        // strictly before the scored event in replay order, within (t - W, t]; the bucketed
        // answer may also take in (t - W - W/60, t - W]
        long inner = debits.stream().filter(d -> d[2] < pos && d[0] > t - width).count();
        long outer = debits.stream().filter(d -> d[2] < pos && d[0] > t - width - width / 60)
            .count();
        assertThat((long) r.values()[(int) w[0]]).as("%s window %d", r.id(), width)
            .isBetween(inner, outer);
      }
      long innerSum = debits.stream().filter(d -> d[2] < pos && d[0] > t - DAY)
          .mapToLong(d -> d[1]).sum();
      long outerSum = debits.stream().filter(d -> d[2] < pos && d[0] > t - DAY - DAY / 60)
          .mapToLong(d -> d[1]).sum();
      assertThat((long) r.values()[sumCol]).isBetween(innerSum, outerSum);
      checked++;
    }
    assertThat(checked).isGreaterThan(1000);
    // the first debit of every account sees an empty history
    var seen = new java.util.HashSet<String>();
    for (Row r : set.rows()) {
      if (seen.add(r.accountId())) {
        assertThat(r.values()[col.apply("acct_txn_count_30d")]).isZero();
      }
    }
  }

  @Test
  void accountLabelsLookAheadOnlyWithinTheHorizon() {
    long asOf = start + 10 * DAY;
    var shortHorizon = TrainingSets.cure(history, SETTINGS, List.of(asOf), Duration.ofDays(3));
    var longHorizon = TrainingSets.cure(history, SETTINGS, List.of(asOf), Duration.ofDays(30));
    assertThat(longHorizon.positives()).isPositive();
    assertThat(shortHorizon.positives()).isGreaterThan(longHorizon.positives());
    assertThat(shortHorizon.rows()).hasSameSizeAs(longHorizon.rows());
    for (int i = 0; i < shortHorizon.rows().size(); i++) {
      Row shortRow = shortHorizon.rows().get(i);
      Row longRow = longHorizon.rows().get(i);
      assertThat(Arrays.equals(shortRow.values(), longRow.values())).isTrue();
      assertThat(longRow.label()).as("not cured in 30 days is not cured in 3")
          .isLessThanOrEqualTo(shortRow.label());
    }
  }

  /**
   * The delinquency populations: an account past due at the as-of date (days past due above 0)
   * is a cure row, labelled 1 when no status within the horizon reports it back to current; every
   * other account with a credit history is an early-warning row. The days past due at each as-of
   * date and the labels are found here by a scan of the raw statuses (no disorder: the scan's
   * time order is the arrival order).
   */
  @Test
  void pastDueAccountsAreCureRowsAndCurrentOnesEarlyWarningRows() {
    var asOf = TrainingSets.schedule("weekly", start + 14 * DAY, start + 45 * DAY);
    var set = TrainingSets.delinquency(history, SETTINGS, asOf, Duration.ofDays(90));
    var cure = TrainingSets.cure(history, SETTINGS, asOf, Duration.ofDays(10));
    assertThat(cure.task()).isEqualTo(Task.CURE);
    Map<String, List<long[]>> statuses = statuses();
    java.util.function.BiFunction<String, Long, Long> dpdAt =
        (account, t) -> dpdAt(statuses, account, t);
    var rowKeys = new java.util.HashSet<String>();
    for (Row r : set.rows()) {
      assertThat(dpdAt.apply(r.accountId(), r.asOfMillis())).as(r.id()).isZero();
      rowKeys.add(r.accountId() + "@" + r.asOfMillis());
    }
    int cured = 0;
    for (Row r : cure.rows()) {
      assertThat(dpdAt.apply(r.accountId(), r.asOfMillis())).as(r.id()).isPositive();
      assertThat(rowKeys.add(r.accountId() + "@" + r.asOfMillis())).as("in one set only: %s",
          r.id()).isTrue();
      boolean back = statuses.get(r.accountId()).stream().anyMatch(x -> x[0] > r.asOfMillis()
          && x[0] <= r.asOfMillis() + 10 * DAY && x[1] == 0);
      assertThat(r.label()).as("not back to current within 10 days: %s", r.id())
          .isEqualTo(back ? 0 : 1);
      cured += back ? 1 : 0;
    }
    assertThat(cured).as("past-due rows that cure").isPositive();
    assertThat(cure.positives()).as("past-due rows that do not").isPositive();
    int pastDue = 0;
    for (long t : asOf) {
      for (String account : statuses.keySet()) {
        if (dpdAt.apply(account, t) > 0) {
          pastDue++;
          assertThat(rowKeys).contains(account + "@" + t);
        }
      }
    }
    assertThat(pastDue).isEqualTo(cure.rows().size());
    assertThat(set.rows()).isNotEmpty();
  }

  /**
   * The roll rows are the cure rows (the same accounts at the same as-of dates, the same values);
   * each labelled 1 when a status within the horizon reports a later 30-day bucket of days past
   * due than the status at the as-of date, found here by a scan of the raw statuses.
   */
  @Test
  void rollRowsAreTheCureRowsLabelledByALaterBucket() {
    var asOf = TrainingSets.schedule("weekly", start + 14 * DAY, start + 45 * DAY);
    var cure = TrainingSets.cure(history, SETTINGS, asOf, Duration.ofDays(10));
    var roll = TrainingSets.roll(history, SETTINGS, asOf, Duration.ofDays(10));
    assertThat(roll.task()).isEqualTo(Task.ROLL);
    assertThat(roll.rows()).hasSameSizeAs(cure.rows());
    Map<String, List<long[]>> statuses = statuses();
    int rolled = 0;
    for (int i = 0; i < roll.rows().size(); i++) {
      Row r = roll.rows().get(i);
      assertThat(r.id()).isEqualTo(cure.rows().get(i).id());
      assertThat(Arrays.equals(r.values(), cure.rows().get(i).values())).as(r.id()).isTrue();
      long bucket = dpdAt(statuses, r.accountId(), r.asOfMillis()) / 30;
      boolean later = statuses.get(r.accountId()).stream().anyMatch(x -> x[0] > r.asOfMillis()
          && x[0] <= r.asOfMillis() + 10 * DAY && x[1] / 30 > bucket);
      assertThat(r.label()).as("a later bucket within 10 days: %s", r.id())
          .isEqualTo(later ? 1 : 0);
      rolled += r.label();
    }
    assertThat(rolled).as("rows that roll").isPositive();
    assertThat(roll.rows().size() - rolled).as("rows that do not").isPositive();
  }

  /** Buckets of 30 days past due, and a roll only into a later one within the horizon. */
  @Test
  void aRollIsALaterBucketWithinTheHorizon() {
    var labels = new Labels();
    long t = start;
    java.util.function.BiConsumer<Long, Integer> status = (at, dpd) -> labels.observe(
        new Event("s-" + at + "-" + dpd, at, "a-1", "c-1", new Event.AccountStatus(dpd,
            new Event.Money(0, "USD"), 0)));
    status.accept(t, 25);
    status.accept(t + 4 * DAY, 29);
    assertThat(Labels.bucket(29)).isZero();
    assertThat(Labels.bucket(30)).isEqualTo(1);
    assertThat(labels.rolled("a-1", t, Duration.ofDays(10))).as("29 is still 1-29").isFalse();
    status.accept(t + 5 * DAY, 30);
    assertThat(labels.rolled("a-1", t, Duration.ofDays(10))).as("30 is the next bucket").isTrue();
    assertThat(labels.rolled("a-1", t, Duration.ofDays(4))).as("beyond the horizon").isFalse();
    assertThat(labels.rolled("a-1", t + 5 * DAY, Duration.ofDays(10)))
        .as("from 30, up to 59 is the same bucket").isFalse();
  }
  /** Every account's statuses in the history, as {time, days past due}, in arrival order. */
  static Map<String, List<long[]>> statuses() {
    Map<String, List<long[]>> statuses = new HashMap<>();
    for (Event e : history) {
      if (e.kind() instanceof Event.AccountStatus st) {
        statuses.computeIfAbsent(e.accountId(), k -> new ArrayList<>())
            .add(new long[] {e.timeMillis(), st.daysPastDue()});
      }
    }
    return statuses;
  }

  /** The days past due of the account's newest status at or before {@code t}; 0 without one. */
  static long dpdAt(Map<String, List<long[]>> statuses, String account, long t) {
    long newest = Long.MIN_VALUE;
    long dpd = 0;
    for (long[] x : statuses.getOrDefault(account, List.of())) {
      if (x[0] <= t && x[0] >= newest) {
        newest = x[0];
        dpd = x[1];
      }
    }
    return dpd;
  }
}
