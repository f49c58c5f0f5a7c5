package dev.vigil.features.window;

import dev.vigil.features.state.TimelineState;
import java.util.Arrays;

/**
 * One quantity (transaction amounts, deposits, days past due...) recorded over event time, answering
 * count, sum, mean, maximum and standard deviation over a window {@code (from, to]} asked at any time.
 *
 * <h2>Buckets and their error</h2>
 * Events are kept in time buckets aligned to the epoch. Young buckets are fine, old ones coarse:
 *
 * <pre>
 * tier  width     kept while the whole parent bucket is younger than   serves windows up to
 *  0    1 min     1 h + 1 min                                          1 h      (width = 1/60)
 *  1    24 min    24 h + 24 min                                        24 h     (1/60)
 *  2    144 min   7 d + 144 min                                        7 d      (1/70)
 *  3    12 h      30 d + 12 h                                          30 d     (1/60)
 *  4    36 h      90 d + 36 h                                          90 d     (1/60)
 *  5    3 d       180 d + 3 d                                          180 d    (1/60)
 *  6    6 d       retention                                            365 d    (1/60.8)
 * </pre>
 *
 * Ages are measured from the timeline's clock (the newest event time it was given, less an optional
 * offset). A bucket is merged into its parent only when all of the parent lies past the tier's
 * limit, so buckets never overlap and a bucket that straddles an edge of age A is at most as wide as
 * the tier serving A.
 *
 * <p>The guarantee, for a query {@code (from, to]} with {@code to} at or after the clock (always the
 * case for live scoring and for point-in-time training, which asks before it folds later events):
 * every event in {@code (from, to]} is counted, nothing after {@code to} is, and the only extra
 * events are those in {@code (from - w, from]} where {@code w} is the width of the bucket straddling
 * {@code from}: for the standard windows 1 h, 24 h, 7 d, 30 d, 90 d, 180 d and 365 d, at most 1/60
 * of the window. When {@code to} is earlier than the clock, the bucket straddling {@code to} adds the
 * same kind of error at the upper edge.
 *
 * <p>Out-of-order events are placed in the bucket they would have reached had they come in order:
 * the state depends only on the set of events and the clock, never on their arrival order. Events
 * older than the retention are refused.
 *
 * <p>Not thread-safe; a profile owns its timelines.
 */
public final class Timeline {
  static final long MINUTE = 60_000L;
  static final int[] WIDTH = {1, 24, 144, 720, 2160, 4320, 8640};
  static final long[] KEEP = {
      61, 24 * 60 + 24, 7 * 1440 + 144, 30 * 1440 + 720, 90 * 1440 + 2160, 180 * 1440 + 4320,
      Long.MAX_VALUE};
  static final int LAST = WIDTH.length - 1;

  /** Which statistics a timeline keeps; fewer statistics serialise smaller. */
  public enum Stats { COUNT, COUNT_SUM, FULL }

  /**
   * The fixed layout of a timeline.
   *
   * @param retentionMinutes a bucket is dropped once its end is older than this
   * @param offsetMinutes ages are measured from {@code clock - offset}: a timeline asked about
   *     windows that end {@code offset} before the query time (a label delay) keeps its fine
   *     buckets there
   * @param firstTier the finest tier used (0 or more)
   */
  public record Shape(Stats stats, long retentionMinutes, long offsetMinutes, int firstTier) {
    public Shape {
      if (retentionMinutes <= 0) {
        throw new IllegalArgumentException("retentionMinutes must be positive");
      }
      if (offsetMinutes < 0) {
        throw new IllegalArgumentException("offsetMinutes must not be negative");
      }
      if (firstTier < 0 || firstTier > LAST) {
        throw new IllegalArgumentException("firstTier must be within 0.." + LAST);
      }
    }

    /** A shape for windows ending at the query time, the longest being {@code longestWindow}. */
    public static Shape of(Stats stats, java.time.Duration longestWindow) {
      return new Shape(stats, longestWindow.toMinutes(), 0, 0);
    }
  }

  /** Count, sum, sum of squares and maximum of the values in a window. */
  public record Aggregate(long count, long sum, double sumSquares, long max) {
    public static final Aggregate EMPTY = new Aggregate(0, 0, 0, Long.MIN_VALUE);

    public double mean() {
      return count == 0 ? 0.0 : (double) sum / count;
    }

    /** Population standard deviation; 0 for fewer than two values. */
    public double standardDeviation() {
      if (count < 2) {
        return 0.0;
      }
      double mean = (double) sum / count;
      double variance = sumSquares / count - mean * mean;
      return variance <= 0 ? 0.0 : Math.sqrt(variance);
    }

    /** The maximum, or 0 when the window is empty. */
    public long maxOrZero() {
      return count == 0 ? 0 : max;
    }
  }

  private final Shape shape;
  private long clockMinute = Long.MIN_VALUE;
  private long nextUpkeepMinute = Long.MAX_VALUE;
  private int size;
  private long[] start = new long[0];
  private byte[] tier = new byte[0];
  private long[] count = new long[0];
  private long[] sum = new long[0];
  private double[] sumSquares = new double[0];
  private long[] max = new long[0];

  public Timeline(Shape shape) {
    this.shape = shape;
  }

  public Shape shape() {
    return shape;
  }

  /** Records {@code value} at {@code atMillis}; the clock becomes at least {@code atMillis}. */
  public boolean add(long atMillis, long value) {
    return add(atMillis, value, atMillis);
  }

  /**
   * Records {@code value} at {@code atMillis}, having learned it at {@code clockMillis} (an outcome
   * reported later than the event it is about is recorded at the event's time).
   *
   * @return false when the time is older than the retention and nothing was recorded
   */
  public boolean add(long atMillis, long value, long clockMillis) {
    advanceClock(Math.floorDiv(Math.max(atMillis, clockMillis), MINUTE));
    long minute = Math.floorDiv(atMillis, MINUTE);
    long base = clockMinute - shape.offsetMinutes;
    int k = shape.firstTier;
    while (k < LAST && base - parentEnd(minute, k) >= KEEP[k]) {
      k++;
    }
    long s = Math.floorDiv(minute, WIDTH[k]) * WIDTH[k];
    if (base - (s + WIDTH[k]) >= shape.retentionMinutes) {
      return false;
    }
    int i = search(s);
    if (i < 0) {
      i = -i - 1;
      insertAt(i, s, k);
    }
    count[i]++;
    sum[i] += value;
    sumSquares[i] += (double) value * value;
    if (value > max[i]) {
      max[i] = value;
    }
    return true;
  }

  /** Moves the clock forward (never back) and merges or drops buckets that have aged. */
  public void advanceClockTo(long millis) {
    advanceClock(Math.floorDiv(millis, MINUTE));
  }

  private void advanceClock(long minute) {
    if (minute > clockMinute) {
      clockMinute = minute;
      if (minute >= nextUpkeepMinute) {
        upkeep();
      }
    }
  }

  /** The newest time this timeline has been told about, in epoch milliseconds. */
  public long clockMillis() {
    return clockMinute == Long.MIN_VALUE ? Long.MIN_VALUE : clockMinute * MINUTE;
  }

  /** Statistics of the values recorded in {@code (fromExclusive, toInclusive]} (milliseconds). */
  public Aggregate over(long fromExclusive, long toInclusive) {
    long n = 0;
    long s = 0;
    double sq = 0;
    long mx = Long.MIN_VALUE;
    for (int i = lastStartingBy(toInclusive); i >= 0; i--) {
      long endMillis = (start[i] + WIDTH[tier[i]]) * MINUTE;
      if (endMillis - 1 <= fromExclusive) {
        break;
      }
      n += count[i];
      s += sum[i];
      sq += sumSquares[i];
      if (max[i] > mx) {
        mx = max[i];
      }
    }
    return n == 0 ? Aggregate.EMPTY : new Aggregate(n, s, sq, mx);
  }

  /** The number of values recorded in {@code (fromExclusive, toInclusive]}. */
  public long count(long fromExclusive, long toInclusive) {
    long n = 0;
    for (int i = lastStartingBy(toInclusive); i >= 0; i--) {
      if ((start[i] + WIDTH[tier[i]]) * MINUTE - 1 <= fromExclusive) {
        break;
      }
      n += count[i];
    }
    return n;
  }

  /** The sum of values recorded in {@code (fromExclusive, toInclusive]}. */
  public long sum(long fromExclusive, long toInclusive) {
    long s = 0;
    for (int i = lastStartingBy(toInclusive); i >= 0; i--) {
      if ((start[i] + WIDTH[tier[i]]) * MINUTE - 1 <= fromExclusive) {
        break;
      }
      s += sum[i];
    }
    return s;
  }

  /** Number of buckets held (for sizing and tests). */
  public int bucketCount() {
    return size;
  }

  /** The width in minutes of the bucket holding {@code atMillis}, or 0 when none does. */
  public int bucketWidthAt(long atMillis) {
    long minute = Math.floorDiv(atMillis, MINUTE);
    int i = lastStartingBy(minute * MINUTE);
    return i >= 0 && minute < start[i] + WIDTH[tier[i]] ? WIDTH[tier[i]] : 0;
  }

  private int lastStartingBy(long toInclusiveMillis) {
    long minute = Math.floorDiv(toInclusiveMillis, MINUTE);
    if (size == 0 || start[size - 1] <= minute) {
      return size - 1;
    }
    int i = search(minute);
    return i >= 0 ? i : -i - 2;
  }

  private static long parentEnd(long minute, int k) {
    int w = WIDTH[k + 1];
    return Math.floorDiv(minute, w) * w + w;
  }

  private int search(long s) {
    if (size > 0 && start[size - 1] == s) {
      return size - 1;
    }
    if (size == 0 || start[size - 1] < s) {
      return -(size + 1);
    }
    return Arrays.binarySearch(start, 0, size, s);
  }

  private void insertAt(int i, long s, int k) {
    if (size == start.length) {
      int capacity = Math.max(4, size * 2);
      start = Arrays.copyOf(start, capacity);
      tier = Arrays.copyOf(tier, capacity);
      count = Arrays.copyOf(count, capacity);
      sum = Arrays.copyOf(sum, capacity);
      sumSquares = Arrays.copyOf(sumSquares, capacity);
      max = Arrays.copyOf(max, capacity);
    }
    int tail = size - i;
    if (tail > 0) {
      System.arraycopy(start, i, start, i + 1, tail);
      System.arraycopy(tier, i, tier, i + 1, tail);
      System.arraycopy(count, i, count, i + 1, tail);
      System.arraycopy(sum, i, sum, i + 1, tail);
      System.arraycopy(sumSquares, i, sumSquares, i + 1, tail);
      System.arraycopy(max, i, max, i + 1, tail);
    }
    start[i] = s;
    tier[i] = (byte) k;
    count[i] = 0;
    sum[i] = 0;
    sumSquares[i] = 0;
    max[i] = Long.MIN_VALUE;
    size++;
    nextUpkeepMinute = Math.min(nextUpkeepMinute, upkeepDue(s, k));
  }

  /** The clock minute at which the bucket (s, k) must next be merged or dropped. */
  private long upkeepDue(long s, int k) {
    long drop = s + WIDTH[k] + shape.retentionMinutes + shape.offsetMinutes;
    if (k == LAST) {
      return drop;
    }
    return Math.min(drop, parentEnd(s, k) + KEEP[k] + shape.offsetMinutes);
  }

  /** One pass: merge aged buckets into their parents, drop expired ones, plan the next pass. */
  private void upkeep() {
    long base = clockMinute - shape.offsetMinutes;
    int out = 0;
    long next = Long.MAX_VALUE;
    for (int i = 0; i < size; i++) {
      int k = tier[i];
      long s = start[i];
      while (k < LAST && base - parentEnd(s, k) >= KEEP[k]) {
        k++;
        s = Math.floorDiv(s, WIDTH[k]) * WIDTH[k];
      }
      if (base - (s + WIDTH[k]) >= shape.retentionMinutes) {
        continue;
      }
      if (out > 0 && start[out - 1] == s) {
        int o = out - 1;
        count[o] += count[i];
        sum[o] += sum[i];
        sumSquares[o] += sumSquares[i];
        if (max[i] > max[o]) {
          max[o] = max[i];
        }
        continue;
      }
      start[out] = s;
      tier[out] = (byte) k;
      count[out] = count[i];
      sum[out] = sum[i];
      sumSquares[out] = sumSquares[i];
      max[out] = max[i];
      next = Math.min(next, upkeepDue(s, k));
      out++;
    }
    size = out;
    nextUpkeepMinute = next;
  }

  /** The timeline's state for serialisation, statistics limited to its {@link Stats}. */
  public TimelineState toState() {
    var b = TimelineState.newBuilder().setLatestMinute(clockMinute == Long.MIN_VALUE ? 0 : clockMinute);
    long previous = 0;
    for (int i = 0; i < size; i++) {
      b.addStartDelta(start[i] - previous);
      previous = start[i];
      b.addTier(tier[i]);
      b.addCount(count[i]);
      if (shape.stats != Stats.COUNT) {
        b.addSum(sum[i]);
      }
      if (shape.stats == Stats.FULL) {
        b.addSumSquares(sumSquares[i]);
        b.addMax(max[i]);
      }
    }
    return b.build();
  }

  /** Restores a timeline written by {@link #toState()} with the same shape. */
  public static Timeline fromState(Shape shape, TimelineState state) {
    var t = new Timeline(shape);
    int n = state.getStartDeltaCount();
    if (state.getTierCount() != n || state.getCountCount() != n) {
      throw new IllegalArgumentException("corrupt timeline state: column lengths differ");
    }
    t.start = new long[n];
    t.tier = new byte[n];
    t.count = new long[n];
    t.sum = new long[n];
    t.sumSquares = new double[n];
    t.max = new long[n];
    long previous = 0;
    long next = Long.MAX_VALUE;
    for (int i = 0; i < n; i++) {
      previous += state.getStartDelta(i);
      t.start[i] = previous;
      t.tier[i] = (byte) state.getTier(i);
      t.count[i] = state.getCount(i);
      t.sum[i] = state.getSumCount() == n ? state.getSum(i) : 0;
      t.sumSquares[i] = state.getSumSquaresCount() == n ? state.getSumSquares(i) : 0;
      t.max[i] = state.getMaxCount() == n ? state.getMax(i) : Long.MIN_VALUE;
      next = Math.min(next, t.upkeepDue(t.start[i], t.tier[i]));
    }
    t.size = n;
    t.clockMinute = n == 0 && state.getLatestMinute() == 0 ? Long.MIN_VALUE : state.getLatestMinute();
    t.nextUpkeepMinute = next;
    return t;
  }
}
