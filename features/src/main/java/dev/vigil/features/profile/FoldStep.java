package dev.vigil.features.profile;

import dev.vigil.features.event.Event;

/**
 * One event's step into one entity's profile, the same wherever profiles are folded: the streaming
 * job's keyed folds and {@link ProfileBook} (training, the simulator's replays, the benchmarks)
 * both take it, so the two cannot drift apart.
 *
 * <p>A check deposit is presented to its check's history: each deposit this reveals as a
 * duplicate presentment is a signal for the depositing account, which lives elsewhere (another
 * keyed fold in the job, another profile in the book) and records it through {@link
 * #recordDuplicatePresentment}. Any other event is folded into the profile, unless it is older
 * than the profile's newest event by more than the horizon ({@link ProfileSettings#beyondHorizon}).
 *
 * <p>Allocates nothing beyond what the profile's own fold does: the caller keeps one {@link
 * Outcomes} for every step.
 */
public final class FoldStep {
  private FoldStep() {}

  /** What a step reports besides the change to the profile. */
  public interface Outcomes {
    /** The event was folded into a profile other than a check's. */
    void folded();

    /**
     * The event was refused by a profile other than a check's: it is older than the profile's
     * newest event by more than the horizon, so it could change no feature.
     */
    void beyondHorizon();

    /**
     * A check's presentment revealed a duplicate: {@code signal}'s account must record it
     * ({@link #recordDuplicatePresentment}).
     */
    void duplicatePresentment(CheckProfile.DuplicateSignal signal);
  }

  /** Takes {@code e} into {@code profile}, one of the profiles it concerns ({@link EntityKey#of}). */
  public static void take(Profile profile, Event e, Outcomes out) {
    if (profile instanceof CheckProfile check) {
      for (CheckProfile.DuplicateSignal signal : check.present(e)) {
        out.duplicatePresentment(signal);
      }
    } else if (profile.fold(e) == Profile.Fold.FOLDED) {
      out.folded();
    } else {
      out.beyondHorizon();
    }
  }

  /**
   * The account's side of a duplicate presentment: {@code account} presented, in deposit {@code
   * depositId} at {@code millis}, a check seen before (a {@link CheckProfile.DuplicateSignal}).
   *
   * @throws IllegalArgumentException if {@code account} is not an account's profile
   */
  public static void recordDuplicatePresentment(Profile account, String depositId, long millis) {
    if (!(account instanceof AccountProfile a)) {
      throw new IllegalArgumentException("a duplicate presentment of deposit " + depositId
          + " for a " + account.type() + " profile: only an account records one");
    }
    a.recordDuplicatePresentment(depositId, millis);
  }
}
