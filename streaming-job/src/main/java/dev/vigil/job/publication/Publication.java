package dev.vigil.job.publication;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * When a fold publishes an entity's new profile: a throttle per entity with a leading edge. The
 * first update after a quiet interval is published at once (a customer's own velocity stays
 * fresh); the updates that follow within the interval are held, each replacing the one before, and
 * the newest is published once the interval since the last publication has passed. A hot merchant
 * folded a thousand times a second is then published about once an interval, not a thousand
 * times; an account seen once a minute is published on every event, as before.
 *
 * <p>Nothing is held across a checkpoint: {@link #flush} publishes every held update before the
 * barrier ({@code ProfileFoldOperator}), so the profiles topic has every version the checkpointed
 * state has, and a restore loses nothing. Held updates are memory only, one per entity updated
 * within the interval; what was published when is forgotten after an interval. After a restart
 * every entity starts quiet: its first update is published at once.
 *
 * <p>What is held is the fold's to choose ({@code V}): {@code ProfileFold} holds the decoded
 * profile itself and encodes it only when it leaves the throttle, so a hot entity's profile is
 * encoded and written to state once an interval, not once an event.
 *
 * <p>Not thread-safe: one per fold subtask, used from its task thread.
 *
 * @param <V> what is held for an entity: its newest version, in whatever form the fold keeps it
 */
public final class Publication<V> {
  private final long intervalMillis;
  /** Each entity published within the interval, oldest publication first. */
  private final LinkedHashMap<String, Long> published = new LinkedHashMap<>();
  /** Each entity's newest held update and when it is due, in the order their holding began. */
  private final LinkedHashMap<String, Held<V>> held = new LinkedHashMap<>();

  private record Held<V>(V value, long dueAt) {}

  /**
   * @param intervalMillis the least time between two publications of one entity; 0 publishes
   *     every update
   * @throws IllegalArgumentException if {@code intervalMillis} is negative
   */
  public Publication(long intervalMillis) {
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

  /**
   * Offers {@code key}'s new version at processing time {@code now}. Held unless the decision is
   * {@link Decision#PUBLISH}, when the caller publishes it.
   */
  Decision offer(String key, V version, long now) {
    if (intervalMillis == 0) {
      return Decision.PUBLISH;
    }
    forgetBefore(now - intervalMillis);
    Held<V> h = held.get(key);
    if (h != null) {
      held.put(key, new Held<>(version, h.dueAt())); // the newest replaces the held one
      return Decision.HOLD;
    }
    Long last = published.get(key);
    if (last != null) {
      // due times rounded up to a fifth of the interval, so that entities share timers: one
      // firing per tick, not one per millisecond (each firing costs the task a scheduled timer)
      long tick = Math.max(1, intervalMillis / 5);
      held.put(key, new Held<>(version,
          Math.floorDiv(last + intervalMillis + tick - 1, tick) * tick));
      return Decision.HOLD_FIRST;
    }
    published.put(key, now);
    return Decision.PUBLISH;
  }

  /**
   * When {@code key}'s held version is due: an interval after its last publication, rounded up to
   * the next fifth of the interval.
   */
  long dueAt(String key) {
    Held<V> h = held.get(key);
    return h == null ? Long.MIN_VALUE : h.dueAt();
  }

  /** {@code key}'s held version, or null when none is held. */
  public V held(String key) {
    Held<V> h = held.get(key);
    return h == null ? null : h.value();
  }

  /**
   * The held version of {@code key} if its interval has passed by {@code now}, which is then
   * published (the trailing edge starts its next interval); else null.
   */
  V release(String key, long now) {
    Held<V> h = held.get(key);
    if (h == null || now < h.dueAt()) {
      return null;
    }
    held.remove(key);
    markPublished(key, now);
    return h.value();
  }

  /**
   * Publishes every held version now, whatever its interval (before a checkpoint, at the end), in
   * the order their holding began. Nothing is held afterwards.
   */
  public void flush(long now, Out<V> out) throws Exception {
    for (Map.Entry<String, Held<V>> e : held.entrySet()) {
      markPublished(e.getKey(), now);
      out.publish(e.getKey(), e.getValue().value());
    }
    held.clear();
  }

  /** Where {@link #flush} publishes. */
  @FunctionalInterface
  public interface Out<V> {
    /** Publishes {@code key}'s {@code version}; a failure fails the flush (and the task). */
    void publish(String key, V version) throws Exception;
  }

  /** Updates held now. */
  int heldCount() {
    return held.size();
  }

  private void markPublished(String key, long now) {
    published.remove(key);
    published.put(key, now); // to the end: the map stays oldest first
  }

  /** Forgets publications at or before {@code before}: those entities are quiet again. */
  private void forgetBefore(long before) {
    for (Iterator<Map.Entry<String, Long>> i = published.entrySet().iterator(); i.hasNext(); ) {
      if (i.next().getValue() > before) {
        return; // oldest first: the rest are younger
      }
      i.remove();
    }
  }
}
