package dev.vigil.history;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.EventFiles;
import dev.vigil.features.event.EventFiles.OnBadLine;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * An event history that can be replayed in arrival order as many times as asked: a list in memory,
 * or a file read again on each replay ({@link #of(Path, OnBadLine)}), so that a training set of a
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

  /**
   * An event file as a history read again on each replay, never held in memory; bad lines are
   * skipped or fail as {@code onBadLine} says (report them from a first {@link EventFiles#read} of
   * your own).
   */
  static History of(Path file, OnBadLine onBadLine) {
    return sink -> EventFiles.read(file, onBadLine, sink);
  }
}
