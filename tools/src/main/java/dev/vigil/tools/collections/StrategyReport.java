package dev.vigil.tools.collections;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.Event.AccountStatus;
import dev.vigil.features.event.Event.ConsentChange;
import dev.vigil.features.event.Event.ContactAttempt;
import dev.vigil.features.event.Event.Payment;
import dev.vigil.features.event.Event.PromiseToPay;
import dev.vigil.history.History;
import dev.vigil.history.training.Labels;
import dev.vigil.proto.v1.AuditRecord;
import dev.vigil.proto.v1.StrategyArm;
import dev.vigil.proto.v1.Task;
import dev.vigil.proto.v1.TreatmentAction;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * A collections strategy test's outcome per arm, from the delinquency decisions' audit records
 * (which arm, which treatment, what held it back) and the events that followed (statuses,
 * contacts, promises, payments, consent revoked).
 *
 * <p>An account counts in the arm of its first decision made while it was past due ({@code
 * dpd_current} above 0 in the record's features), when the book is observed for {@code horizon}
 * past that decision's as-of time (to its last account status, the book's daily record: an
 * account decided later is not yet measured); within that horizon:
 *
 * <ul>
 *   <li>cured: a status back to current (0 days past due); rolled: a status in a later 30-day
 *       bucket than at that decision (1-29 to 30+, 30-59 to 60+...); an account can do both.
 *   <li>promises kept: a promise whose amount the account's payments (less those returned) made
 *       between the promise and its due time cover.
 *   <li>collected: payments less those returned, in integer minor units per currency.
 *   <li>contacts: contact attempts; per cure, contacts over cured accounts.
 *   <li>complaints: consents revoked (a customer telling the lender to stop using a channel).
 * </ul>
 *
 * Counted per decision, in the arm that decided it: hardship referrals (the treatment), calls
 * paused by Regulation F, and treatments whose preferred channel had no consent.
 */
public final class StrategyReport {
  private StrategyReport() {}

  /** Which arm: the experiment, the strategy's name and champion or challenger. */
  public record ArmKey(String experiment, String strategy, String arm) {}

  /** One arm's figures. */
  public record Arm(ArmKey key, long accounts, long decisions, long cured, long rolled,
      long promises, long promisesKept, Map<String, Long> collected, long contacts,
      long complaints, long hardshipReferrals, long callsPaused, long notConsented) {
    public double cureRate() {
      return ratio(cured, accounts);
    }

    public double rollRate() {
      return ratio(rolled, accounts);
    }

    public double promiseKeptRate() {
      return ratio(promisesKept, promises);
    }

    /** Contacts per cured account; NaN without a cure. */
    public double contactsPerCure() {
      return ratio(contacts, cured);
    }

    private static double ratio(long n, long d) {
      return d == 0 ? Double.NaN : n / (double) d;
    }
  }

  private static final class Account {
    ArmKey arm;
    long first = Long.MAX_VALUE;
    long bucket;
    boolean cured;
    boolean rolled;
    long contacts;
    long complaints;
    final List<Event> promises = new ArrayList<>();
    final Map<String, Event> payments = new HashMap<>();
    final Set<String> returned = new HashSet<>();
  }

  private static final class Counts {
    long decisions;
    long hardshipReferrals;
    long callsPaused;
    long notConsented;
  }

  /**
   * True when {@code record} is a ScoreDelinquency decision (answered by the early-warning model,
   * or by the cure model for an account past due) with its strategy arm recorded.
   */
  static boolean counted(AuditRecord r) {
    return (r.getTask() == Task.TASK_DELINQUENCY || r.getTask() == Task.TASK_CURE)
        && !r.hasModelChange() && !r.hasPolicyChange()
        && r.getCollections().getStrategy().getArm() != StrategyArm.STRATEGY_ARM_UNSPECIFIED;
  }

  static ArmKey key(AuditRecord r) {
    var s = r.getCollections().getStrategy();
    return new ArmKey(s.getExperiment(), s.getStrategy(),
        s.getArm().name().substring("STRATEGY_ARM_".length()).toLowerCase(Locale.ROOT));
  }

  /**
   * The figures per arm, the champion's first.
   *
   * @param accountToken an account id's token as the records write it ({@code ACCOUNT/...})
   * @param horizonMillis how long after an account's first past-due decision its outcome is
   *     counted
   */
  public static List<Arm> compute(List<AuditRecord> records, History events,
      Function<String, String> accountToken, long horizonMillis) {
    var accounts = new HashMap<String, Account>();
    var counts = new LinkedHashMap<ArmKey, Counts>();
    for (AuditRecord r : records) {
      if (!counted(r)) {
        continue;
      }
      ArmKey key = key(r);
      Counts c = counts.computeIfAbsent(key, k -> new Counts());
      c.decisions++;
      var collections = r.getCollections();
      if (collections.getTreatment().getAction()
          == TreatmentAction.TREATMENT_ACTION_HARDSHIP_REFERRAL) {
        c.hardshipReferrals++;
      }
      if (collections.getCallsPaused()) {
        c.callsPaused++;
      }
      if (collections.getChannelNotConsented()) {
        c.notConsented++;
      }
      double dpd = r.getFeaturesOrDefault("dpd_current", 0.0);
      String token = r.getEntitiesList().stream().filter(e -> e.startsWith("ACCOUNT/"))
          .findFirst().orElse(null);
      long asOf = r.getAsOf().getSeconds() * 1000 + r.getAsOf().getNanos() / 1_000_000;
      if (dpd > 0 && token != null) {
        Account a = accounts.computeIfAbsent(token, t -> new Account());
        if (asOf < a.first) {
          a.first = asOf;
          a.arm = key;
          a.bucket = Labels.bucket((long) dpd);
        }
      }
    }
    var tokens = new HashMap<String, String>();
    long[] last = {Long.MIN_VALUE};
    events.replay(e -> {
      if (e.kind() instanceof AccountStatus) {
        last[0] = Math.max(last[0], e.timeMillis());
      }
      Account a = accounts.get(tokens.computeIfAbsent(e.accountId(), accountToken));
      if (a == null || e.timeMillis() < a.first || e.timeMillis() - a.first >= horizonMillis) {
        return;
      }
      if (e.kind() instanceof AccountStatus s) {
        a.cured |= s.daysPastDue() == 0;
        a.rolled |= Labels.bucket(s.daysPastDue()) > a.bucket;
      } else if (e.kind() instanceof ContactAttempt) {
        a.contacts++;
      } else if (e.kind() instanceof ConsentChange c && !c.granted()) {
        a.complaints++;
      } else if (e.kind() instanceof PromiseToPay) {
        a.promises.add(e);
      } else if (e.kind() instanceof Payment p) {
        if (p.returned()) {
          a.returned.add(p.paymentId());
        } else {
          a.payments.putIfAbsent(p.paymentId(), e);
        }
      }
    });
    var arms = new LinkedHashMap<ArmKey, Arm>();
    for (Map.Entry<ArmKey, Counts> c : counts.entrySet()) {
      arms.put(c.getKey(), new Arm(c.getKey(), 0, c.getValue().decisions, 0, 0, 0, 0,
          new TreeMap<>(), 0, 0, c.getValue().hardshipReferrals, c.getValue().callsPaused,
          c.getValue().notConsented));
    }
    for (Account a : accounts.values()) {
      if (last[0] - a.first < horizonMillis) {
        continue; // not yet measured: the book's statuses end within its horizon
      }
      var paid = new ArrayList<Event>();
      var collected = new TreeMap<String, Long>();
      for (Event e : a.payments.values()) {
        Payment p = (Payment) e.kind();
        if (!a.returned.contains(p.paymentId())) {
          paid.add(e);
          collected.merge(p.amount().currency(), p.amount().minorUnits(), Long::sum);
        }
      }
      long kept = 0;
      for (Event e : a.promises) {
        PromiseToPay promise = (PromiseToPay) e.kind();
        long covered = 0;
        for (Event pe : paid) {
          Payment p = (Payment) pe.kind();
          if (pe.timeMillis() >= e.timeMillis() && pe.timeMillis() <= promise.dueMillis()
              && p.amount().currency().equals(promise.amount().currency())) {
            covered += p.amount().minorUnits();
          }
        }
        if (covered >= promise.amount().minorUnits()) {
          kept++;
        }
      }
      Arm was = arms.get(a.arm);
      var sum = new TreeMap<>(was.collected());
      collected.forEach((currency, units) -> sum.merge(currency, units, Long::sum));
      arms.put(a.arm, new Arm(a.arm, was.accounts() + 1, was.decisions(),
          was.cured() + (a.cured ? 1 : 0), was.rolled() + (a.rolled ? 1 : 0),
          was.promises() + a.promises.size(), was.promisesKept() + kept, sum,
          was.contacts() + a.contacts, was.complaints() + a.complaints, was.hardshipReferrals(),
          was.callsPaused(), was.notConsented()));
    }
    var out = new ArrayList<>(arms.values());
    out.sort(Comparator.comparing((Arm x) -> !x.key().arm().equals("champion"))
        .thenComparing(x -> x.key().experiment()).thenComparing(x -> x.key().strategy()));
    return out;
  }

  /**
   * The difference in cure rate, challenger less champion, with its 95% confidence half-width
   * (normal approximation of two proportions): {@code [difference, halfWidth]}.
   */
  public static double[] cureRateDifference(Arm champion, Arm challenger) {
    double p1 = champion.cureRate();
    double p2 = challenger.cureRate();
    double se = Math.sqrt(p1 * (1 - p1) / champion.accounts()
        + p2 * (1 - p2) / challenger.accounts());
    return new double[] {p2 - p1, 1.96 * se};
  }
}
