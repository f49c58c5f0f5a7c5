package dev.vigil.scoring.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.scoring.model.ServedModel.Tails;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** The quantile rule a reason's value must pass, against a brute-force count of the population. */
class TailsTest {
  /**
   * For any population (few distinct values, so ties and flags happen) and any whole percentile
   * p from 50 to 99: a value is above the high tail's start exactly when at least p% of the
   * population lies strictly below it, and below the low tail's start exactly when at least p%
   * lies strictly above it.
   */
  @Property(tries = 500)
  void aValueIsInATailExactlyWhenTheQuantileOfThePopulationIsOnTheOtherSideOfIt(
      @ForAll long seed, @ForAll @IntRange(min = 1, max = 80) int n,
      @ForAll @IntRange(min = 50, max = 99) int percent) {
    var random = new Random(seed);
    int distinct = 1 + random.nextInt(6);
    double[] population = new double[n];
    for (int r = 0; r < n; r++) {
      population[r] = random.nextInt(distinct) * 1.5;
    }
    double[] sorted = population.clone();
    Arrays.sort(sorted);
    Tails tails = Tails.of(new double[][] {sorted}, percent / 100.0);
    for (double v = -1.5; v <= distinct * 1.5; v += 0.75) {
      int below = 0;
      int above = 0;
      for (double x : population) {
        below += x < v ? 1 : 0;
        above += x > v ? 1 : 0;
      }
      assertThat(tails.aboveHigh(0, v)).as("%s in %s at %d%%", v, Arrays.toString(sorted), percent)
          .isEqualTo(below * 100 >= percent * n);
      assertThat(tails.belowLow(0, v)).as("%s in %s at %d%%", v, Arrays.toString(sorted), percent)
          .isEqualTo(above * 100 >= percent * n);
    }
  }

  @Property(tries = 10)
  void anUnknownPopulationHasNoTails(@ForAll @IntRange(min = 50, max = 99) int percent) {
    Tails tails = Tails.of(new double[][] {new double[0]}, percent / 100.0);
    assertThat(tails.known(0)).isFalse();
  }
}
