package dev.vigil.models.training;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.features.profile.FeatureCatalogue;
import dev.vigil.history.training.TrainingSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Handbook's test set: cards the bank knows to be compromised by a test day leave it. */
class KnownCompromisedCardsTest {
  private static final long DAY = 86_400_000L;
  private static final Instant START = Instant.parse("2018-07-25T00:00:00Z");
  private static final TimeSplit SPLIT =
      new TimeSplit(START, Duration.ofDays(7), Duration.ofDays(7), Duration.ofDays(7));

  private static TrainingSet.Row row(String id, String card, long day, int label) {
    return new TrainingSet.Row(id, START.toEpochMilli() + day * DAY + 3_600_000L, card,
        new double[0], label);
  }

  @Test
  void aFraudIsKnownTheDayAfterOneGapHasPassed() {
    var rows = List.of(
        row("train-fraud", "card-a", 2, 1),   // known from test day 0 on
        row("a-test", "card-a", 14, 0),
        // as the Handbook: test day d knows the frauds of days up to d - gap - 1
        row("gap-fraud", "card-b", 9, 1),     // known from day 17 (test day 3)
        row("b-day16", "card-b", 16, 1),      // not yet known -> stays
        row("b-day17", "card-b", 17, 0),      // known -> leaves
        row("c-test", "card-c", 18, 1),       // frauds inside the test period are what we seek
        row("c-later", "card-c", 20, 1));     // c's day-18 fraud is known only from day 26
    var set = new TrainingSet(FeatureCatalogue.Task.FRAUD, FeatureCatalogue.FRAUD, rows);
    var test = ModelTrainer.rows(set, SPLIT.testFrom(), SPLIT.testTo());

    var kept = Workflow.withoutKnownCompromisedCards(set, SPLIT, test).stream()
        .map(TrainingSet.Row::id).toList();

    assertThat(kept).containsExactly("b-day16", "c-test", "c-later");
  }
}
