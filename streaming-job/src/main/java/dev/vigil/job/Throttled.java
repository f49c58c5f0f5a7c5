package dev.vigil.job;

import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.util.Collector;

/**
 * A keyed fold that publishes through a {@link Publication} throttle, for {@link
 * ProfileFoldOperator} to flush before checkpoints and at the end of input.
 */
interface Throttled {
  /** This subtask's throttle (after the function is opened). */
  Publication publication();

  /** Counts a publication the operator made. */
  void countPublished();

  /**
   * Publishes {@code update} now (the leading edge) or holds it, registering the entity's timer
   * when it is the first held: one timer per entity per interval, only for entities updated
   * within it.
   */
  default void publish(ProfileUpdate update, TimerService timers, Collector<ProfileUpdate> out) {
    switch (publication().offer(update, timers.currentProcessingTime())) {
      case PUBLISH -> {
        countPublished();
        out.collect(update);
      }
      case HOLD_FIRST -> timers.registerProcessingTimeTimer(publication().dueAt(update.key));
      case HOLD -> { }
    }
  }

  /**
   * The entity's timer fired: its newest held version is published. A timer restored from a
   * checkpoint finds nothing held: everything was flushed before the barrier.
   */
  default void due(String key, long timestamp, Collector<ProfileUpdate> out) {
    ProfileUpdate u = publication().release(key, timestamp);
    if (u != null) {
      countPublished();
      out.collect(u);
    }
  }
}
