package dev.vigil.job;

/**
 * A keyed fold that publishes through a {@link Publication} throttle, for {@link
 * ProfileFoldOperator} to flush before checkpoints and at the end of input.
 */
interface Throttled {
  /** This subtask's throttle (after the function is opened). */
  Publication publication();

  /** Counts a publication the operator made. */
  void countPublished();
}
