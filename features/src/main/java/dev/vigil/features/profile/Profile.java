package dev.vigil.features.profile;

import dev.vigil.features.event.Event;

/**
 * Rolling state of one entity, built by folding its events in any order within the horizon:
 * the state depends on the set of events, not on their order. {@link #version()} grows with
 * every event folded: a store keeps the highest version, so replaying an older copy never
 * overwrites a newer one.
 */
public abstract sealed class Profile
    permits AccountProfile, CustomerProfile, MerchantProfile, DeviceProfile, CheckProfile {
  static final long DAY = 86_400_000L;
  static final long HOUR = 3_600_000L;

  protected final ProfileSettings settings;
  long version;
  long lastEventMillis = Long.MIN_VALUE;

  Profile(ProfileSettings settings) {
    this.settings = settings;
  }

  /** What happened to an event offered to a profile. */
  public enum Fold { FOLDED, BEYOND_HORIZON }

  /**
   * Folds one event into the profile, unless it is older than the profile's newest event by more
   * than the horizon (it could change no feature).
   */
  public final Fold fold(Event e) {
    if (settings.beyondHorizon(e.timeMillis(), lastEventMillis)) {
      return Fold.BEYOND_HORIZON;
    }
    apply(e);
    version++;
    lastEventMillis = Math.max(lastEventMillis, e.timeMillis());
    return Fold.FOLDED;
  }

  abstract void apply(Event e);

  public abstract EntityType type();

  public long version() {
    return version;
  }

  /** The newest event time folded in; {@code Long.MIN_VALUE} for an empty profile. */
  public long lastEventMillis() {
    return lastEventMillis;
  }
}
