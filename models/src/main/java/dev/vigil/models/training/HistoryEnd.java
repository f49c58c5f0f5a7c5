package dev.vigil.models.training;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.Event.Transaction;
import java.util.function.Consumer;

/**
 * Where a history ends for its labels: the time of its last transaction, or of its last event when
 * it has no transactions. Not simply its last event: a simulated history goes on after its last
 * day with what was already scheduled (fraud reports up to 61 days later, payments and the
 * statuses they cure), which says nothing about the outcomes of its last days; a bank's export
 * stops everything at once, and its last transaction is as late as its last event. Fed every
 * event, in any order.
 */
public final class HistoryEnd implements Consumer<Event> {
  private long lastEvent = Long.MIN_VALUE;
  private long lastTransaction = Long.MIN_VALUE;

  @Override
  public void accept(Event e) {
    lastEvent = Math.max(lastEvent, e.timeMillis());
    if (e.kind() instanceof Transaction) {
      lastTransaction = Math.max(lastTransaction, e.timeMillis());
    }
  }

  /** The end, in epoch milliseconds; {@link Long#MIN_VALUE} before any event. */
  public long millis() {
    return lastTransaction != Long.MIN_VALUE ? lastTransaction : lastEvent;
  }

  /** What {@link #millis} is, for messages. */
  public String describe() {
    return lastTransaction != Long.MIN_VALUE ? "its last transaction" : "its last event";
  }

  /** The end of {@code events}. */
  public static HistoryEnd of(Iterable<Event> events) {
    var end = new HistoryEnd();
    events.forEach(end);
    return end;
  }
}
