package dev.vigil.models.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.features.event.Event;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.history.simulator.Simulator;
import java.time.Duration;
import java.util.ArrayList;
import org.junit.jupiter.api.Test;

/** A test period no metric can be computed on is an error, and nothing is trained on it. */
class EmptyTestPeriodTest {
  @Test
  void anEmptyOrOneOutcomeTestPeriodIsRefusedNamingIt() {
    var history = new ArrayList<Event>();
    var config = Simulator.Config.of(11, 200, 50);
    new Simulator(config).run(history::add);
    // the test period starts after the history ends: no rows
    var beyond = new TimeSplit(config.start().plus(Duration.ofDays(37)), Duration.ofDays(7),
        Duration.ofDays(30), Duration.ofDays(5));
    var set = Workflow.trainingSet(Task.FRAUD, history, beyond, Duration.ofDays(30));
    assertThatThrownBy(() -> Workflow.train(ModelTrainer.Algorithm.LOGISTIC_REGRESSION,
        Task.FRAUD, set, beyond, false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("has 0 rows, 0 bad").hasMessageContaining("nothing was published");
    // a period of one hour with rows but one outcome only: the first such hour after the gap
    var wide = new TimeSplit(config.start().plus(Duration.ofDays(37)), Duration.ofDays(7),
        Duration.ofDays(1), Duration.ofDays(2));
    var small = Workflow.trainingSet(Task.FRAUD, history, wide, Duration.ofDays(30));
    TimeSplit hour = null;
    for (int h = 0; h < 48 && hour == null; h++) {
      var candidate = new TimeSplit(wide.start(), Duration.ofDays(7),
          Duration.ofDays(1).plusHours(h), Duration.ofHours(1));
      var rows = ModelTrainer.rows(small, candidate.testFrom(), candidate.testTo());
      if (!rows.isEmpty() && rows.stream().noneMatch(r -> r.label() == 1)) {
        hour = candidate;
      }
    }
    assertThat(hour).as("an hour of transactions without fraud").isNotNull();
    var oneOutcome = hour;
    assertThatThrownBy(() -> Workflow.train(ModelTrainer.Algorithm.LOGISTIC_REGRESSION,
        Task.FRAUD, small, oneOutcome, false)).hasMessageContaining("needs both outcomes");
  }
}
