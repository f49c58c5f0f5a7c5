package dev.vigil.tools.collections;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.Timestamps;
import dev.vigil.features.event.Event;
import dev.vigil.features.event.Event.AccountStatus;
import dev.vigil.features.event.Event.ConsentChange;
import dev.vigil.features.event.Event.ContactAttempt;
import dev.vigil.features.event.Event.ContactChannel;
import dev.vigil.features.event.Event.Money;
import dev.vigil.features.event.Event.Payment;
import dev.vigil.features.event.Event.PromiseToPay;
import dev.vigil.history.History;
import dev.vigil.proto.v1.AuditRecord;
import dev.vigil.proto.v1.CollectionsDecision;
import dev.vigil.proto.v1.StrategyArm;
import dev.vigil.proto.v1.StrategyAssignment;
import dev.vigil.proto.v1.Task;
import dev.vigil.proto.v1.Treatment;
import dev.vigil.proto.v1.TreatmentAction;
import dev.vigil.tools.collections.StrategyReport.Arm;
import dev.vigil.tools.collections.StrategyReport.ArmKey;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * The report's figures against a brute-force count of their definitions over random books, and
 * on a book built by hand.
 */
class StrategyReportTest {
  static final long DAY = 86_400_000L;
  static final Function<String, String> TOKEN = id -> "ACCOUNT/t-" + id;

  static AuditRecord record(String account, long asOf, double dpd, StrategyArm arm,
      TreatmentAction action, boolean paused, boolean notConsented) {
    String strategy = arm == StrategyArm.STRATEGY_ARM_CHAMPION ? "champion" : "plans";
    return AuditRecord.newBuilder().setAuditId(account + "@" + asOf)
        .setTask(Task.TASK_DELINQUENCY).setAsOf(Timestamps.fromMillis(asOf))
        .addEntities(TOKEN.apply(account)).addEntities("CUSTOMER/c-" + account)
        .putFeatures("dpd_current", dpd).setDecision("HIGH_RISK")
        .setCollections(CollectionsDecision.newBuilder()
            .setStrategy(StrategyAssignment.newBuilder().setExperiment("exp")
                .setStrategy(strategy).setArm(arm))
            .setTreatment(Treatment.newBuilder().setAction(action))
            .setCallsPaused(paused).setChannelNotConsented(notConsented)).build();
  }

  static Event event(String account, long at, Event.Kind kind) {
    return new Event("e-" + account + "-" + at + "-" + kind.hashCode(), at, account,
        "c-" + account, kind);
  }

  static Money usd(long cents) {
    return new Money(cents, "USD");
  }

  @Example
  void aBookBuiltByHand() {
    var records = List.of(
        // a-1: champion, 10 days past due on day 1; a later decision counts as a decision only
        record("a-1", DAY, 10, StrategyArm.STRATEGY_ARM_CHAMPION,
            TreatmentAction.TREATMENT_ACTION_AGENT_CALL, true, false),
        record("a-1", 4 * DAY, 13, StrategyArm.STRATEGY_ARM_CHAMPION,
            TreatmentAction.TREATMENT_ACTION_AGENT_CALL, false, true),
        // a-2: challenger
        record("a-2", DAY, 35, StrategyArm.STRATEGY_ARM_CHALLENGER,
            TreatmentAction.TREATMENT_ACTION_HARDSHIP_REFERRAL, false, false),
        // a-3: current when decided: in no arm's accounts, but its decision counts
        record("a-3", DAY, 0, StrategyArm.STRATEGY_ARM_CHALLENGER,
            TreatmentAction.TREATMENT_ACTION_REMINDER, false, false),
        // a-4 decided 11 days before the last status, within its horizon: not yet measured
        record("a-4", 20 * DAY, 5, StrategyArm.STRATEGY_ARM_CHALLENGER,
            TreatmentAction.TREATMENT_ACTION_REMINDER, false, false));
    var events = List.of(
        // before the first decision: not counted
        event("a-1", 0, new ContactAttempt(ContactChannel.CALL, false)),
        event("a-1", 0, new Payment("p-0", usd(9_999), false, "")),
        event("a-1", 2 * DAY, new ContactAttempt(ContactChannel.CALL, true)),
        event("a-1", 2 * DAY + 1, new PromiseToPay(usd(5_000), 9 * DAY)),
        event("a-1", 3 * DAY, new Payment("p-1", usd(3_000), false, "")),
        event("a-1", 5 * DAY, new Payment("p-2", usd(2_000), false, "")),
        event("a-1", 5 * DAY + 1, new AccountStatus(0, usd(0), 0)),
        event("a-1", 6 * DAY, new ConsentChange(ContactChannel.SMS, false)),
        event("a-1", 6 * DAY, new ConsentChange(ContactChannel.EMAIL, true)),
        event("a-2", 2 * DAY, new PromiseToPay(usd(4_000), 3 * DAY)),
        event("a-2", 2 * DAY, new Payment("p-3", usd(4_000), false, "")),
        event("a-2", 4 * DAY, new Payment("p-3", usd(4_000), true, "R01")),
        event("a-2", 20 * DAY, new AccountStatus(61, usd(50_000), 0)),
        // beyond a-2's 30-day horizon: not counted
        event("a-2", 31 * DAY + 1, new AccountStatus(0, usd(0), 0)),
        event("a-2", 32 * DAY, new Payment("p-4", usd(1_000), false, "")),
        // an account with no decision: not counted
        event("a-9", 2 * DAY, new AccountStatus(0, usd(0), 0)));
    List<Arm> arms = StrategyReport.compute(records, History.of(events), TOKEN, 30 * DAY);
    assertThat(arms).hasSize(2);
    Arm champion = arms.get(0);
    assertThat(champion.key()).isEqualTo(new ArmKey("exp", "champion", "champion"));
    assertThat(champion.accounts()).isEqualTo(1);
    assertThat(champion.decisions()).isEqualTo(2);
    assertThat(champion.cured()).isEqualTo(1);
    assertThat(champion.rolled()).isZero();
    assertThat(champion.promises()).isEqualTo(1);
    assertThat(champion.promisesKept()).isEqualTo(1);
    assertThat(champion.collected()).containsExactly(Map.entry("USD", 5_000L));
    assertThat(champion.contacts()).isEqualTo(1);
    assertThat(champion.contactsPerCure()).isEqualTo(1.0);
    assertThat(champion.complaints()).isEqualTo(1);
    assertThat(champion.callsPaused()).isEqualTo(1);
    assertThat(champion.notConsented()).isEqualTo(1);
    Arm challenger = arms.get(1);
    assertThat(challenger.key().strategy()).isEqualTo("plans");
    assertThat(challenger.accounts()).isEqualTo(1);
    assertThat(challenger.decisions()).isEqualTo(3);
    assertThat(challenger.cured()).isZero();
    assertThat(challenger.rolled()).isEqualTo(1); // 35 (30+) to 61 (60+)
    assertThat(challenger.promises()).isEqualTo(1);
    assertThat(challenger.promisesKept()).isZero(); // its payment came back
    assertThat(challenger.collected()).isEmpty();
    assertThat(challenger.hardshipReferrals()).isEqualTo(1);
    assertThat(challenger.contactsPerCure()).isNaN();
  }

  @Property(tries = 300)
  void theFiguresAreTheCountsOfTheirDefinitions(@ForAll long seed) {
    var random = new Random(seed);
    long horizon = (1 + random.nextInt(40)) * DAY;
    int accounts = 1 + random.nextInt(6);
    var records = new ArrayList<AuditRecord>();
    StrategyArm[] arms = {StrategyArm.STRATEGY_ARM_CHAMPION, StrategyArm.STRATEGY_ARM_CHALLENGER};
    TreatmentAction[] actions = {TreatmentAction.TREATMENT_ACTION_REMINDER,
        TreatmentAction.TREATMENT_ACTION_AGENT_CALL,
        TreatmentAction.TREATMENT_ACTION_HARDSHIP_REFERRAL};
    for (int i = random.nextInt(15); i > 0; i--) {
      records.add(record("a-" + random.nextInt(accounts), random.nextInt(30) * DAY,
          random.nextInt(3) == 0 ? 0 : random.nextInt(70), arms[random.nextInt(2)],
          actions[random.nextInt(actions.length)], random.nextBoolean(), random.nextBoolean()));
    }
    var events = new ArrayList<Event>();
    var paymentIds = new ArrayList<String>();
    for (int i = random.nextInt(60); i > 0; i--) {
      String account = "a-" + random.nextInt(accounts + 1);
      long at = random.nextInt(40 * 24) * 3_600_000L;
      Event.Kind kind = switch (random.nextInt(6)) {
        case 0 -> new AccountStatus(random.nextInt(95), usd(100), 0);
        case 1 -> new ContactAttempt(ContactChannel.CALL, random.nextBoolean());
        case 2 -> new ConsentChange(ContactChannel.SMS, random.nextBoolean());
        case 3 -> new PromiseToPay(random.nextBoolean() ? usd(1 + random.nextInt(5_000))
            : new Money(1 + random.nextInt(5_000), "EUR"), at + random.nextInt(10) * DAY);
        default -> {
          if (!paymentIds.isEmpty() && random.nextInt(4) == 0) {
            yield new Payment(paymentIds.get(random.nextInt(paymentIds.size())), usd(1), true,
                "R01");
          }
          String id = "p-" + i;
          paymentIds.add(id);
          yield new Payment(id, random.nextBoolean() ? usd(1 + random.nextInt(4_000))
              : new Money(1 + random.nextInt(4_000), "EUR"), false, "");
        }
      };
      events.add(event(account, at, kind));
    }
    events.sort(Comparator.comparingLong(Event::timeMillis));
    assertThat(StrategyReport.compute(records, History.of(events), TOKEN, horizon))
        .containsExactlyInAnyOrderElementsOf(bruteForce(records, events, accounts, horizon));
  }

  /** Each figure counted from its definition, account by account, over every event. */
  static List<Arm> bruteForce(List<AuditRecord> records, List<Event> events, int accounts,
      long horizon) {
    long last = events.stream().filter(e -> e.kind() instanceof AccountStatus)
        .mapToLong(Event::timeMillis).max().orElse(Long.MIN_VALUE);
    var keys = new ArrayList<ArmKey>();
    for (AuditRecord r : records) {
      if (!keys.contains(StrategyReport.key(r))) {
        keys.add(StrategyReport.key(r));
      }
    }
    var out = new ArrayList<Arm>();
    for (ArmKey key : keys) {
      long decisions = 0;
      long referrals = 0;
      long paused = 0;
      long notConsented = 0;
      for (AuditRecord r : records) {
        if (StrategyReport.key(r).equals(key)) {
          decisions++;
          referrals += r.getCollections().getTreatment().getAction()
              == TreatmentAction.TREATMENT_ACTION_HARDSHIP_REFERRAL ? 1 : 0;
          paused += r.getCollections().getCallsPaused() ? 1 : 0;
          notConsented += r.getCollections().getChannelNotConsented() ? 1 : 0;
        }
      }
      long inArm = 0;
      long cured = 0;
      long rolled = 0;
      long promises = 0;
      long kept = 0;
      long contacts = 0;
      long complaints = 0;
      var collected = new TreeMap<String, Long>();
      for (int i = 0; i < accounts; i++) {
        String account = "a-" + i;
        AuditRecord first = null;
        for (AuditRecord r : records) {
          if (r.getEntities(0).equals(TOKEN.apply(account))
              && r.getFeaturesOrThrow("dpd_current") > 0
              && (first == null || Timestamps.toMillis(r.getAsOf())
                  < Timestamps.toMillis(first.getAsOf()))) {
            first = r;
          }
        }
        if (first == null || !StrategyReport.key(first).equals(key)
            || last - Timestamps.toMillis(first.getAsOf()) < horizon) {
          continue;
        }
        inArm++;
        long from = Timestamps.toMillis(first.getAsOf());
        long bucket = (long) first.getFeaturesOrThrow("dpd_current") / 30;
        var after = events.stream().filter(e -> e.accountId().equals(account)
            && e.timeMillis() >= from && e.timeMillis() < from + horizon).toList();
        cured += after.stream().anyMatch(e -> e.kind() instanceof AccountStatus s
            && s.daysPastDue() == 0) ? 1 : 0;
        rolled += after.stream().anyMatch(e -> e.kind() instanceof AccountStatus s
            && s.daysPastDue() / 30 > bucket) ? 1 : 0;
        contacts += after.stream().filter(e -> e.kind() instanceof ContactAttempt).count();
        complaints += after.stream().filter(e -> e.kind() instanceof ConsentChange c
            && !c.granted()).count();
        // a payment counts once (its first arrival), unless it came back
        var paid = new HashMap<String, Event>();
        for (Event e : after) {
          if (e.kind() instanceof Payment p && !p.returned()
              && after.stream().noneMatch(x -> x.kind() instanceof Payment q && q.returned()
                  && q.paymentId().equals(p.paymentId()))) {
            paid.putIfAbsent(p.paymentId(), e);
          }
        }
        for (Event e : paid.values()) {
          Money m = ((Payment) e.kind()).amount();
          collected.merge(m.currency(), m.minorUnits(), Long::sum);
        }
        for (Event e : after) {
          if (e.kind() instanceof PromiseToPay p) {
            promises++;
            long covered = paid.values().stream().filter(x -> x.timeMillis() >= e.timeMillis()
                && x.timeMillis() <= p.dueMillis()
                && ((Payment) x.kind()).amount().currency().equals(p.amount().currency()))
                .mapToLong(x -> ((Payment) x.kind()).amount().minorUnits()).sum();
            kept += covered >= p.amount().minorUnits() ? 1 : 0;
          }
        }
      }
      out.add(new Arm(key, inArm, decisions, cured, rolled, promises, kept, collected, contacts,
          complaints, referrals, paused, notConsented));
    }
    return out;
  }
}
