package dev.vigil.scoring.policy;

import java.util.Set;

/**
 * When a task's decisions carry the model's reasons, and how unusual a feature's value must be to
 * be one. Written under a task of the policy as
 *
 * <pre>
 * reasons:
 *   given_on: [REVIEW, DECLINE]   # default: every decision but the clear one
 *   beyond_quantile: 0.90         # default: {@link #DEFAULT_QUANTILE}
 * </pre>
 *
 * A reason explains an adverse decision: a clear one (APPROVE, ACCEPT, CURRENT_LOW_RISK, see
 * {@link Decision#favourable()}) has nothing adverse to explain, so by default it gets none;
 * every other decision does (decline, review, hold, reject, and every delinquency segment but
 * CURRENT_LOW_RISK: a collector or a letter acting on an account needs to say why it is in its
 * segment). A policy's rule reason is given whatever the decision: its author wrote it.
 *
 * @param givenOn the names of the decisions that carry the model's reasons
 * @param quantile a feature is a reason only when its value lies beyond this quantile of the
 *     training population on its adverse side ({@link #DEFAULT_QUANTILE})
 */
public record ReasonRule(Set<String> givenOn, double quantile) {
  /**
   * The default quantile a reason's value must lie beyond, on its adverse side, in the model's
   * training population: 0.90. A reason's text says the value is unusual ("more transactions
   * than is typical", "device used by more accounts than is typical"); at the 90th percentile
   * at most one customer in ten of the population is as far out, which a person reading the
   * notice would call unusual, where above the median is half of all customers. With the card's
   * 500 reference rows, 50 lie beyond it, enough for a stable estimate.
   */
  public static final double DEFAULT_QUANTILE = 0.90;
  /** The least and most quantile a policy may state. */
  public static final double LEAST_QUANTILE = 0.5;
  public static final double MOST_QUANTILE = 0.99;

  public ReasonRule {
    givenOn = Set.copyOf(givenOn);
    if (!(quantile >= LEAST_QUANTILE && quantile <= MOST_QUANTILE)) {
      throw new IllegalArgumentException("reasons.beyond_quantile: must be within "
          + LEAST_QUANTILE + "-" + MOST_QUANTILE + ", not " + quantile);
    }
  }

  /** Whether a decision carries the model's reasons. */
  public boolean givenFor(Decision decision) {
    return givenOn.contains(decision.name());
  }
}
