package dev.vigil.job.fold;

import dev.vigil.features.profile.Profile;
import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.streaming.api.operators.KeyContext;

/**
 * The profiles a fold subtask published most recently, kept decoded (at most {@code bound}, least
 * recently used dropped first): decoding keyed state was half of a fold's cost. And the
 * encodings of theirs not yet written to keyed state.
 *
 * <p>A kept profile's newest published encoding is written to keyed state not at every
 * publication but later, once for all the publications in between: when it has waited longest of
 * the {@code unwrittenBound} waiting ({@link #trim}), when its profile is dropped from the cache
 * ({@link #trim}), or before the next checkpoint barrier ({@link #writeDeferred}, after everything
 * the throttle held is published). Writing the state at every publication took over a quarter of
 * the job's time on a replay; the bound keeps the barrier's writes few (docs/streaming-job.md,
 * "State written once a checkpoint"). So keyed state is the truth at every checkpoint, and a
 * restore finds exactly what the profiles topic has. A deferred write is made under its own
 * entity's key, switched to and back from the current one; with no key context bound ({@link
 * #bind}), or nothing kept, every publication is written at once, under the current key.
 *
 * <p>A kept profile is not used once its entity has been idle for nearly its state's time to live
 * ({@link #fresh}); a restarted subtask starts with nothing kept. Not thread-safe: one per fold
 * subtask, used from its task thread.
 */
final class KeptProfiles {
  /** A kept profile this close to its state's expiry is read from state again. */
  static final long TTL_MARGIN_MILLIS = 60_000;
  private final int bound;
  private final int unwrittenBound;
  private final long idleTtlMillis;
  private final ValueState<byte[]> state;
  /** Least recently used first: {@link #trim}. */
  private final LinkedHashMap<String, Kept> kept = new LinkedHashMap<>(16, 0.75f, true);
  /** Published encodings not yet in keyed state, in the order first published since written. */
  private final LinkedHashMap<String, byte[]> unwritten = new LinkedHashMap<>();
  /** The operator's key context; unbound, every publication is written at once. */
  private KeyContext keys;

  /** A decoded profile and when (processing time) it was last published. */
  private record Kept(Profile profile, long publishedMillis) {}

  /**
   * @param bound decoded profiles kept, at most (0: none, every fold decodes keyed state)
   * @param unwrittenBound published encodings left waiting to be written to keyed state, at most
   * @param idleTtlMillis keyed state's time to live (processing time)
   * @param state the fold's keyed state: each entity's newest published encoding
   * @throws IllegalArgumentException if a bound is negative
   */
  KeptProfiles(int bound, int unwrittenBound, long idleTtlMillis, ValueState<byte[]> state) {
    if (bound < 0 || unwrittenBound < 0) {
      throw new IllegalArgumentException("bounds of kept profiles must not be negative, not "
          + bound + " kept and " + unwrittenBound + " unwritten");
    }
    this.bound = bound;
    this.unwrittenBound = unwrittenBound;
    this.idleTtlMillis = idleTtlMillis;
    this.state = state;
  }

  /**
   * Binds the operator's key context, so that encodings can wait and be written later under
   * their own keys.
   */
  void bind(KeyContext keys) {
    this.keys = keys;
  }

  /**
   * The current entity {@code key}'s kept profile (folded in place by the caller: a fold that
   * fails fails the task, which restarts from the last checkpoint), or null when none is kept or
   * it was last published too long ago at {@code now}: then it is dropped, and if its encoding was
   * still waiting, keyed state's older one has been idle as long, and is cleared.
   *
   * @throws IOException if keyed state cannot be cleared
   */
  Profile fresh(String key, long now) throws IOException {
    Kept k = kept.get(key); // the most recently used now
    if (k == null) {
      return null;
    }
    if (now - k.publishedMillis() < idleTtlMillis - TTL_MARGIN_MILLIS) {
      return k.profile();
    }
    kept.remove(key);
    if (unwritten.remove(key) != null) {
      state.clear();
    }
    return null;
  }

  /**
   * The current entity {@code key}'s {@code profile} was published at {@code now} as {@code
   * encoded}: kept, and its encoding written to keyed state now or later. A key already waiting
   * keeps its place among those waiting.
   *
   * @throws IOException if keyed state cannot be written
   */
  void published(String key, Profile profile, byte[] encoded, long now) throws IOException {
    if (bound > 0 && keys != null && unwrittenBound > 0) {
      unwritten.put(key, encoded);
    } else {
      state.update(encoded);
    }
    if (bound > 0) {
      kept.put(key, new Kept(profile, now));
    }
  }

  /**
   * Writes to keyed state, each under its own key, the encodings that waited longest beyond
   * {@code unwrittenBound}, and drops the least recently used kept profiles beyond {@code bound},
   * writing first any encoding of theirs still waiting; then the current key is what it was.
   *
   * @throws IOException if keyed state cannot be written
   */
  void trim() throws IOException {
    if (unwritten.size() <= unwrittenBound && kept.size() <= bound) {
      return;
    }
    Object current = keys == null ? null : keys.getCurrentKey(); // unbound, nothing waits
    Iterator<Map.Entry<String, byte[]>> longest = unwritten.entrySet().iterator();
    while (unwritten.size() > unwrittenBound) {
      Map.Entry<String, byte[]> e = longest.next();
      longest.remove();
      keys.setCurrentKey(e.getKey());
      state.update(e.getValue());
    }
    Iterator<String> eldest = kept.keySet().iterator();
    while (kept.size() > bound) {
      String key = eldest.next();
      eldest.remove();
      byte[] waiting = unwritten.remove(key);
      if (waiting != null) {
        keys.setCurrentKey(key);
        state.update(waiting);
      }
    }
    if (keys != null) {
      keys.setCurrentKey(current);
    }
  }

  /**
   * Writes every waiting encoding to keyed state, each under its own key through {@code keys}
   * (the current key is left on the last one): before a checkpoint barrier and at the end of
   * input, after the throttle's held versions are published.
   *
   * @throws IOException if keyed state cannot be written
   */
  void writeDeferred(KeyContext keys) throws IOException {
    for (Map.Entry<String, byte[]> e : unwritten.entrySet()) {
      keys.setCurrentKey(e.getKey());
      state.update(e.getValue());
    }
    unwritten.clear();
  }

  /** Profiles kept now. */
  int size() {
    return kept.size();
  }

  /** Encodings waiting now. */
  int unwrittenCount() {
    return unwritten.size();
  }
}
