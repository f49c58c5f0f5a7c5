package dev.vigil.models.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.history.training.TrainingSet;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Splits by account, by time, and both, against their definitions row by row. */
class SplitTest {
  private static final long DAY = 86_400_000L;

  @Test
  void aSeededShareOfAccountsIsHeldOutTheSameWayEveryTime() {
    var accounts = new Split.Accounts(0.3, 42);
    int heldOut = 0;
    int movedBySeed = 0;
    var again = new Split.Accounts(0.3, 42);
    var otherSeed = new Split.Accounts(0.3, 43);
    for (int i = 0; i < 20_000; i++) {
      String id = "acct-" + i;
      boolean out = accounts.heldOut(id);
      assertThat(again.heldOut(id)).as(id).isEqualTo(out);
      heldOut += out ? 1 : 0;
      movedBySeed += out != otherSeed.heldOut(id) ? 1 : 0;
    }
    assertThat(heldOut / 20_000.0).isBetween(0.28, 0.32);
    // another seed holds out other accounts: 2 x 0.3 x 0.7 = 42% change sides
    assertThat(movedBySeed / 20_000.0).isBetween(0.38, 0.46);
    assertThatThrownBy(() -> new Split.Accounts(1, 42)).hasMessageContaining("(0, 1)");
  }

  @Test
  void everyRowIsOnTheSideItsTimeAndAccountPutIt() {
    Instant start = Instant.parse("2026-02-01T00:00:00Z");
    var time = new TimeSplit(start, Duration.ofDays(10), Duration.ofDays(3), Duration.ofDays(5));
    var accounts = new Split.Accounts(0.25, 7);
    long from = start.toEpochMilli();
    long to = from + 18 * DAY;
    var both = Split.byTimeAndAccount(time, accounts);
    var byTime = Split.byTime(time);
    var byAccount = Split.byAccount(from, to, accounts);
    assertThat(both.kind()).isEqualTo("time+entity");
    assertThat(byTime.kind()).isEqualTo("time");
    assertThat(byAccount.kind()).isEqualTo("entity");
    var random = new Random(3);
    int[] seen = new int[4];
    for (int i = 0; i < 10_000; i++) {
      long t = from - 2 * DAY + (long) (random.nextDouble() * 22 * DAY);
      String account = "a" + random.nextInt(500);
      var row = new TrainingSet.Row("r" + i, t, account, new double[0], 0);
      boolean out = accounts.heldOut(account);
      boolean trainTime = t >= time.trainFrom() && t < time.trainTo();
      boolean testTime = t >= time.testFrom() && t < time.testTo();
      boolean inRange = t >= from && t < to;
      assertThat(byTime.inTraining(row)).isEqualTo(trainTime);
      assertThat(byTime.inTest(row)).isEqualTo(testTime);
      assertThat(both.inTraining(row)).isEqualTo(trainTime && !out);
      assertThat(both.inTest(row)).isEqualTo(testTime && out);
      assertThat(byAccount.inTraining(row)).isEqualTo(inRange && !out);
      assertThat(byAccount.inTest(row)).isEqualTo(inRange && out);
      seen[(both.inTraining(row) ? 1 : 0) + (both.inTest(row) ? 2 : 0)]++;
    }
    // rows on each side, and none on both
    assertThat(seen[1]).isPositive();
    assertThat(seen[2]).isPositive();
    assertThat(seen[3]).isZero();
  }
}
