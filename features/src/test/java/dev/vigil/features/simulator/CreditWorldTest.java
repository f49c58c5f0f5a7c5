package dev.vigil.features.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.features.event.Event;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The credit world has the texture of a real book: income lost and found again, payments of part
 * of what is due, delinquencies that cure on their own and some that run past 30 days.
 */
class CreditWorldTest {
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
}
