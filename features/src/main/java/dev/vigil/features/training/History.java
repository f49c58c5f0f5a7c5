package dev.vigil.features.training;

import dev.vigil.features.event.Event;
import java.util.List;
import java.util.function.Consumer;

/**
 * An event history that can be replayed in arrival order as many times as asked: a list in memory,
 * or a file read again on each replay ({@code EventFiles.history}), so that a training set of a
 * history far larger than the heap is built by streaming it (a first pass for the labels, a second
 * for the features).
 */
@FunctionalInterface
public interface History {
  /** Gives every event to {@code sink}, in arrival order. */
  void replay(Consumer<Event> sink);

  /** A history held in memory. */
  static History of(List<Event> events) {
    return events::forEach;
  }
}
