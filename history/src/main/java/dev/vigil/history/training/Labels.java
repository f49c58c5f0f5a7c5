package dev.vigil.history.training;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.Event.AccountStatus;
import dev.vigil.features.event.Event.DepositReturn;
import dev.vigil.features.event.Event.FraudReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a history says happened after a scored event: the outcomes the training sets label rows
 * with, and backtests judge decisions by. Fed every event of the history ({@link #observe}, in
 * any order), then asked: a transaction reported as fraud, a deposit returned unpaid, an account
 * 30 or more days past due within a horizon after an as-of time. These look ahead, as a label
 * does; features never do.
 */
public final class Labels {
  /** Days past due from which an account counts as delinquent. */
  public static final int DELINQUENT_DAYS_PAST_DUE = 30;

  private final Set<String> reported = new HashSet<>();
  private final Set<String> returned = new HashSet<>();
  private final Map<String, List<long[]>> statuses = new HashMap<>();
  private final Map<String, String> customers = new HashMap<>();

  /** Takes what {@code e} says about earlier events' outcomes. */
  public void observe(Event e) {
    if (e.kind() instanceof FraudReport r) {
      reported.add(r.reportedEventId());
    } else if (e.kind() instanceof DepositReturn r) {
      returned.add(r.depositId());
    } else if (e.kind() instanceof AccountStatus s) {
      statuses.computeIfAbsent(e.accountId(), k -> new ArrayList<>())
          .add(new long[] {e.timeMillis(), s.daysPastDue()});
    }
    if (!e.customerId().isEmpty()) {
      customers.putIfAbsent(e.accountId(), e.customerId());
    }
  }

  /** True when the transaction {@code eventId} was reported as fraud, ever. */
  public boolean fraud(String eventId) {
    return reported.contains(eventId);
  }

  /** True when the deposit {@code depositId} was returned unpaid, ever. */
  public boolean returned(String depositId) {
    return returned.contains(depositId);
  }

  /**
   * True when the core system reported {@code account} 30 or more days past due after {@code
   * asOf} and within {@code horizon} of it.
   */
  public boolean delinquent(String account, long asOf, Duration horizon) {
    long h = horizon.toMillis();
    for (long[] s : statuses.getOrDefault(account, List.of())) {
      if (s[0] > asOf && s[0] <= asOf + h && s[1] >= DELINQUENT_DAYS_PAST_DUE) {
        return true;
      }
    }
    return false;
  }

  /**
   * The days past due of {@code account}'s newest status at or before {@code asOf}; 0 without
   * one.
   */
  public long daysPastDueAt(String account, long asOf) {
    return daysPastDueAt(statuses.getOrDefault(account, List.of()), asOf);
  }

  /**
   * Whether {@code account} is reported back to current (0 days past due: what was due is paid)
   * by a status within {@code horizon} after {@code asOf}: the cure model's good outcome.
   */
  public boolean cured(String account, long asOf, Duration horizon) {
    long h = horizon.toMillis();
    for (long[] s : statuses.getOrDefault(account, List.of())) {
      if (s[0] > asOf && s[0] <= asOf + h && s[1] == 0) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether {@code account} rolls forward: a status within {@code horizon} after {@code asOf}
   * reports it in a later 30-day bucket of days past due ({@link #bucket}) than its newest status
   * at or before {@code asOf}: the roll model's adverse outcome. Charge-off lies at the end of that
   * road; the events carry no separate charge-off.
   */
  public boolean rolled(String account, long asOf, Duration horizon) {
    List<long[]> all = statuses.getOrDefault(account, List.of());
    long from = bucket(daysPastDueAt(all, asOf));
    long h = horizon.toMillis();
    for (long[] s : all) {
      if (s[0] > asOf && s[0] <= asOf + h && bucket(s[1]) > from) {
        return true;
      }
    }
    return false;
  }

  /**
   * The 30-day bucket of {@code daysPastDue} as collections counts them: 0 for current and 1-29
   * days, 1 for 30-59, 2 for 60-89, and so on. A roll is a move to a later one.
   */
  public static long bucket(long daysPastDue) {
    return daysPastDue / DELINQUENT_DAYS_PAST_DUE;
  }

  /** The first customer any event named for {@code account}. */
  public Optional<String> customer(String account) {
    return Optional.ofNullable(customers.get(account));
  }

  static long daysPastDueAt(List<long[]> statuses, long asOf) {
    long newest = Long.MIN_VALUE;
    long dpd = 0;
    for (long[] s : statuses) {
      if (s[0] <= asOf && s[0] >= newest) {
        newest = s[0];
        dpd = s[1];
      }
    }
    return dpd;
  }
}
