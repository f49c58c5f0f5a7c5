package dev.vigil.history.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.Event.CheckDeposit;
import dev.vigil.features.event.Event.DepositReturn;
import dev.vigil.features.event.Event.FraudReport;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SimulatorTest {
  static List<Event> run(long seed, int customers, int days) {
    var events = new ArrayList<Event>();
    new Simulator(Simulator.Config.of(seed, customers, days)).run(events::add);
    return events;
  }

  @Test
  void theSameSeedGivesTheSameHistoryAndAnotherSeedAnother() {
    assertThat(run(11, 200, 20)).isEqualTo(run(11, 200, 20));
    assertThat(run(12, 200, 20)).isNotEqualTo(run(11, 200, 20));
  }

  @Test
  void historiesAreInEventTimeOrderWithUniqueIds() {
    var events = run(5, 500, 30);
    for (int i = 1; i < events.size(); i++) {
      assertThat(events.get(i).timeMillis()).isGreaterThanOrEqualTo(events.get(i - 1).timeMillis());
    }
    assertThat(events.stream().map(Event::eventId).distinct().count()).isEqualTo(events.size());
  }

  @Test
  void labelsAreRealisticAndArriveLate() {
    var events = run(9, 3000, 30);
    Map<String, Long> transactionTimes = new HashMap<>();
    long debits = 0;
    for (Event e : events) {
      if (e.kind() instanceof Event.Transaction t && t.direction() == Event.Direction.DEBIT) {
        transactionTimes.put(e.eventId(), e.timeMillis());
        debits++;
      }
    }
    long reported = 0;
    for (Event e : events) {
      if (e.kind() instanceof FraudReport r) {
        reported++;
        assertThat(e.timeMillis() - transactionTimes.get(r.reportedEventId()))
            .as("a report arrives at least a day after its transaction")
            .isGreaterThanOrEqualTo(86_400_000L);
      }
    }
    assertThat((double) reported / debits).as("fraud share").isBetween(0.004, 0.025);

    // duplicate presentment: one check (MICR line) deposited under two deposit ids
    Map<String, Set<String>> accountsByCheck = new HashMap<>();
    Map<String, Long> depositTimes = new HashMap<>();
    for (Event e : events) {
      if (e.kind() instanceof CheckDeposit d) {
        accountsByCheck.computeIfAbsent(d.micrFingerprint(), k -> new HashSet<>())
            .add(d.depositId());
        depositTimes.put(d.depositId(), e.timeMillis());
      }
    }
    assertThat(accountsByCheck.values()).anySatisfy(ids -> assertThat(ids).hasSize(2));
    for (Event e : events) {
      if (e.kind() instanceof DepositReturn r) {
        assertThat(e.timeMillis()).isGreaterThan(depositTimes.get(r.depositId()));
      }
    }
  }

  @Test
  void theHandbookShapeHasOnlyCardTransactionsAndItsThreeScenarios() {
    var events = new ArrayList<Event>();
    var simulator = new Simulator(new Simulator.Config(3, 2000, 40,
        java.time.Instant.parse("2018-04-01T00:00:00Z"), 0, Simulator.Shape.HANDBOOK));
    simulator.run(events::add);
    Map<String, Event> transactions = new HashMap<>();
    Set<String> terminals = new HashSet<>();
    for (Event e : events) {
      try { // every event is one the ingest would accept
        dev.vigil.features.event.EventCodec.fromProto(
            dev.vigil.features.event.EventCodec.toProto(e), e.timeMillis());
      } catch (dev.vigil.features.event.InvalidEventException invalid) {
        throw new AssertionError(e + " is invalid: " + invalid.getMessage(), invalid);
      }
      if (e.kind() instanceof Event.Transaction t) {
        transactions.put(e.eventId(), e);
        terminals.add(t.merchantId());
        long secondOfDay = Math.floorMod(e.timeMillis(), 86_400_000L) / 1000;
        assertThat(t.direction()).isEqualTo(Event.Direction.DEBIT);
        assertThat(t.amount().minorUnits()).isNotNegative();
        // around noon: the Handbook's normal(43,200 s, 20,000 s), times outside the day dropped
        assertThat(secondOfDay).isBetween(0L, 86_399L);
      } else {
        assertThat(e.kind()).as("only transactions and fraud reports").isInstanceOf(FraudReport.class);
      }
    }
    long frauds = 0;
    long overThreshold = 0;
    for (Event e : events) {
      if (e.kind() instanceof FraudReport r) {
        frauds++;
        Event fraud = transactions.get(r.reportedEventId());
        assertThat(e.timeMillis() - fraud.timeMillis()).as("every fraud, reported one week later")
            .isEqualTo(7 * 86_400_000L);
        if (((Event.Transaction) fraud.kind()).amount().minorUnits() > 220_00) {
          overThreshold++;
        }
      }
    }
    for (Event e : transactions.values()) {
      if (((Event.Transaction) e.kind()).amount().minorUnits() > 220_00) {
        overThreshold--; // scenario 1: every transaction over $220 is a fraud, and reported
      }
    }
    assertThat(overThreshold).isZero();
    assertThat((double) frauds / transactions.size()).as("the Handbook's 0.84%")
        .isBetween(0.004, 0.015);
    assertThat(terminals.size()).as("terminals: two per customer, those in reach used")
        .isGreaterThan(2000).isLessThanOrEqualTo(4000);
    assertThat(simulator.stats().transactions).isEqualTo(transactions.size());
  }
}
