package dev.vigil.scoring.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.vigil.features.profile.EntityKey;
import dev.vigil.features.profile.EntityType;
import dev.vigil.features.profile.Profile;
import dev.vigil.features.profile.ProfileCodec;
import dev.vigil.proto.v1.ProfileRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads decoded profiles from the store, keeping the decoded merchant (terminal) profiles in a
 * bounded in-process cache: a bank's card traffic concentrates on a small share of its merchants
 * and terminals, so most requests share them, while accounts, customers and devices are spread
 * too thin to be worth it. Measured in docs/scoring-service.md.
 *
 * <p>Never stale once the store holds newer: the store tells this class of every write after it
 * is visible, and the cached profile is dropped. A profile read from the store is cached only if
 * no write happened since the read began, checked atomically with the insertion, so a read that
 * raced a write cannot put the older version back.
 *
 * <p>Cached profiles are shared between calls and threads: only entity types whose feature
 * reads do not modify the profile may be cached (merchant windows are read with pure queries).
 */
public final class HotProfiles {
  /** The entity type kept decoded. */
  static final EntityType CACHED = EntityType.MERCHANT;

  private final ProfileStore store;
  private final ProfileCodec codec;
  /** Null when the cache is off (size 0). */
  private final Cache<EntityKey, Profile> cache;
  /** Counts the store's writes: a read caches what it read only if none happened meanwhile. */
  private final AtomicLong writes = new AtomicLong();

  /** Keeps up to {@code maxMerchants} decoded merchant profiles; 0 turns the cache off. */
  public HotProfiles(ProfileStore store, ProfileCodec codec, long maxMerchants) {
    if (maxMerchants < 0) {
      throw new IllegalArgumentException("vigil.store.hot-profiles must be 0 or more, got "
          + maxMerchants);
    }
    this.store = store;
    this.codec = codec;
    this.cache = maxMerchants == 0 ? null : Caffeine.newBuilder().maximumSize(maxMerchants)
        .build();
    if (cache != null) {
      store.onWrite(this::written);
    }
  }

  /** The decoded profiles of {@code keys}, in order, null where none is stored. */
  public List<Profile> read(List<EntityKey> keys) {
    if (cache == null) {
      var out = new ArrayList<Profile>(keys.size());
      store.get(keys).forEach(r -> out.add(decode(r)));
      return out;
    }
    long writesBefore = writes.get();
    var out = new ArrayList<Profile>(keys.size());
    var missing = new ArrayList<EntityKey>(keys.size());
    for (EntityKey k : keys) {
      Profile p = k.type() == CACHED ? cache.getIfPresent(k) : null;
      out.add(p);
      if (p == null) {
        missing.add(k);
      }
    }
    // everything the cache did not have, in one batched read
    List<ProfileRecord> records = store.get(missing);
    int next = 0;
    for (int i = 0; i < keys.size(); i++) {
      if (out.get(i) != null) {
        continue;
      }
      Profile p = decode(records.get(next++));
      out.set(i, p);
      EntityKey k = keys.get(i);
      if (p != null && k.type() == CACHED) {
        cache.asMap().compute(k, (key, held) -> writes.get() == writesBefore ? p : held);
      }
    }
    return out;
  }

  private Profile decode(ProfileRecord r) {
    return r == null ? null : codec.decode(r.getState().toByteArray());
  }

  /** How many decoded profiles the cache holds (an estimate, for metrics and tests). */
  public long cached() {
    return cache == null ? 0 : cache.estimatedSize();
  }

  private void written(List<EntityKey> keys) {
    // count first: a read that has not yet cached what it read will now decline to
    writes.incrementAndGet();
    for (EntityKey k : keys) {
      if (k.type() == CACHED) {
        cache.invalidate(k);
      }
    }
  }
}
