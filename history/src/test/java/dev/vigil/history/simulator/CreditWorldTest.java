package dev.vigil.history.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.features.event.Event;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The credit world has the texture of a real book: income lost and found again, payments of part
 * of what is due, delinquencies that cure on their own and some that run past 30 days, and
 * customers' own check fraud that looks like their usual deposits.
 */
class CreditWorldTest {
  static final long DAY = 86_400_000L;

  @Test
  void incomeReturnsPaymentsFallShortAndDelinquenciesCureOrRoll() {
    Map<String, Long> jobLoss = new HashMap<>();
    Set<String> salaryAfterLoss = new HashSet<>();
    Map<String, Long> minimumDue = new HashMap<>();
    int[] payments = {0};
    int[] partial = {0};
    Map<String, Integer> worstDpd = new HashMap<>();
    Set<String> cured = new HashSet<>();
    new Simulator(Simulator.Config.of(3, 1_000, 150)).run(e -> {
      String a = e.accountId();
      if (e.kind() instanceof Event.HardshipFlag h && h.active()) {
        jobLoss.putIfAbsent(a, e.timeMillis());
      } else if (e.kind() instanceof Event.Transaction t && t.payrollLike()
          && jobLoss.containsKey(a) && e.timeMillis() > jobLoss.get(a)) {
        salaryAfterLoss.add(a);
      } else if (e.kind() instanceof Event.Statement s) {
        minimumDue.put(a, s.minimumDue().minorUnits());
      } else if (e.kind() instanceof Event.Payment p && !p.returned()) {
        payments[0]++;
        if (p.amount().minorUnits() < minimumDue.getOrDefault(a, 0L)) {
          partial[0]++;
        }
      } else if (e.kind() instanceof Event.AccountStatus s) {
        if (s.daysPastDue() == 0 && worstDpd.getOrDefault(a, 0) > 0) {
          cured.add(a);
        }
        worstDpd.merge(a, s.daysPastDue(), Math::max);
      }
    });
    assertThat(jobLoss).hasSizeGreaterThan(20);
    assertThat(salaryAfterLoss.size()).as("customers paid again after losing income")
        .isGreaterThan(jobLoss.size() / 4);
    assertThat(partial[0]).as("payments of part of the minimum due").isPositive()
        .isLessThan(payments[0] / 5);
    assertThat(cured.size()).as("delinquencies cured").isGreaterThan(50);
    assertThat(worstDpd.values().stream().filter(d -> d >= 30).count())
        .as("delinquencies past 30 days").isGreaterThan(10);
  }

  /**
   * First-party deposit fraud: a check of the customer's usual kind (after at least two, at most
   * 2.5 times the largest before it, from the device of the one before), a third of it drawn in
   * cash within a day, returned unpaid. A stranger's deposit fraud is ten times the largest; an
   * ordinary unpaid check is not followed by its third at the ATM.
   */
  @Test
  void someCustomersDepositAUsualLookingCheckSpendItAndItComesBackUnpaid() {
    var simulator = new Simulator(Simulator.Config.of(3, 2_000, 180));
    Map<String, Integer> depositsBefore = new HashMap<>();
    Map<String, Long> largestBefore = new HashMap<>();
    Map<String, String> devices = new HashMap<>();
    Map<String, Event> usualLooking = new HashMap<>(); // deposit id -> the deposit event
    Map<String, List<Event>> atm = new HashMap<>(); // account -> its ATM withdrawals
    Set<String> returnedUnpaid = new HashSet<>();
    List<Event> events = new ArrayList<>();
    simulator.run(events::add);
    for (Event e : events) {
      String a = e.accountId();
      if (e.kind() instanceof Event.CheckDeposit d) {
        long amount = d.amount().minorUnits();
        long largest = largestBefore.getOrDefault(a, 0L);
        if (depositsBefore.getOrDefault(a, 0) >= 2 && amount > largest
            && amount <= 2.5 * largest && d.deviceId().equals(devices.get(a))) {
          usualLooking.put(d.depositId(), e);
        }
        depositsBefore.merge(a, 1, Integer::sum);
        devices.put(a, d.deviceId());
        largestBefore.merge(a, amount, Math::max);
      } else if (e.kind() instanceof Event.Transaction t && t.channel() == Event.Channel.ATM) {
        atm.computeIfAbsent(a, k -> new ArrayList<>()).add(e);
      } else if (e.kind() instanceof Event.DepositReturn r && r.returnReason().equals("NSF")) {
        returnedUnpaid.add(r.depositId());
      }
    }
    int spentAndReturned = 0;
    for (var entry : usualLooking.entrySet()) {
      Event deposit = entry.getValue();
      var d = (Event.CheckDeposit) deposit.kind();
      long cash = atm.getOrDefault(deposit.accountId(), List.of()).stream()
          .filter(e -> e.timeMillis() > deposit.timeMillis()
              && e.timeMillis() <= deposit.timeMillis() + DAY)
          .mapToLong(e -> ((Event.Transaction) e.kind()).amount().minorUnits()).sum();
      if (returnedUnpaid.contains(entry.getKey()) && cash >= d.amount().minorUnits() / 3) {
        spentAndReturned++;
      }
    }
    assertThat(simulator.stats().firstPartyDepositFrauds).isGreaterThan(10);
    assertThat(spentAndReturned).as("usual-looking checks drawn in cash and returned unpaid")
        .isGreaterThanOrEqualTo((int) simulator.stats().firstPartyDepositFrauds * 3 / 4);
  }
}
