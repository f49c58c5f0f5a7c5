package dev.vigil.e2e.cluster;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polling until a condition holds, within a generous deadline: never a fixed sleep. */
final class Deadline {
  private Deadline() {}

  /**
   * Polls {@code condition} every {@code everyMillis} until it holds; after {@code limit}, fails
   * naming {@code what}. A condition that throws is taken as not holding yet.
   */
  static void await(String what, Duration limit, long everyMillis, BooleanSupplier condition)
      throws InterruptedException {
    long end = System.nanoTime() + limit.toNanos();
    RuntimeException last = null;
    while (true) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
      } catch (RuntimeException e) {
        last = e;
      }
      if (System.nanoTime() > end) {
        throw new IllegalStateException("timed out after " + limit.toSeconds() + " s waiting until "
            + what + (last != null ? " (last error: " + last + ")" : ""));
      }
      Thread.sleep(everyMillis);
    }
  }
}
