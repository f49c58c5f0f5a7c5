package dev.vigil.tools.policy;

import dev.vigil.features.event.Event.CheckDeposit;
import dev.vigil.features.event.Event.Money;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.history.History;
import dev.vigil.history.training.Labels;
import dev.vigil.history.training.TrainingSets;
import dev.vigil.proto.v1.AuditRecord;
import dev.vigil.proto.v1.PolicyRef;
import dev.vigil.proto.v1.ShadowDecision;
import dev.vigil.scoring.replay.DecisionReplay;
import dev.vigil.tools.policy.PolicyCase.Outcome;
import dev.vigil.tools.policy.PolicyCase.Side;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Live decisions against shadow policies' over the audit records: each decision record's live
 * decision ({@code AuditRecord.decision}, its rule) and each shadow policy's ({@code
 * shadow_decisions}) as a {@link PolicyCase}, one {@link PolicyComparison} per shadow policy
 * version. The amount is the record's {@code txn_amount} or {@code deposit_amount} feature in the
 * currency of its request facts. Outcomes come from an event history when one is given (fraud
 * reports and returned deposits, by the scored event's id); delinquency records name their
 * account only as a token, so their outcome stays unknown. A shadow decision records its
 * deciding rule only: hits per rule are "first" alone.
 */
public final class ShadowReport {
  /** A shadow decision that failed, as its decision is reported. */
  public static final String FAILED = "FAILED";

  private final Map<String, PolicyComparison> byShadow = new LinkedHashMap<>();
  private final Optional<Outcomes> outcomes;
  private long records;
  private long withoutShadow;

  /** What an event history says of the scored events: labels, deposits' ids, its end. */
  public record Outcomes(Labels labels, Map<String, String> depositIds, long historyEndMillis) {
    /** Reads {@code history} once. */
    public static Outcomes of(History history) {
      var labels = new Labels();
      var deposits = new HashMap<String, String>();
      long[] end = {Long.MIN_VALUE};
      history.replay(e -> {
        labels.observe(e);
        if (e.kind() instanceof CheckDeposit d) {
          deposits.put(e.eventId(), d.depositId());
        }
        end[0] = Math.max(end[0], e.timeMillis());
      });
      return new Outcomes(labels, deposits, end[0]);
    }
  }

  /** @param outcomes the history's outcomes, or empty: counts only */
  public ShadowReport(Optional<Outcomes> outcomes) {
    this.outcomes = outcomes;
  }

  /** Counts a record: each of its shadow decisions against its live one. */
  public void add(AuditRecord record) {
    if (!DecisionReplay.isDecision(record)) {
      return;
    }
    records++;
    if (record.getShadowDecisionsCount() == 0) {
      withoutShadow++;
      return;
    }
    // a past-due account's ScoreDelinquency is the cure model's record: a delinquency decision
    Task task = Task.of(record.getTask()) == Task.CURE ? Task.DELINQUENCY
        : Task.of(record.getTask());
    long at = record.getAsOf().getSeconds() * 1000 + record.getAsOf().getNanos() / 1_000_000;
    Money amount = amount(task, record);
    Outcome outcome = outcome(task, record, at);
    Side live = side(task, record.getDecision(), record.getPolicyRule(),
        record.getScore().getReasonsList().stream().map(r -> r.getCode()).toList(), 0);
    for (ShadowDecision s : record.getShadowDecisionsList()) {
      String decision = s.getError().isEmpty() ? s.getDecision() : FAILED;
      Side shadow = side(task, decision, s.getPolicyRule(), s.getReasonCodesList(),
          s.getHoldDays());
      byShadow.computeIfAbsent(name(s.getPolicy()), k -> new PolicyComparison("live", "shadow"))
          .add(new PolicyCase(task, record.getEventId().isEmpty() ? record.getAuditId()
              : record.getEventId(), at, amount, record.getScore().getScore(), outcome, live,
              shadow));
    }
  }

  /** Each shadow policy's comparison, by its name ({@code v3-1a2b3c4d5e6f}). */
  public Map<String, PolicyComparison> comparisons() {
    return byShadow;
  }

  /** Decision records read. */
  public long records() {
    return records;
  }

  /** Decision records that had no shadow decision. */
  public long withoutShadow() {
    return withoutShadow;
  }

  /** A shadow policy's name: its kept version and the start of its SHA-256. */
  static String name(PolicyRef ref) {
    return "v" + ref.getVersion() + "-" + ref.getSha256().substring(0,
        Math.min(12, ref.getSha256().length()));
  }

  private static Side side(Task task, String decision, String rule, List<String> reasons,
      int holdDays) {
    boolean adverse = !decision.equals(FAILED) && !decision.isEmpty()
        && !PolicyRules.decision(task, decision).favourable();
    return new Side(decision.isEmpty() ? FAILED : decision, adverse, rule, null, holdDays,
        reasons, null);
  }

  private static Money amount(Task task, AuditRecord record) {
    String feature = switch (task) {
      case FRAUD -> "txn_amount";
      case DEPOSIT -> "deposit_amount";
      case DELINQUENCY, CURE, ROLL -> null;
    };
    String currency = record.getRequestFacts().getCurrency();
    if (feature == null || currency.isEmpty() || !record.getFeaturesMap().containsKey(feature)) {
      return null;
    }
    double units = record.getFeaturesMap().get(feature);
    return Double.isNaN(units) ? null : new Money(Math.round(units), currency);
  }

  private Outcome outcome(Task task, AuditRecord record, long at) {
    if (outcomes.isEmpty() || record.getEventId().isEmpty()) {
      return Outcome.UNKNOWN;
    }
    Outcomes o = outcomes.get();
    String id = record.getEventId();
    boolean bad = switch (task) {
      case FRAUD -> o.labels().fraud(id);
      case DEPOSIT -> o.labels().returned(o.depositIds().getOrDefault(id, id));
      case DELINQUENCY, CURE, ROLL -> false;
    };
    if (bad) {
      return Outcome.BAD;
    }
    if (task == Task.DELINQUENCY) {
      return Outcome.UNKNOWN;
    }
    Duration delay = TrainingSets.labelDelay(task, Duration.ZERO);
    return at + delay.toMillis() <= o.historyEndMillis() ? Outcome.GOOD : Outcome.UNKNOWN;
  }
}
