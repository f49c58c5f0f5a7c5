package dev.vigil.history.training;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.Event.CheckDeposit;
import dev.vigil.features.event.Event.Direction;
import dev.vigil.features.event.Event.Transaction;
import dev.vigil.features.profile.AccountProfileView;
import dev.vigil.features.profile.EntityKey;
import dev.vigil.features.profile.EntityType;
import dev.vigil.features.profile.FeatureCatalogue;
import dev.vigil.features.profile.FeatureCatalogue.FeatureSet;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.features.profile.FeatureInputs;
import dev.vigil.features.profile.ProfileBook;
import dev.vigil.features.profile.ProfileSettings;
import dev.vigil.history.History;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;

/**
 * Builds point-in-time training sets by replaying an event history, in arrival order (the order of
 * the list: the order the events were published, as an event file or topic keeps them), through
 * the same {@link ProfileBook} fold and {@link FeatureCatalogue} definitions the online path uses.
 *
 * <p>A transaction or deposit is featurised from the profiles as they stood when it arrived, before
 * it was folded: exactly what a score request made on its arrival saw. That is every event that
 * arrived before it, not every event that happened before it: with events arriving out of order,
 * an earlier event that arrives later is not yet in the profiles, and a later one that arrived
 * first is (and moves the windows' clock). Replayed in event-time order instead, rows differed from
 * what serving saw (issue 18: 30-day windows off by one event in 32 of 120 scores at 600 s of
 * disorder, a bucket at the window's old edge dropped by the clock serving had and training did
 * not). A delinquency row at an as-of time is featurised from every event that arrived before the
 * first one after that time. Labels alone look ahead (that is what a label is); features never do:
 * the rows up to any time T are identical whether or not the history goes on after T.
 */
public final class TrainingSets {
  private static final long DAY = 86_400_000L;
  /**
   * The delinquency label's default horizon: 30+ days past due within 90 days of the as-of date.
   * Within 30 days only an account already past due can get there, so a 30-day horizon mostly
   * measures today's days past due; over 90 a current account can, and that is what an early
   * warning is for.
   */
  public static final int DEFAULT_HORIZON_DAYS = 90;
  /**
   * The cure label's default horizon: back to current within 30 days of the as-of date, the
   * cycle collections plans its treatments over (a reminder, a payment plan, a call).
   */
  public static final int DEFAULT_CURE_HORIZON_DAYS = 30;

  /**
   * The roll label's default horizon: a later 30-day bucket within 30 days of the as-of date, one
   * bucket's length, so that every past-due account either rolls or does not within it.
   */
  public static final int DEFAULT_ROLL_HORIZON_DAYS = 30;

  /**
   * A task's default label horizon in days: 90 for delinquency, 30 for cure and roll, 0 for the
   * rest.
   */
  public static int defaultHorizonDays(Task task) {
    return switch (task) {
      case DELINQUENCY -> DEFAULT_HORIZON_DAYS;
      case CURE -> DEFAULT_CURE_HORIZON_DAYS;
      case ROLL -> DEFAULT_ROLL_HORIZON_DAYS;
      case FRAUD, DEPOSIT -> 0;
    };
  }
  /**
   * How late a fraud report can arrive after its transaction: a day plus an exponential delay
   * (mean 4 days) capped at 60 more in the simulator (most customers call within days; a
   * chargeback takes weeks), so 61 days. A transaction less than this before the history's end may
   * be a fraud whose report has not arrived: its label says good.
   */
  public static final Duration FRAUD_REPORT_DELAY = Duration.ofDays(61);
  /**
   * How late a returned deposit's return can arrive after the deposit: 2 to 6 days in the
   * simulator (a check comes back through clearing within days; a duplicate is returned 2-6 days
   * after its second presentment, which is the deposit labelled).
   */
  public static final Duration DEPOSIT_RETURN_DELAY = Duration.ofDays(6);

  /**
   * How long after a row's time its label can still change: a fraud report's or a deposit
   * return's delay; for delinquency the horizon itself (an account that will reach 30+ days past
   * due within it may not have yet, so "no" is known only once the whole horizon has passed).
   */
  public static Duration labelDelay(Task task, Duration horizon) {
    return switch (task) {
      case FRAUD -> FRAUD_REPORT_DELAY;
      case DEPOSIT -> DEPOSIT_RETURN_DELAY;
      case DELINQUENCY, CURE, ROLL -> horizon;
    };
  }

  private TrainingSets() {}

  /** Every debit transaction with {@code from <= time < to}; label: reported as fraud, ever. */
  public static TrainingSet fraud(List<Event> history, ProfileSettings settings, long from, long to) {
    return fraud(History.of(history), settings, from, to);
  }

  /** As above, from a history replayed twice (labels, then features): streamed from a file. */
  public static TrainingSet fraud(History history, ProfileSettings settings, long from, long to) {
    Labels labels = labels(history);
    var rows = new ArrayList<TrainingSet.Row>();
    replay(history, settings, (book, e) -> {
      if (e.kind() instanceof Transaction t && t.direction() == Direction.DEBIT
          && e.timeMillis() >= from && e.timeMillis() < to) {
        rows.add(new TrainingSet.Row(e.eventId(), e.timeMillis(), e.accountId(),
            FeatureCatalogue.FRAUD.vector(book.inputsFor(e)),
            labels.fraud(e.eventId()) ? 1 : 0));
      }
    }, List.of(), null);
    return new TrainingSet(Task.FRAUD, FeatureCatalogue.FRAUD, rows);
  }

  /** Every check deposit with {@code from <= time < to}; label: returned unpaid, ever. */
  public static TrainingSet deposits(List<Event> history, ProfileSettings settings, long from,
      long to) {
    return deposits(History.of(history), settings, from, to);
  }

  /** As above, from a history replayed twice (labels, then features): streamed from a file. */
  public static TrainingSet deposits(History history, ProfileSettings settings, long from,
      long to) {
    Labels labels = labels(history);
    var rows = new ArrayList<TrainingSet.Row>();
    replay(history, settings, (book, e) -> {
      if (e.kind() instanceof CheckDeposit d && e.timeMillis() >= from && e.timeMillis() < to) {
        rows.add(new TrainingSet.Row(e.eventId(), e.timeMillis(), e.accountId(),
            FeatureCatalogue.DEPOSIT.vector(book.inputsFor(e)),
            labels.returned(d.depositId()) ? 1 : 0));
      }
    }, List.of(), null);
    return new TrainingSet(Task.DEPOSIT, FeatureCatalogue.DEPOSIT, rows);
  }

  /**
   * One row per current account (a credit history, nothing past due) at each as-of time; label:
   * the core system reports 30 or more days past due within {@code horizon} after the as-of
   * time. An account past due at the as-of time is the cure model's ({@link #cure}).
   */
  public static TrainingSet delinquency(List<Event> history, ProfileSettings settings,
      List<Long> asOfTimes, Duration horizon) {
    return delinquency(History.of(history), settings, asOfTimes, horizon);
  }

  /** As above, from a history replayed twice (labels, then features): streamed from a file. */
  public static TrainingSet delinquency(History history, ProfileSettings settings,
      List<Long> asOfTimes, Duration horizon) {
    return delinquency(history, settings, asOfTimes, horizon, FeatureCatalogue.DELINQUENCY);
  }

  /** As above, with the columns of {@code features} (the raw-statement baseline, say). */
  public static TrainingSet delinquency(History history, ProfileSettings settings,
      List<Long> asOfTimes, Duration horizon, FeatureSet features) {
    return accounts(history, settings, asOfTimes, features, false,
        (labels, account, asOf) -> labels.delinquent(account, asOf, horizon) ? 1 : 0);
  }

  /**
   * One row per account past due (days past due above 0 as its profile last reported) at each
   * as-of time; label 1, the adverse outcome: no status within {@code horizon} after the as-of
   * time reports it back to current (0 days past due: what is due was paid). A charge-off or a
   * roll to the next bucket is such an outcome.
   */
  public static TrainingSet cure(List<Event> history, ProfileSettings settings,
      List<Long> asOfTimes, Duration horizon) {
    return cure(History.of(history), settings, asOfTimes, horizon, FeatureCatalogue.CURE);
  }

  /** As above, from a history replayed twice, with the columns of {@code features}. */
  public static TrainingSet cure(History history, ProfileSettings settings,
      List<Long> asOfTimes, Duration horizon, FeatureSet features) {
    return accounts(history, settings, asOfTimes, features, true,
        (labels, account, asOf) -> labels.cured(account, asOf, horizon) ? 0 : 1);
  }

  /**
   * One row per account past due at each as-of time, as {@link #cure} has them; label 1, the
   * adverse outcome: a status within {@code horizon} after the as-of time reports it in a later
   * 30-day bucket of days past due than its status at the as-of time ({@link Labels#rolled}).
   */
  public static TrainingSet roll(List<Event> history, ProfileSettings settings,
      List<Long> asOfTimes, Duration horizon) {
    return roll(History.of(history), settings, asOfTimes, horizon, FeatureCatalogue.ROLL);
  }

  /** As above, from a history replayed twice, with the columns of {@code features}. */
  public static TrainingSet roll(History history, ProfileSettings settings,
      List<Long> asOfTimes, Duration horizon, FeatureSet features) {
    return accounts(history, settings, asOfTimes, features, true,
        (labels, account, asOf) -> labels.rolled(account, asOf, horizon) ? 1 : 0);
  }

  /** A row's label from the history's outcomes, its account and its as-of time. */
  private interface AccountLabel {
    int of(Labels labels, String account, long asOf);
  }

  private static TrainingSet accounts(History history, ProfileSettings settings,
      List<Long> asOfTimes, FeatureSet features, boolean pastDue, AccountLabel label) {
    Labels labels = labels(history);
    var rows = new ArrayList<TrainingSet.Row>();
    replay(history, settings, (book, e) -> { }, new ArrayList<>(new TreeSet<>(asOfTimes)),
        (book, asOf) -> {
          for (String account : creditAccounts(book)) {
            FeatureInputs in = book.inputsForAccount(account,
                labels.customer(account).orElse(null), asOf);
            // the model that would answer for it as served: the same test on the same profile
            if (FeatureCatalogue.pastDue(in) != pastDue) {
              continue;
            }
            rows.add(new TrainingSet.Row(account + "@" + Instant.ofEpochMilli(asOf), asOf,
                account, features.vector(in), label.of(labels, account, asOf)));
          }
        });
    return new TrainingSet(features.task(), features, rows);
  }

  /**
   * The accounts with a credit history (a statement or a status report) in {@code book}, by id:
   * the accounts a delinquency, cure or roll row, and a backtest's delinquency case, is made for
   * at an as-of time.
   */
  public static List<String> creditAccounts(ProfileBook book) {
    var accounts = new ArrayList<String>();
    for (EntityKey key : book.all().keySet()) {
      if (key.type() == EntityType.ACCOUNT
          && AccountProfileView.hasCreditHistory(book.get(key))) {
        accounts.add(key.id());
      }
    }
    accounts.sort(Comparator.naturalOrder());
    return accounts;
  }

  /** Every outcome {@code history} holds, from one pass over it. */
  public static Labels labels(History history) {
    var labels = new Labels();
    history.replay(labels::observe);
    return labels;
  }

  /**
   * The delinquency as-of times a user names: {@code weekly} (midnight UTC every 7 days),
   * {@code monthly} (midnight UTC on the 1st), or a comma-separated list of dates
   * ({@code 2026-02-01}) or instants ({@code 2026-02-01T12:00:00Z}); only those in [from, to).
   *
   * @throws IllegalArgumentException naming the item that is neither
   */
  public static List<Long> schedule(String spec, long from, long to) {
    String s = spec.trim();
    if (s.equals("weekly")) {
      return every(from, to, Duration.ofDays(7));
    }
    if (s.equals("monthly")) {
      return monthly(from, to, 1);
    }
    var times = new java.util.TreeSet<Long>();
    for (String item : s.split(",")) {
      String t = item.trim();
      long at;
      try {
        at = t.contains("T") ? java.time.Instant.parse(t).toEpochMilli()
            : java.time.LocalDate.parse(t).atStartOfDay(java.time.ZoneOffset.UTC).toInstant()
                .toEpochMilli();
      } catch (java.time.format.DateTimeParseException e) {
        throw new IllegalArgumentException("schedule: \"" + t + "\" is not weekly, monthly,"
            + " a date (2026-02-01) or an instant (2026-02-01T00:00:00Z)");
      }
      if (at >= from && at < to) {
        times.add(at);
      }
    }
    return new ArrayList<>(times);
  }

  /** Monthly as-of times: midnight UTC on day {@code dayOfMonth} of each month in [from, to). */
  public static List<Long> monthly(long from, long to, int dayOfMonth) {
    var times = new ArrayList<Long>();
    var d = java.time.Instant.ofEpochMilli(from).atZone(java.time.ZoneOffset.UTC).toLocalDate()
        .withDayOfMonth(dayOfMonth);
    while (true) {
      long t = d.atStartOfDay(java.time.ZoneOffset.UTC).toInstant().toEpochMilli();
      if (t >= to) {
        break;
      }
      if (t >= from) {
        times.add(t);
      }
      d = d.plusMonths(1);
    }
    return times;
  }

  /** As-of times every {@code step} from midnight UTC on or after {@code from}, before {@code to}. */
  public static List<Long> every(long from, long to, Duration step) {
    var times = new ArrayList<Long>();
    for (long t = Math.floorDiv(from + DAY - 1, DAY) * DAY; t < to; t += step.toMillis()) {
      times.add(t);
    }
    return times;
  }

  /** What a replay does with each event, before it is folded. */
  public interface OnEvent {
    /** {@code book} holds every event that arrived before {@code e}. */
    void before(ProfileBook book, Event e);
  }

  /** What a replay does at each as-of time. */
  public interface OnAsOf {
    /** {@code book} holds every event that arrived before the first one after {@code asOf}. */
    void at(ProfileBook book, long asOf);
  }

  /**
   * The point-in-time fold every training set (and a policy backtest) is built on: {@code
   * history} in arrival order through a {@link ProfileBook}, each event given to {@code onEvent}
   * before it is folded, and each of the sorted {@code asOfTimes} to {@code onAsOf} before the
   * first event after it (the rest after the last event).
   */
  public static void replay(History history, ProfileSettings settings, OnEvent onEvent,
      List<Long> asOfTimes, OnAsOf onAsOf) {
    var book = new ProfileBook(settings);
    int[] next = {0};
    history.replay(e -> { // arrival order: see the class comment
      while (next[0] < asOfTimes.size() && asOfTimes.get(next[0]) < e.timeMillis()) {
        onAsOf.at(book, asOfTimes.get(next[0]++));
      }
      onEvent.before(book, e);
      book.fold(e);
    });
    while (next[0] < asOfTimes.size()) {
      onAsOf.at(book, asOfTimes.get(next[0]++));
    }
  }
}
