package dev.vigil.tools.policy;

import dev.vigil.features.event.Event.Money;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import java.util.List;
import java.util.Objects;

/**
 * One decision made twice: by the baseline policy (the live one, in a shadow report) and by the
 * proposed one (the backtest's new policy, or a shadow policy), on the same call, with what
 * happened afterwards.
 *
 * @param id the scored event's id, or {@code account@as-of} for a delinquency call
 * @param amount the event's amount; null for a delinquency call
 * @param score the 0-999 score both policies decided on (0 for a stand-in)
 * @param outcome what the history says happened, {@link Outcome#UNKNOWN} when it cannot say yet
 */
public record PolicyCase(Task task, String id, long timeMillis, Money amount, int score,
    Outcome outcome, Side baseline, Side proposed) {
  public PolicyCase {
    Objects.requireNonNull(task, "task");
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(baseline, "baseline");
    Objects.requireNonNull(proposed, "proposed");
  }

  /** What the history says happened after the call. */
  public enum Outcome {
    /**
     * Reported as fraud, returned unpaid, 30+ days past due within the horizon, or (an account
     * already past due: the cure model's case) not back to current within 30 days.
     */
    BAD,
    /** None of those, and the history reaches far enough past the call to say so. */
    GOOD,
    /** Not known: no history given, or it ends before such an outcome could be known. */
    UNKNOWN
  }

  /**
   * One policy's decision on the case.
   *
   * @param decision the decision's name ("DECLINE", "HOLD", "SELF_CURE"), empty when the policy
   *     gave none (a shadow policy that failed)
   * @param adverse true when the decision is not the task's clear one (APPROVE, ACCEPT,
   *     CURRENT_LOW_RISK)
   * @param first the rule that decided, empty for the default
   * @param holding every rule that held, in the policy's order; null when not known (a shadow
   *     decision records its deciding rule only)
   * @param holdDays the hold's business days for a deposit held, else 0
   * @param reasons the reasons' codes, as answered
   * @param contact the collections treatment planned, null for other tasks and stand-ins
   */
  public record Side(String decision, boolean adverse, String first, List<String> holding,
      int holdDays, List<String> reasons, Contact contact) {
    public Side {
      Objects.requireNonNull(decision, "decision");
      first = first == null ? "" : first;
      holding = holding == null ? null : List.copyOf(holding);
      reasons = reasons == null ? List.of() : List.copyOf(reasons);
    }
  }

  /**
   * A collections treatment as planned ({@code TreatmentPlanner}).
   *
   * @param channel the channel's name, empty for no contact
   * @param regulationFBlocked a call the Regulation F limits pause (seven calls in 7 days, or a
   *     conversation within 7 days)
   */
  public record Contact(String action, String channel, boolean regulationFBlocked) {}
}
