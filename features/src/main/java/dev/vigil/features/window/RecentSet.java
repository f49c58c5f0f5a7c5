package dev.vigil.features.window;

import dev.vigil.features.state.RecentSetState;
import java.util.Arrays;

/**
 * The distinct values (merchants, devices, countries, accounts) an entity has seen recently, each
 * with the last time it was seen, as 64-bit hashes.
 *
 * <p>Exact while it holds at most {@code capacity} values; beyond that the least recently seen value
 * is evicted, and {@link #evictedThroughMillis()} says up to when answers may undercount. Distinct
 * counts therefore saturate at the capacity ("capacity or more"), which is what a risk feature needs:
 * a device used by 64 accounts in a week is anomalous whether it was 64 or 640.
 */
public final class RecentSet {
  private final int capacity;
  private long[] keys = new long[0];
  private long[] lastSeenMinute = new long[0];
  private int size;
  private long evictedThroughMinute;
  /** {@link #toState()}'s result since the last change, or null. */
  private RecentSetState encoded;

  public RecentSet(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be positive");
    }
    this.capacity = capacity;
  }

  /** Records that {@code value} (a hash, see {@link Hashing}) was seen at {@code atMillis}. */
  public void add(long value, long atMillis) {
    encoded = null;
    long minute = Math.floorDiv(atMillis, Timeline.MINUTE);
    for (int i = 0; i < size; i++) {
      if (keys[i] == value) {
        if (minute > lastSeenMinute[i]) {
          lastSeenMinute[i] = minute;
        }
        return;
      }
    }
    if (size == capacity) {
      int oldest = 0;
      for (int i = 1; i < size; i++) {
        if (lastSeenMinute[i] < lastSeenMinute[oldest]) {
          oldest = i;
        }
      }
      if (lastSeenMinute[oldest] > minute) {
        evictedThroughMinute = Math.max(evictedThroughMinute, minute);
        return;
      }
      evictedThroughMinute = Math.max(evictedThroughMinute, lastSeenMinute[oldest]);
      keys[oldest] = value;
      lastSeenMinute[oldest] = minute;
      return;
    }
    if (size == keys.length) {
      int grown = Math.min(capacity, Math.max(4, size * 2));
      keys = Arrays.copyOf(keys, grown);
      lastSeenMinute = Arrays.copyOf(lastSeenMinute, grown);
    }
    keys[size] = value;
    lastSeenMinute[size] = minute;
    size++;
  }

  /** Whether {@code value} was seen in {@code (fromExclusive, toInclusive]} (minute resolution). */
  public boolean seen(long value, long fromExclusive, long toInclusive) {
    for (int i = 0; i < size; i++) {
      if (keys[i] == value) {
        long m = lastSeenMinute[i] * Timeline.MINUTE;
        return m > fromExclusive - Timeline.MINUTE && m <= toInclusive;
      }
    }
    return false;
  }

  /** How many distinct values were last seen in {@code (fromExclusive, toInclusive]}. */
  public int distinct(long fromExclusive, long toInclusive) {
    int n = 0;
    for (int i = 0; i < size; i++) {
      long m = lastSeenMinute[i] * Timeline.MINUTE;
      if (m > fromExclusive - Timeline.MINUTE && m <= toInclusive) {
        n++;
      }
    }
    return n;
  }

  public int size() {
    return size;
  }

  /** Answers about times up to this may be incomplete because of evictions (0: exact). */
  public long evictedThroughMillis() {
    return evictedThroughMinute * Timeline.MINUTE;
  }

  public boolean isEmpty() {
    return size == 0 && evictedThroughMinute == 0;
  }

  /**
   * The state in a canonical order (by key), so equal sets serialise to equal bytes. Kept until
   * the set changes.
   */
  public RecentSetState toState() {
    if (encoded == null) {
      encoded = encode();
    }
    return encoded;
  }

  /** {@link #toState()} computed afresh. */
  RecentSetState encode() {
    var b = RecentSetState.newBuilder().setEvictedThroughMinute(evictedThroughMinute);
    if (size == 0) {
      return b.build();
    }
    int[] order = sortedByKey();
    var w = new Varints.Writer(size * 12);
    long previous = 0;
    for (int i : order) {
      w.fixed64(keys[i]);
      w.zigzag(lastSeenMinute[i] - previous);
      previous = lastSeenMinute[i];
    }
    return b.setEntries(w.toByteString()).build();
  }

  private int[] sortedByKey() {
    int[] order = new int[size];
    for (int i = 0; i < size; i++) {
      order[i] = i;
    }
    // insertion sort: sets are small (at most the capacity)
    for (int i = 1; i < size; i++) {
      int x = order[i];
      int j = i - 1;
      while (j >= 0 && keys[order[j]] > keys[x]) {
        order[j + 1] = order[j];
        j--;
      }
      order[j + 1] = x;
    }
    return order;
  }

  public static RecentSet fromState(int capacity, RecentSetState state) {
    var set = new RecentSet(capacity);
    set.evictedThroughMinute = state.getEvictedThroughMinute();
    if (state.getEntries().isEmpty()) {
      return set;
    }
    var r = new Varints.Reader(state.getEntries());
    set.keys = new long[capacity];
    set.lastSeenMinute = new long[capacity];
    long previous = 0;
    int n = 0;
    while (r.more() && n < capacity) {
      set.keys[n] = r.fixed64();
      previous += r.zigzag();
      set.lastSeenMinute[n] = previous;
      n++;
    }
    set.size = n;
    return set;
  }
}
