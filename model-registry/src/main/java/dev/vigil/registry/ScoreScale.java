package dev.vigil.registry;

/** The 0-999 score every answer carries beside the probability: higher is riskier. */
public final class ScoreScale {
  private ScoreScale() {}

  /** {@code floor(p * 1000)}, capped at 999: 0.0 → 0, 0.5 → 500, 1.0 → 999. */
  public static int of(double probability) {
    if (!(probability >= 0)) {
      return 0;
    }
    return Math.min(999, (int) Math.floor(probability * 1000));
  }
}
