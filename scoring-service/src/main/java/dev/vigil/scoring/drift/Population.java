package dev.vigil.scoring.drift;

import java.util.Arrays;
import java.util.List;

/**
 * One variable's training distribution, binned: up to ten bins at the training deciles (fewer
 * where values repeat: a flag has two), and the share of training rows in each. Live values are
 * placed in the same bins; the population stability index compares the two.
 *
 * @param upper each bin's inclusive upper edge, ascending; the last bin takes everything above
 *     the last edge (and NaN)
 * @param expected each bin's share of the training rows (sums to 1)
 */
public record Population(double[] upper, double[] expected) {
  /** A share never taken as zero in the index (which divides by and takes logs of shares). */
  static final double FLOOR = 1e-4;

  /** Bins from {@code values} (the training rows' values of one variable). */
  public static Population of(double[] values) {
    double[] sorted = Arrays.stream(values).filter(v -> !Double.isNaN(v)).sorted().toArray();
    double[] edges = new double[9];
    int n = 0;
    for (int k = 1; k <= 9 && sorted.length > 0; k++) {
      double edge = sorted[Math.min(sorted.length - 1, (int) Math.floor(k * sorted.length / 10.0))];
      if (n == 0 || edge > edges[n - 1]) {
        edges[n++] = edge;
      }
    }
    double[] upper = Arrays.copyOf(edges, n);
    double[] expected = new double[n + 1];
    for (double v : values) {
      expected[bin(upper, v)] += 1.0 / values.length;
    }
    return new Population(upper, expected);
  }

  /** Bins from column {@code column} of {@code rows}. */
  public static Population ofColumn(List<double[]> rows, int column) {
    double[] values = new double[rows.size()];
    for (int r = 0; r < values.length; r++) {
      values[r] = rows.get(r)[column];
    }
    return of(values);
  }

  /** The bin {@code value} falls in. */
  public int bin(double value) {
    return bin(upper, value);
  }

  public int bins() {
    return expected.length;
  }

  private static int bin(double[] upper, double value) {
    if (Double.isNaN(value)) {
      return upper.length;
    }
    int at = Arrays.binarySearch(upper, value);
    if (at >= 0) {
      // the first edge equal to the value (edges are distinct): the bin it closes
      return at;
    }
    return -at - 1;
  }

  /**
   * The population stability index of {@code counts} (live values per bin) against the training
   * shares: the sum over bins of (live share - expected share) x ln(live share / expected share),
   * shares floored at {@link #FLOOR}. Under 0.1: stable; 0.1 to 0.25: shifting; over 0.25: the
   * population has moved.
   */
  public double psi(long[] counts, long total) {
    double psi = 0;
    for (int b = 0; b < expected.length; b++) {
      double actual = Math.max(FLOOR, total == 0 ? 0 : (double) counts[b] / total);
      double wanted = Math.max(FLOOR, expected[b]);
      psi += (actual - wanted) * Math.log(actual / wanted);
    }
    return psi;
  }
}
