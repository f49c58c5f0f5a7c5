package dev.vigil.features.window;

import dev.vigil.features.state.TimelineState;
import java.time.Duration;
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
    public static Shape of(Stats stats, Duration longestWindow) {
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

  /** Bucket fields, interleaved in one array so that an update touches one cache line. */
  private static final int STRIDE = 5;
  private static final int KEY = 0;   // start minute * 8 + tier
  private static final int COUNT = 1;
  private static final int SUM = 2;
  private static final int SQUARES = 3; // raw bits of a double
  private static final int MAX = 4;
  private static final long[] NONE = new long[0];

  private final Shape shape;
  private long clockMinute = Long.MIN_VALUE;
  private long nextUpkeepMinute = Long.MAX_VALUE;
  private int size;
  private long[] b = NONE;
  /**
   * {@link #toState()}'s result since the last change, or null: a profile re-encoded after an
   * event re-encodes only the timelines the event changed.
   */
  private TimelineState encoded;

  public Timeline(Shape shape) {
    this.shape = shape;
  }

  public Shape shape() {
    return shape;
  }

  private long start(int i) {
    return b[i * STRIDE] >> 3;
  }

  private int tier(int i) {
    return (int) (b[i * STRIDE] & 7);
  }

  private long endMillis(int i) {
    long key = b[i * STRIDE];
    return ((key >> 3) + WIDTH[(int) (key & 7)]) * MINUTE;
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
    encoded = null;
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
    int o = i * STRIDE;
    b[o + COUNT]++;
    b[o + SUM] += value;
    b[o + SQUARES] = Double.doubleToRawLongBits(
        Double.longBitsToDouble(b[o + SQUARES]) + (double) value * value);
    if (value > b[o + MAX]) {
      b[o + MAX] = value;
    }
    return true;
  }

  /** Moves the clock forward (never back) and merges or drops buckets that have aged. */
  public void advanceClockTo(long millis) {
    advanceClock(Math.floorDiv(millis, MINUTE));
  }

  private void advanceClock(long minute) {
    if (minute > clockMinute) {
      encoded = null;
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
      if (endMillis(i) - 1 <= fromExclusive) {
        break;
      }
      int o = i * STRIDE;
      n += b[o + COUNT];
      s += b[o + SUM];
      sq += Double.longBitsToDouble(b[o + SQUARES]);
      if (b[o + MAX] > mx) {
        mx = b[o + MAX];
      }
    }
    return n == 0 ? Aggregate.EMPTY : new Aggregate(n, s, sq, mx);
  }

  /** The number of values recorded in {@code (fromExclusive, toInclusive]}. */
  public long count(long fromExclusive, long toInclusive) {
    long n = 0;
    for (int i = lastStartingBy(toInclusive); i >= 0; i--) {
      if (endMillis(i) - 1 <= fromExclusive) {
        break;
      }
      n += b[i * STRIDE + COUNT];
    }
    return n;
  }

  /** The sum of values recorded in {@code (fromExclusive, toInclusive]}. */
  public long sum(long fromExclusive, long toInclusive) {
    long s = 0;
    for (int i = lastStartingBy(toInclusive); i >= 0; i--) {
      if (endMillis(i) - 1 <= fromExclusive) {
        break;
      }
      s += b[i * STRIDE + SUM];
    }
    return s;
  }

  /** Number of buckets held (for sizing and tests). */
  public int bucketCount() {
    return size;
  }

  private int lastStartingBy(long toInclusiveMillis) {
    long minute = Math.floorDiv(toInclusiveMillis, MINUTE);
    if (size == 0 || start(size - 1) <= minute) {
      return size - 1;
    }
    int i = search(minute);
    return i >= 0 ? i : -i - 2;
  }

  private static long parentEnd(long minute, int k) {
    int w = WIDTH[k + 1];
    return Math.floorDiv(minute, w) * w + w;
  }

  /** Index of the bucket starting at {@code s}, or {@code -(insertion point) - 1}. */
  private int search(long s) {
    if (size == 0 || start(size - 1) < s) {
      return -(size + 1);
    }
    if (start(size - 1) == s) {
      return size - 1;
    }
    int lo = 0;
    int hi = size - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      long m = start(mid);
      if (m < s) {
        lo = mid + 1;
      } else if (m > s) {
        hi = mid - 1;
      } else {
        return mid;
      }
    }
    return -(lo + 1);
  }

  private void insertAt(int i, long s, int k) {
    if ((size + 1) * STRIDE > b.length) {
      b = Arrays.copyOf(b, Math.max(4, size * 2) * STRIDE);
    }
    int o = i * STRIDE;
    if (i < size) {
      System.arraycopy(b, o, b, o + STRIDE, (size - i) * STRIDE);
    }
    b[o + KEY] = s * 8 + k;
    b[o + COUNT] = 0;
    b[o + SUM] = 0;
    b[o + SQUARES] = 0; // the bits of 0.0
    b[o + MAX] = Long.MIN_VALUE;
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

  /**
   * Merges aged buckets into their parents and drops expired ones. Within a tier, the bucket due
   * first is the oldest, so only the due prefix of each tier's run is touched: the cost is the
   * number of tiers (a binary search each) plus the buckets that change, not the bucket count.
   */
  private void upkeep() {
    long base = clockMinute - shape.offsetMinutes;
    int out = 0;
    long next = Long.MAX_VALUE;
    int i = 0;
    while (i < size) {
      int runEnd = runEnd(i, tier(i));
      for (; i < runEnd; i++) {
        int k = tier(i);
        long s = start(i);
        boolean drop = base - (s + WIDTH[k]) >= shape.retentionMinutes;
        boolean promote = k < LAST && base - parentEnd(s, k) >= KEEP[k];
        if (!drop && !promote) {
          break; // the rest of this run is younger: unchanged
        }
        while (k < LAST && base - parentEnd(s, k) >= KEEP[k]) {
          k++;
          s = Math.floorDiv(s, WIDTH[k]) * WIDTH[k];
        }
        if (base - (s + WIDTH[k]) >= shape.retentionMinutes) {
          continue;
        }
        int from = i * STRIDE;
        if (out > 0 && start(out - 1) == s) {
          int o = (out - 1) * STRIDE;
          b[o + COUNT] += b[from + COUNT];
          b[o + SUM] += b[from + SUM];
          b[o + SQUARES] = Double.doubleToRawLongBits(Double.longBitsToDouble(b[o + SQUARES])
              + Double.longBitsToDouble(b[from + SQUARES]));
          b[o + MAX] = Math.max(b[o + MAX], b[from + MAX]);
          continue;
        }
        int to = out * STRIDE;
        if (to != from) {
          System.arraycopy(b, from, b, to, STRIDE);
        }
        b[to + KEY] = s * 8 + k;
        next = Math.min(next, upkeepDue(s, k));
        out++;
      }
      int unchanged = runEnd - i;
      if (unchanged > 0) {
        next = Math.min(next, upkeepDue(start(i), tier(i)));
        if (out != i) {
          System.arraycopy(b, i * STRIDE, b, out * STRIDE, unchanged * STRIDE);
        }
        out += unchanged;
        i = runEnd;
      }
    }
    size = out;
    nextUpkeepMinute = next;
  }

  /** The first index after {@code from} whose tier is finer than {@code k} (tiers never rise). */
  private int runEnd(int from, int k) {
    int lo = from + 1;
    int hi = size;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (tier(mid) < k) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  /** Whether nothing was ever recorded (nor the clock moved): serialises to nothing. */
  public boolean isEmpty() {
    return size == 0 && clockMinute == Long.MIN_VALUE;
  }

  /**
   * The timeline's state for serialisation, statistics limited to its {@link Stats}. Kept until
   * the timeline changes, so asking again costs nothing.
   */
  public TimelineState toState() {
    if (encoded == null) {
      encoded = encode();
    }
    return encoded;
  }

  /** {@link #toState()} computed afresh. */
  TimelineState encode() {
    var s = TimelineState.newBuilder().setLatestMinute(clockMinute == Long.MIN_VALUE ? 0 : clockMinute);
    if (size == 0) {
      return s.build();
    }
    var w = new Varints.Writer(size * (shape.stats == Stats.FULL ? 18 : 6));
    long previous = 0;
    for (int i = 0; i < size; i++) {
      int o = i * STRIDE;
      w.zigzag(start(i) - previous);
      previous = start(i);
      w.varint(tier(i));
      w.varint(b[o + COUNT]);
      if (shape.stats != Stats.COUNT) {
        w.zigzag(b[o + SUM]);
      }
      if (shape.stats == Stats.FULL) {
        w.fixed64(b[o + SQUARES]);
        w.zigzag(b[o + MAX]);
      }
    }
    return s.setBuckets(w.toByteString()).build();
  }

  /** Restores a timeline written by {@link #toState()} with the same shape. */
  public static Timeline fromState(Shape shape, TimelineState state) {
    var t = new Timeline(shape);
    t.clockMinute = state.getLatestMinute() == 0 && state.getBuckets().isEmpty() ? Long.MIN_VALUE
        : state.getLatestMinute();
    if (state.getBuckets().isEmpty()) {
      return t;
    }
    var r = new Varints.Reader(state.getBuckets());
    long[] b = new long[8 * STRIDE];
    int n = 0;
    long previous = 0;
    long next = Long.MAX_VALUE;
    while (r.more()) {
      if ((n + 1) * STRIDE > b.length) {
        b = Arrays.copyOf(b, b.length * 2);
      }
      int o = n * STRIDE;
      previous += r.zigzag();
      long k = r.varint();
      if (k < 0 || k > LAST) {
        throw new IllegalArgumentException("corrupt timeline state: tier " + k);
      }
      b[o + KEY] = previous * 8 + k;
      b[o + COUNT] = r.varint();
      b[o + SUM] = shape.stats != Stats.COUNT ? r.zigzag() : 0;
      b[o + SQUARES] = shape.stats == Stats.FULL ? r.fixed64() : 0;
      b[o + MAX] = shape.stats == Stats.FULL ? r.zigzag() : Long.MIN_VALUE;
      next = Math.min(next, t.upkeepDue(previous, (int) k));
      n++;
    }
    t.b = b;
    t.size = n;
    t.nextUpkeepMinute = next;
    return t;
  }
}
