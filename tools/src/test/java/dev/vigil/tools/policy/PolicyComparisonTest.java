package dev.vigil.tools.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.features.event.Event.Money;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.tools.policy.PolicyCase.Contact;
import dev.vigil.tools.policy.PolicyCase.Outcome;
import dev.vigil.tools.policy.PolicyCase.Side;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The comparison's arithmetic against a brute-force count over the same random cases: every
 * tally (count, money per currency, hold days) of the decision mix, the outcomes, the changes,
 * the review queue and the hits per rule (held, alone, first); currencies never added together.
 */
class PolicyComparisonTest {
  private static final String[] DECISIONS = {"APPROVE", "REVIEW", "DECLINE"};
  private static final String[] CURRENCIES = {"USD", "EUR", "JPY"};
  private static final String[] RULES = {"a", "b", "c"};

  @Property(tries = 60)
  void everyFigureEqualsABruteForceCount(@ForAll long seed,
      @ForAll @IntRange(min = 0, max = 400) int n) {
    var random = new Random(seed);
    var cases = new ArrayList<PolicyCase>();
    var comparison = new PolicyComparison("baseline", "proposed");
    for (int i = 0; i < n; i++) {
      PolicyCase c = new PolicyCase(Task.FRAUD, "e-" + i,
          1_767_225_600_000L + random.nextInt(5) * 86_400_000L + random.nextInt(86_400_000),
          new Money(random.nextInt(1_000_000), CURRENCIES[random.nextInt(3)]), random.nextInt(1000),
          Outcome.values()[random.nextInt(3)], side(random), side(random));
      cases.add(c);
      comparison.add(c);
    }
    var t = comparison.task(Task.FRAUD);
    assertThat(t.cases()).isEqualTo(n);
    for (boolean proposed : new boolean[] {false, true}) {
      var s = t.side(proposed);
      for (String d : DECISIONS) {
        for (String currency : CURRENCIES) {
          for (Outcome o : Outcome.values()) {
            long count = 0;
            long money = 0;
            for (PolicyCase c : cases) {
              Side x = proposed ? c.proposed() : c.baseline();
              if (x.decision().equals(d) && c.outcome() == o) {
                count++;
                money += c.amount().currency().equals(currency) ? c.amount().minorUnits() : 0;
              }
            }
            assertThat(s.decision(d, o).count()).isEqualTo(count);
            assertThat(s.decision(d, o).money(currency)).isEqualTo(money);
          }
        }
        long reviewDays = cases.stream().filter(c -> (proposed ? c.proposed() : c.baseline())
            .decision().equals("REVIEW")).count();
        if (d.equals("REVIEW")) {
          assertThat(s.reviewsPerDay().values().stream().mapToLong(Long::longValue).sum())
              .isEqualTo(reviewDays);
        }
      }
      // caught: bad and adverse; good declined or held: good and adverse
      for (Outcome o : Outcome.values()) {
        for (boolean adverse : new boolean[] {false, true}) {
          long count = cases.stream().filter(c -> c.outcome() == o
              && (proposed ? c.proposed() : c.baseline()).adverse() == adverse).count();
          long usd = cases.stream().filter(c -> c.outcome() == o
              && (proposed ? c.proposed() : c.baseline()).adverse() == adverse
              && c.amount().currency().equals("USD")).mapToLong(c -> c.amount().minorUnits())
              .sum();
          assertThat(s.outcome(o, adverse).count()).isEqualTo(count);
          assertThat(s.outcome(o, adverse).money("USD")).isEqualTo(usd);
        }
      }
      for (String rule : RULES) {
        long held = 0;
        long alone = 0;
        long first = 0;
        for (PolicyCase c : cases) {
          Side x = proposed ? c.proposed() : c.baseline();
          held += x.holding().contains(rule) ? 1 : 0;
          alone += x.holding().equals(List.of(rule)) ? 1 : 0;
          first += x.first().equals(rule) ? 1 : 0;
        }
        var hits = s.rules().get(rule);
        assertThat(hits == null ? 0 : hits.held()).as("held %s", rule).isEqualTo(held);
        assertThat(hits == null ? 0 : hits.alone()).as("alone %s", rule).isEqualTo(alone);
        assertThat(hits == null ? 0 : hits.first()).as("first %s", rule).isEqualTo(first);
      }
    }
    for (String from : DECISIONS) {
      for (String to : DECISIONS) {
        long count = cases.stream().filter(c -> c.baseline().decision().equals(from)
            && c.proposed().decision().equals(to)).count();
        Tally cell = t.changes().getOrDefault(from, Map.of()).get(to);
        assertThat(cell == null ? 0 : cell.count()).isEqualTo(count);
      }
    }
    long changed = cases.stream().filter(c -> !c.baseline().decision()
        .equals(c.proposed().decision())).count();
    assertThat(t.changed().count()).isEqualTo(changed);
  }

  /** A side whose first rule is the first of those that held, as a policy decides. */
  private static Side side(Random random) {
    var holding = new ArrayList<String>();
    for (String r : RULES) {
      if (random.nextInt(3) == 0) {
        holding.add(r);
      }
    }
    String decision = DECISIONS[random.nextInt(3)];
    return new Side(decision, !decision.equals("APPROVE"),
        holding.isEmpty() ? "" : holding.get(0), holding, 0, List.of(), null);
  }

  @Test
  void moneyOfDifferentCurrenciesIsNeverAddedTogether() {
    var comparison = new PolicyComparison("baseline", "proposed");
    Side decline = new Side("DECLINE", true, "r", List.of("r"), 0, List.of(), null);
    comparison.add(new PolicyCase(Task.FRAUD, "1", 0, new Money(1_000, "USD"), 0, Outcome.BAD,
        decline, decline));
    comparison.add(new PolicyCase(Task.FRAUD, "2", 0, new Money(500, "JPY"), 0, Outcome.BAD,
        decline, decline));
    comparison.add(new PolicyCase(Task.FRAUD, "3", 0, new Money(250, "USD"), 0, Outcome.BAD,
        decline, decline));
    Tally caught = comparison.task(Task.FRAUD).baseline().outcome(Outcome.BAD, true);
    assertThat(caught.count()).isEqualTo(3);
    assertThat(caught.money()).containsExactly(Map.entry("JPY", 500L),
        Map.entry("USD", 1_250L));
    // shown per currency, each in its own minor units (JPY has none)
    assertThat(ComparisonReport.count(caught)).isEqualTo("3 (JPY 500, USD 12.50)");
  }

  @Test
  void aRuleHeldAloneOnlyWhenNoOtherRuleOfItsPolicyHeld() {
    var comparison = new PolicyComparison("baseline", "proposed");
    comparison.declareRules(Task.FRAUD, false, List.of("high", "burst", "never"));
    Side both = new Side("DECLINE", true, "high", List.of("high", "burst"), 0, List.of(), null);
    Side burst = new Side("REVIEW", true, "burst", List.of("burst"), 0, List.of(), null);
    Side none = new Side("APPROVE", false, "", List.of(), 0, List.of(), null);
    for (Side s : List.of(both, burst, burst, none)) {
      comparison.add(new PolicyCase(Task.FRAUD, "x", 0, null, 0, Outcome.UNKNOWN, s, s));
    }
    var rules = comparison.task(Task.FRAUD).baseline().rules();
    assertThat(rules.keySet()).containsExactly("high", "burst", "never");
    assertThat(rules.get("high").held()).isEqualTo(1);
    assertThat(rules.get("high").alone()).isZero();
    assertThat(rules.get("high").first()).isEqualTo(1);
    assertThat(rules.get("burst").held()).isEqualTo(3);
    assertThat(rules.get("burst").alone()).isEqualTo(2);
    assertThat(rules.get("burst").first()).isEqualTo(2);
    assertThat(rules.get("never").held()).isZero();
  }

  @Test
  void contactsCountByChannelWithTheCallsRegulationFPaused() {
    var comparison = new PolicyComparison("baseline", "proposed");
    Side call = new Side("HIGH_RISK", true, "d", List.of("d"), 0, List.of(),
        new Contact("AGENT_CALL", "CALL", false));
    Side paused = new Side("HIGH_RISK", true, "d", List.of("d"), 0, List.of(),
        new Contact("AGENT_CALL", "CALL", true));
    Side reminder = new Side("PRE_DELINQUENT", true, "e", List.of("e"), 0, List.of(),
        new Contact("REMINDER", "EMAIL", false));
    comparison.add(new PolicyCase(Task.DELINQUENCY, "a@1", 0, null, 0, Outcome.GOOD, call,
        reminder));
    comparison.add(new PolicyCase(Task.DELINQUENCY, "b@1", 0, null, 0, Outcome.BAD, paused,
        paused));
    var t = comparison.task(Task.DELINQUENCY);
    assertThat(t.baseline().contacts().get("CALL").contacts()).isEqualTo(2);
    assertThat(t.baseline().contacts().get("CALL").regulationFBlocked()).isEqualTo(1);
    assertThat(t.proposed().contacts().get("EMAIL").contacts()).isEqualTo(1);
    assertThat(t.treatmentChanges().get("AGENT_CALL")).containsEntry("REMINDER", 1L)
        .containsEntry("AGENT_CALL", 1L);
  }
}
