package dev.vigil.job.publication;

import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.operators.KeyContext;
import org.apache.flink.util.Collector;

/**
 * A keyed fold that publishes through a {@link Publication} throttle, for the fold's operator
 * ({@code ProfileFoldOperator}) to flush before checkpoints and at the end of input.
 *
 * @param <V> what the fold holds for an entity between its publications
 */
public interface Throttled<V> {
  /** This subtask's throttle (after the function is opened). */
  Publication<V> publication();

  /**
   * Makes the record for a version leaving the throttle, with whatever the fold owes its keyed
   * state by then ({@code ProfileFold} encodes the profile once, and writes it then or before the
   * next barrier). Called with {@code key} as the current key, at processing time {@code now}.
   *
   * @throws Exception if keyed state cannot be written
   */
  ProfileUpdate published(String key, V version, long now) throws Exception;

  /** Counts a publication. */
  void countPublished();

  /**
   * Gives the fold its operator's key context, so that it can write keyed state under another
   * entity's key than the current one ({@link #writeDeferred}). Called once, after the function is
   * opened; a fold that writes only under the current key ignores it.
   */
  default void bind(KeyContext keys) {}

  /**
   * Writes to keyed state, each under its own key, whatever the fold published but has not
   * written yet: called after the held versions are published, before every checkpoint barrier and
   * at the end of input, so the checkpoint's state is what was published. A fold that writes as it
   * publishes has nothing to do.
   *
   * @throws Exception if keyed state cannot be written
   */
  default void writeDeferred(KeyContext keys) throws Exception {}

  /**
   * Publishes {@code key}'s new version now (the leading edge) or holds it, registering the
   * entity's timer when it is the first held: one timer per entity per interval, only for entities
   * updated within it.
   *
   * @throws Exception if keyed state cannot be written
   */
  default void publish(String key, V version, TimerService timers, Collector<ProfileUpdate> out)
      throws Exception {
    long now = timers.currentProcessingTime();
    switch (publication().offer(key, version, now)) {
      case PUBLISH -> {
        countPublished();
        out.collect(published(key, version, now));
      }
      case HOLD_FIRST -> timers.registerProcessingTimeTimer(publication().dueAt(key));
      case HOLD -> { }
    }
  }

  /**
   * The entity's timer fired: its newest held version is published. A timer restored from a
   * checkpoint finds nothing held: everything was flushed before the barrier.
   *
   * @throws Exception if keyed state cannot be written
   */
  default void due(String key, long timestamp, Collector<ProfileUpdate> out) throws Exception {
    V held = publication().release(key, timestamp);
    if (held != null) {
      countPublished();
      out.collect(published(key, held, timestamp));
    }
  }
}
