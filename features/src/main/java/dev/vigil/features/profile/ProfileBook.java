package dev.vigil.features.profile;

import dev.vigil.features.event.Event;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * Every entity's profile in memory, folded from events exactly as the streaming job folds them
 * (same routing through {@link EntityKey#of}, same {@link FoldStep} into each profile, same
 * cross-entity duplicate-presentment signal). Point-in-time training replays history through it;
 * tests use it as the reference fold.
 */
public final class ProfileBook {
  private final ProfileSettings settings;
  private final ProfileCodec codec;
  private final Map<EntityKey, Profile> profiles = new HashMap<>();
  private long folded;
  private long beyondHorizon;
  private final Counts outcomes = new Counts();

  public ProfileBook(ProfileSettings settings) {
    this.settings = settings;
    this.codec = new ProfileCodec(settings);
  }

  public ProfileSettings settings() {
    return settings;
  }

  /** Folds one event into every profile it concerns, each by the job's {@link FoldStep}. */
  public void fold(Event e) {
    for (EntityKey key : EntityKey.of(e)) {
      FoldStep.take(profiles.computeIfAbsent(key, k -> codec.empty(k.type())), e, outcomes);
    }
  }

  /** The profile of {@code key}, or null when the entity was never seen. */
  public Profile get(EntityKey key) {
    return profiles.get(key);
  }

  public Map<EntityKey, Profile> all() {
    return Collections.unmodifiableMap(profiles);
  }

  public long foldedCount() {
    return folded;
  }

  /** Events refused by a profile because they were older than its newest event by the horizon. */
  public long beyondHorizonCount() {
    return beyondHorizon;
  }

  /**
   * Counts the steps; a duplicate presentment goes straight to the depositing account's profile
   * (the job sends it to the account's fold).
   */
  private final class Counts implements FoldStep.Outcomes {
    @Override
    public void folded() {
      folded++;
    }

    @Override
    public void beyondHorizon() {
      beyondHorizon++;
    }

    @Override
    public void duplicatePresentment(CheckProfile.DuplicateSignal signal) {
      FoldStep.recordDuplicatePresentment(profiles.computeIfAbsent(
              EntityKey.account(signal.accountId()), k -> new AccountProfile(settings)),
          signal.depositId(), signal.millis());
    }
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
