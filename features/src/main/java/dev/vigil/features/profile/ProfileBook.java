package dev.vigil.features.profile;

import dev.vigil.features.event.Event;
import java.util.HashMap;
import java.util.Map;

/**
 * Every entity's profile in memory, folded from events exactly as the streaming job folds them
 * (same routing through {@link EntityKey#of}, same cross-entity duplicate-presentment signal).
 * Point-in-time training replays history through it; tests use it as the reference fold.
 */
public final class ProfileBook {
  private final ProfileSettings settings;
  private final ProfileCodec codec;
  private final Map<EntityKey, Profile> profiles = new HashMap<>();
  private long folded;
  private long beyondHorizon;

  public ProfileBook(ProfileSettings settings) {
    this.settings = settings;
    this.codec = new ProfileCodec(settings);
  }

  public ProfileSettings settings() {
    return settings;
  }

  /** Folds one event into every profile it concerns. */
  public void fold(Event e) {
    for (EntityKey key : EntityKey.of(e)) {
      Profile p = profiles.computeIfAbsent(key, k -> codec.empty(k.type()));
      if (p instanceof CheckProfile check) {
        for (CheckProfile.DuplicateSignal signal : check.present(e)) {
          account(signal.accountId()).recordDuplicatePresentment(signal.depositId(),
              signal.millis());
        }
        continue;
      }
      if (p.fold(e) == Profile.Fold.FOLDED) {
        folded++;
      } else {
        beyondHorizon++;
      }
    }
  }

  /** The profile of {@code key}, or null when the entity was never seen. */
  public Profile get(EntityKey key) {
    return profiles.get(key);
  }

  public Map<EntityKey, Profile> all() {
    return java.util.Collections.unmodifiableMap(profiles);
  }

  public long foldedCount() {
    return folded;
  }

  /** Events refused by a profile because they were older than its newest event by the horizon. */
  public long beyondHorizonCount() {
    return beyondHorizon;
  }

  private AccountProfile account(String id) {
    return (AccountProfile) profiles.computeIfAbsent(EntityKey.account(id),
        k -> new AccountProfile(settings));
  }

  /** The inputs to score {@code current} as of its own time, from the profiles as they are now. */
  public FeatureInputs inputsFor(Event current) {
    return FeatureInputs.assemble(current.timeMillis(), current, FeatureInputs.keysFor(current),
        profiles::get);
  }

  /** The inputs for an account's delinquency features as of {@code asOf}. */
  public FeatureInputs inputsForAccount(String accountId, String customerId, long asOf) {
    return FeatureInputs.assemble(asOf, null, FeatureInputs.keysForAccount(accountId, customerId),
        profiles::get);
  }
}
