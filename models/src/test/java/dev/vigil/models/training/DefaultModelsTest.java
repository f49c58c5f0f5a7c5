package dev.vigil.models.training;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.features.event.Event;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.history.simulator.Simulator;
import dev.vigil.registry.ModelRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A champion trained on an older feature schema is not servable: ensure() replaces it. */
class DefaultModelsTest {
  @TempDir Path dir;

  @Test
  void aChampionOfAnOlderCatalogueVersionNeedsADefault() throws Exception {
    var registry = new ModelRegistry(dir);
    assertThat(DefaultModels.hasServableChampion(registry, Task.FRAUD)).as("none").isFalse();

    var history = new ArrayList<Event>();
    var config = Simulator.Config.of(3, 300, 24);
    new Simulator(config).run(history::add);
    var split = new TimeSplit(config.start().plus(Duration.ofDays(8)), Duration.ofDays(7),
        Duration.ofDays(2), Duration.ofDays(7));
    var set = Workflow.trainingSet(Task.FRAUD, history, split, Duration.ofDays(30));
    var result = Workflow.train(ModelTrainer.Algorithm.LOGISTIC_REGRESSION, Task.FRAUD, set,
        split, false);
    String version = registry.publish(Task.FRAUD, result.model(), result.card());
    registry.activate(Task.FRAUD, version);
    assertThat(DefaultModels.hasServableChampion(registry, Task.FRAUD)).as("current").isTrue();

    // the same champion, as a registry written by catalogue version 1 left it
    Path card = dir.resolve("fraud").resolve(version).resolve("card.json");
    String current = result.card().featureSchemaFingerprint();
    Files.writeString(card, Files.readString(card).replace(current, "0123456789abcdef01234567"));
    assertThat(DefaultModels.hasServableChampion(registry, Task.FRAUD)).as("stale").isFalse();
  }

  @Test
  void anotherSeedDrawsOtherTrainingRowsForEveryTask() throws Exception {
    var defaults = new ModelRegistry(dir.resolve("defaults"));
    var seven = new ModelRegistry(dir.resolve("seven"));
    var log = new ArrayList<String>();
    assertThat(DefaultModels.ensure(defaults, line -> { }))
        .containsExactly(Task.values());
    assertThat(DefaultModels.ensure(seven, log::add, 7)).containsExactly(Task.values());

    assertThat(log.get(0)).contains("seed 7,");
    for (Task task : Task.values()) {
      var card = defaults.card(task, defaults.roles(task).champion());
      var other = seven.card(task, seven.roles(task).champion());
      assertThat(other.dataFingerprint()).as(task.id()).isNotEqualTo(card.dataFingerprint());
      assertThat(other.featureSchemaFingerprint()).as(task.id())
          .isEqualTo(card.featureSchemaFingerprint());
    }
  }
}
