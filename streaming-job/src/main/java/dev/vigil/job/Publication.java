package dev.vigil.job;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * When a fold publishes an entity's new profile: a throttle per entity with a leading edge. The
 * first update after a quiet interval is published at once (a customer's own velocity stays
 * fresh); the updates that follow within the interval are held, each replacing the one before, and
 * the newest is published once the interval since the last publication has passed. A hot merchant
 * folded a thousand times a second is then published about once an interval, not a thousand
 * times; an account seen once a minute is published on every event, as before.
 *
 * <p>Nothing is held across a checkpoint: {@link #flush} publishes every held update before the
 * barrier ({@link ProfileFoldOperator}), so the profiles topic has every version the checkpointed
 * state has, and a restore loses nothing. Held updates are memory only, one per entity updated
 * within the interval; what was published when is forgotten after an interval. After a restart
 * every entity starts quiet: its first update is published at once.
 *
 * <p>Not thread-safe: one per fold subtask, used from its task thread.
 */
final class Publication {
  private final long intervalMillis;
  /** Each entity published within the interval, oldest publication first. */
  private final LinkedHashMap<String, Long> published = new LinkedHashMap<>();
  /** Each entity's newest held update, in the order their holding began. */
  private final LinkedHashMap<String, ProfileUpdate> held = new LinkedHashMap<>();

  /**
   * @param intervalMillis the least time between two publications of one entity; 0 publishes
   *     every update
   * @throws IllegalArgumentException if {@code intervalMillis} is negative
   */
  Publication(long intervalMillis) {
    if (intervalMillis < 0) {
      throw new IllegalArgumentException("the publication interval must not be negative, not "
          + intervalMillis + " ms");
    }
    this.intervalMillis = intervalMillis;
  }

  long intervalMillis() {
    return intervalMillis;
  }

  /** What to do with an offered version. */
  enum Decision {
    /** Publish it now: the first update after a quiet interval (the leading edge). */
    PUBLISH,
    /** Held: the entity's first held version; publish it at {@link #dueAt}. */
    HOLD_FIRST,
    /** Held, replacing the entity's held version. */
    HOLD
  }

  /** Offers an entity's new version at processing time {@code now}. */
  Decision offer(ProfileUpdate update, long now) {
    if (intervalMillis == 0) {
      return Decision.PUBLISH;
    }
    forgetBefore(now - intervalMillis);
    if (held.put(update.key, update) != null) {
      return Decision.HOLD; // the newest replaces the held one, keeping its place
    }
    if (published.containsKey(update.key)) {
      return Decision.HOLD_FIRST;
    }
    held.remove(update.key);
    published.put(update.key, now);
    return Decision.PUBLISH;
  }

  /** When {@code key}'s held version is due: an interval after its last publication. */
  long dueAt(String key) {
    Long last = published.get(key);
    return last == null ? Long.MIN_VALUE : last + intervalMillis;
  }

  /**
   * The held version of {@code key} if its interval has passed by {@code now}, which is then
   * published (the trailing edge starts its next interval); else null.
   */
  ProfileUpdate release(String key, long now) {
    ProfileUpdate u = held.get(key);
    if (u == null || now < dueAt(key)) {
      return null;
    }
    held.remove(key);
    published.remove(key);
    published.put(key, now);
    return u;
  }

  /** Publishes every held update now, whatever its interval (before a checkpoint, at the end). */
  void flush(long now, Consumer<ProfileUpdate> out) {
    for (ProfileUpdate u : held.values()) {
      published.remove(u.key);
      published.put(u.key, now);
      out.accept(u);
    }
    held.clear();
  }

  /** Updates held now. */
  int heldCount() {
    return held.size();
  }

  /** Drops publications older than {@code before} of entities holding nothing. */
  private void forgetBefore(long before) {
    for (Iterator<Map.Entry<String, Long>> i = published.entrySet().iterator(); i.hasNext(); ) {
      var e = i.next();
      if (e.getValue() > before) {
        break; // oldest first: the rest are younger
      }
      if (!held.containsKey(e.getKey())) {
        i.remove();
      }
    }
  }
}
