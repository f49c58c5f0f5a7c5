package dev.vigil.history.training;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.EventFiles;
import dev.vigil.features.profile.ProfileSettings;
import dev.vigil.features.profile.FeatureCatalogue;
import dev.vigil.history.History;
import dev.vigil.history.simulator.Simulator;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A training set streamed from an event file, never held in memory, has exactly the rows of one
 * built from the same history in memory: ids, times, accounts, labels and every value, in order.
 */
class StreamedHistoryTest {
  @TempDir Path dir;

  @Test
  void streamedFromAFileTheRowsAreTheInMemoryOnes() throws Exception {
    var config = new Simulator.Config(13, 200, 50, Instant.parse("2026-01-01T00:00:00Z"),
        120_000L);
    List<Event> events = new ArrayList<>();
    Path file = dir.resolve("events.jsonl.gz");
    try (var writer = new EventFiles.EventWriter(file)) {
      new Simulator(config).run(e -> {
        events.add(e);
        writer.accept(e);
      });
    }
    History streamed = History.of(file, EventFiles.OnBadLine.FAIL);
    var settings = ProfileSettings.DEFAULT;
    long from = config.startMillis() + Duration.ofDays(20).toMillis();
    long to = config.startMillis() + Duration.ofDays(50).toMillis();
    assertSameRows(TrainingSets.fraud(events, settings, from, to),
        TrainingSets.fraud(streamed, settings, from, to));
    assertSameRows(TrainingSets.deposits(events, settings, from, to),
        TrainingSets.deposits(streamed, settings, from, to));
    var asOf = TrainingSets.schedule("weekly", from, to);
    // delinquency's rows come from the same replay as cure's (a current account takes longer
    // than this world to be 30 days past due: no delinquency positives to compare)
    assertSameRows(TrainingSets.cure(events, settings, asOf, Duration.ofDays(14)),
        TrainingSets.cure(streamed, settings, asOf, Duration.ofDays(14),
            FeatureCatalogue.CURE));
  }

  private static void assertSameRows(TrainingSet inMemory, TrainingSet streamed) {
    assertThat(inMemory.rows()).as(inMemory.task().id()).hasSizeGreaterThan(50);
    assertThat(inMemory.positives()).as(inMemory.task().id()).isPositive();
    assertThat(streamed.rows()).hasSameSizeAs(inMemory.rows());
    for (int i = 0; i < inMemory.rows().size(); i++) {
      var a = inMemory.rows().get(i);
      var b = streamed.rows().get(i);
      assertThat(b.id()).isEqualTo(a.id());
      assertThat(b.asOfMillis()).isEqualTo(a.asOfMillis());
      assertThat(b.accountId()).isEqualTo(a.accountId());
      assertThat(b.label()).as(a.id()).isEqualTo(a.label());
      assertThat(b.values()).as(a.id()).containsExactly(a.values());
    }
  }
}
