package dev.vigil.tools.policy;

import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.tools.policy.PolicyCase.Contact;
import dev.vigil.tools.policy.PolicyCase.Outcome;
import dev.vigil.tools.policy.PolicyCase.Side;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Two policies' decisions on the same cases, compared: what a backtest and a shadow report
 * print, per task. Cases are added one by one ({@link #add}) and never kept: a history of
 * millions of transactions is compared in constant memory.
 *
 * <p>Per task and side: the decision mix (count, money per currency, hold days) by outcome; the
 * changes from the baseline's decision to the proposed one's; the review queue per day (fraud's
 * REVIEW decisions, by UTC day); hits per rule: held (its condition was true), alone (the only
 * rule of its policy that held) and first (it decided); for delinquency the treatments, their
 * changes and the contacts by channel with the calls Regulation F paused.
 */
public final class PolicyComparison {
  /** The decision that puts a call in front of a person: the review queue. */
  public static final String REVIEW = "REVIEW";

  private final String baselineName;
  private final String proposedName;
  private final Map<Task, TaskComparison> tasks = new EnumMap<>(Task.class);

  /**
   * @param baselineName what the baseline is called in the report ("baseline", "live")
   * @param proposedName what the proposed policy is called ("proposed", "shadow")
   */
  public PolicyComparison(String baselineName, String proposedName) {
    this.baselineName = baselineName;
    this.proposedName = proposedName;
  }

  public String baselineName() {
    return baselineName;
  }

  public String proposedName() {
    return proposedName;
  }

  /**
   * Names a side's rules for {@code task} in their order, so that a rule that never held is
   * reported with zero hits.
   */
  public void declareRules(Task task, boolean proposed, List<String> names) {
    TaskComparison t = task(task);
    Map<String, RuleHits> rules = proposed ? t.proposed.rules : t.baseline.rules;
    for (String name : names) {
      rules.computeIfAbsent(name, n -> new RuleHits());
    }
  }

  /** Counts {@code c}. */
  public void add(PolicyCase c) {
    TaskComparison t = task(c.task());
    t.cases++;
    t.outcomes.merge(c.outcome(), 1L, Long::sum);
    t.baseline.add(c, c.baseline());
    t.proposed.add(c, c.proposed());
    Side b = c.baseline();
    Side p = c.proposed();
    t.changes.computeIfAbsent(b.decision(), k -> new TreeMap<>())
        .computeIfAbsent(p.decision(), k -> new Tally()).add(c.amount(), 0);
    if (b.contact() != null || p.contact() != null) {
      t.treatmentChanges.computeIfAbsent(action(b.contact()), k -> new TreeMap<>())
          .merge(action(p.contact()), 1L, Long::sum);
    }
  }

  /** The tasks with at least one case or declared rule, in task order. */
  public Map<Task, TaskComparison> tasks() {
    return tasks;
  }

  /** The comparison of {@code task}; empty when it had no case. */
  public TaskComparison task(Task task) {
    return tasks.computeIfAbsent(task, k -> new TaskComparison());
  }

  private static String action(Contact contact) {
    return contact == null ? "NONE" : contact.action();
  }

  /** One task's comparison. */
  public static final class TaskComparison {
    long cases;
    final Map<Outcome, Long> outcomes = new EnumMap<>(Outcome.class);
    final SideComparison baseline = new SideComparison();
    final SideComparison proposed = new SideComparison();
    /** baseline decision -> proposed decision -> tally (the unchanged on the diagonal). */
    final Map<String, Map<String, Tally>> changes = new TreeMap<>();
    /** baseline treatment -> proposed treatment -> count (delinquency). */
    final Map<String, Map<String, Long>> treatmentChanges = new TreeMap<>();

    public long cases() {
      return cases;
    }

    public long outcomes(Outcome outcome) {
      return outcomes.getOrDefault(outcome, 0L);
    }

    public SideComparison baseline() {
      return baseline;
    }

    public SideComparison proposed() {
      return proposed;
    }

    public SideComparison side(boolean proposedSide) {
      return proposedSide ? proposed : baseline;
    }

    /** From the baseline's decision to the proposed one's, each pair's tally. */
    public Map<String, Map<String, Tally>> changes() {
      return changes;
    }

    /** The cases whose decision differs between the two policies. */
    public Tally changed() {
      var all = new Tally();
      changes.forEach((from, row) -> row.forEach((to, tally) -> {
        if (!from.equals(to)) {
          all.addAll(tally);
        }
      }));
      return all;
    }

    public Map<String, Map<String, Long>> treatmentChanges() {
      return treatmentChanges;
    }
  }

  /** One side's (one policy's) decisions on a task's cases. */
  public static final class SideComparison {
    /** decision -> outcome -> tally. */
    final Map<String, Map<Outcome, Tally>> decisions = new TreeMap<>();
    /** decision -> adverse, as the cases said. */
    final Map<String, Boolean> adverse = new TreeMap<>();
    final Map<String, RuleHits> rules = new LinkedHashMap<>();
    final Map<LocalDate, Long> reviewsPerDay = new TreeMap<>();
    final Map<String, Long> treatments = new TreeMap<>();
    final Map<String, ChannelContacts> contacts = new TreeMap<>();
    final Map<String, Long> reasons = new TreeMap<>();
    boolean holdingKnown = true;

    void add(PolicyCase c, Side s) {
      decisions.computeIfAbsent(s.decision(), k -> new EnumMap<>(Outcome.class))
          .computeIfAbsent(c.outcome(), k -> new Tally()).add(c.amount(), s.holdDays());
      adverse.putIfAbsent(s.decision(), s.adverse());
      if (s.decision().equals(REVIEW)) {
        reviewsPerDay.merge(day(c.timeMillis()), 1L, Long::sum);
      }
      if (s.holding() == null) {
        holdingKnown = false;
      } else {
        for (String rule : s.holding()) {
          RuleHits hits = rules.computeIfAbsent(rule, n -> new RuleHits());
          hits.held++;
          if (s.holding().size() == 1) {
            hits.alone++;
          }
        }
      }
      if (!s.first().isEmpty()) {
        rules.computeIfAbsent(s.first(), n -> new RuleHits()).first++;
      }
      for (String reason : s.reasons()) {
        reasons.merge(reason, 1L, Long::sum);
      }
      Contact contact = s.contact();
      if (contact != null) {
        treatments.merge(contact.action(), 1L, Long::sum);
        if (!contact.channel().isEmpty()) {
          ChannelContacts cc = contacts.computeIfAbsent(contact.channel(),
              k -> new ChannelContacts());
          cc.contacts++;
          if (contact.regulationFBlocked()) {
            cc.regulationFBlocked++;
          }
        }
      }
    }

    /** Every case of {@code decision} (all outcomes). */
    public Tally decision(String decision) {
      var all = new Tally();
      decisions.getOrDefault(decision, Map.of()).values().forEach(all::addAll);
      return all;
    }

    /** The cases of {@code decision} with {@code outcome}. */
    public Tally decision(String decision, Outcome outcome) {
      Tally t = decisions.getOrDefault(decision, Map.of()).get(outcome);
      return t == null ? new Tally() : t;
    }

    /** The decisions made, in name order. */
    public List<String> decisions() {
      return List.copyOf(decisions.keySet());
    }

    public boolean adverse(String decision) {
      return adverse.getOrDefault(decision, false);
    }

    /** The cases with {@code outcome} whose decision was adverse (true) or not (false). */
    public Tally outcome(Outcome outcome, boolean adverseDecision) {
      var all = new Tally();
      decisions.forEach((d, byOutcome) -> {
        if (adverse(d) == adverseDecision && byOutcome.containsKey(outcome)) {
          all.addAll(byOutcome.get(outcome));
        }
      });
      return all;
    }

    public Map<String, RuleHits> rules() {
      return rules;
    }

    /** False when some case did not say which rules held (a shadow decision). */
    public boolean holdingKnown() {
      return holdingKnown;
    }

    public Map<LocalDate, Long> reviewsPerDay() {
      return reviewsPerDay;
    }

    public Map<String, Long> treatments() {
      return treatments;
    }

    public Map<String, ChannelContacts> contacts() {
      return contacts;
    }

    public Map<String, Long> reasons() {
      return reasons;
    }
  }

  /** A rule's hits: held (its condition was true), alone (no other rule held), first (decided). */
  public static final class RuleHits {
    long held;
    long alone;
    long first;

    public long held() {
      return held;
    }

    public long alone() {
      return alone;
    }

    public long first() {
      return first;
    }
  }

  /** Contacts planned on a channel, and how many of those calls Regulation F paused. */
  public static final class ChannelContacts {
    long contacts;
    long regulationFBlocked;

    public long contacts() {
      return contacts;
    }

    public long regulationFBlocked() {
      return regulationFBlocked;
    }
  }

  static LocalDate day(long millis) {
    return Instant.ofEpochMilli(millis).atZone(ZoneOffset.UTC).toLocalDate();
  }
}
