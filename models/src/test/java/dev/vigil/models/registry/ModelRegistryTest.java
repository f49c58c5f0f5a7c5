package dev.vigil.models.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.features.event.Event;
import dev.vigil.features.profile.FeatureCatalogue;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.history.simulator.Simulator;
import dev.vigil.models.training.ModelTrainer;
import dev.vigil.models.training.TimeSplit;
import dev.vigil.models.training.Workflow;
import dev.vigil.registry.ModelCard;
import dev.vigil.registry.ModelRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelRegistryTest {
  static Workflow.Result trained;
  static TimeSplit split;
  static dev.vigil.history.training.TrainingSet set;
  @TempDir Path dir;

  @BeforeAll
  static void train() {
    var history = new ArrayList<Event>();
    var config = Simulator.Config.of(3, 600, 30);
    new Simulator(config).run(history::add);
    split = new TimeSplit(config.start().plus(Duration.ofDays(8)), Duration.ofDays(7),
        Duration.ofDays(7), Duration.ofDays(7));
    set = Workflow.trainingSet(Task.FRAUD, history, split, Duration.ofDays(30));
    trained = Workflow.train(ModelTrainer.Algorithm.LOGISTIC_REGRESSION, Task.FRAUD, set, split,
        false);
  }

  @Test
  void theTimeSplitTrainsBeforeTheGapAndTestsAfterIt() {
    var train = ModelTrainer.rows(set, split.trainFrom(), split.trainTo());
    var test = ModelTrainer.rows(set, split.testFrom(), split.testTo());
    assertThat(train).isNotEmpty().allSatisfy(r -> assertThat(split.inTraining(r.asOfMillis())).isTrue());
    assertThat(test).isNotEmpty().allSatisfy(r -> assertThat(split.inTest(r.asOfMillis())).isTrue());
    long lastTrain = train.stream().mapToLong(r -> r.asOfMillis()).max().orElseThrow();
    long firstTest = test.stream().mapToLong(r -> r.asOfMillis()).min().orElseThrow();
    assertThat(firstTest - lastTrain).as("the gap").isGreaterThanOrEqualTo(Duration.ofDays(7).toMillis());
    assertThat(trained.card().trainingRows()).isEqualTo(train.size());
    assertThat(trained.metrics().get("rows")).isLessThanOrEqualTo(test.size());
    assertThat(trained.metrics().get("auc_roc")).isBetween(0.5, 1.0);
  }

  @Test
  void publishesActivatesRollsBackAndReloadsTheSameModel() throws Exception {
    var registry = new ModelRegistry(dir);
    String v1 = registry.publish(Task.FRAUD, trained.model(), trained.card());
    String v2 = registry.publish(Task.FRAUD, trained.model(), trained.card());
    assertThat(List.of(v1, v2)).containsExactly("v1", "v2");
    assertThat(registry.versions(Task.FRAUD)).containsExactly("v1", "v2");
    assertThat(registry.roles(Task.FRAUD).champion()).isNull();

    registry.activate(Task.FRAUD, "v1");
    registry.activate(Task.FRAUD, "v2");
    registry.setChallenger(Task.FRAUD, "v1", 0.1);
    assertThat(registry.roles(Task.FRAUD).champion()).isEqualTo("v2");
    assertThat(registry.roles(Task.FRAUD).challengerShare()).isEqualTo(0.1);
    assertThat(registry.rollback(Task.FRAUD).champion()).isEqualTo("v1");
    assertThatThrownBy(() -> registry.rollback(Task.FRAUD))
        .hasMessageContaining("no previous champion");

    var loaded = registry.load(Task.FRAUD, "v2");
    assertThat(loaded.card().featureNames()).isEqualTo(FeatureCatalogue.FRAUD.names());
    String[] names = FeatureCatalogue.FRAUD.names().toArray(new String[0]);
    for (var row : set.rows().subList(0, 50)) {
      assertThat(ModelTrainer.probability(loaded.model(), names, row.values()))
          .isEqualTo(ModelTrainer.probability(trained.model(), names, row.values()));
    }
  }

  @Test
  void gradientBoostedTreesTrainAndSurviveTheRegistry() throws Exception {
    var xgb = Workflow.train(ModelTrainer.Algorithm.XGBOOST, Task.FRAUD, set, split, false);
    assertThat(xgb.card().algorithm()).isEqualTo("xgboost");
    assertThat(xgb.metrics().get("auc_roc")).isBetween(0.5, 1.0);
    var registry = new ModelRegistry(dir);
    String version = registry.publish(Task.FRAUD, xgb.model(), xgb.card());
    var loaded = registry.load(Task.FRAUD, version);
    String[] names = FeatureCatalogue.FRAUD.names().toArray(new String[0]);
    for (var row : set.rows().subList(0, 50)) {
      assertThat(ModelTrainer.probability(loaded.model(), names, row.values()))
          .isEqualTo(ModelTrainer.probability(xgb.model(), names, row.values()));
    }
  }

  @Test
  void refusesAModelTrainedOnAnotherFeatureSchema() throws Exception {
    var registry = new ModelRegistry(dir);
    var c = trained.card();
    var stale = new ModelCard(c.task(), c.version(), c.algorithm(), c.hyperParameters(),
        c.trainFrom(), c.trainTo(), c.testFrom(), c.testTo(), c.trainingRows(),
        c.trainingPositives(), c.dataFingerprint(), c.featureNames(), "0123456789abcdef01234567",
        c.metrics(), c.provenance(), c.publishedAt(), c.reference(), c.data());
    String version = registry.publish(Task.FRAUD, trained.model(), stale);
    assertThatThrownBy(() -> registry.load(Task.FRAUD, version))
        .isInstanceOf(ModelRegistry.SchemaMismatchException.class)
        .hasMessageContaining("0123456789abcdef01234567")
        .hasMessageContaining(FeatureCatalogue.FRAUD.fingerprint());
    assertThatThrownBy(() -> registry.activate(Task.FRAUD, version))
        .isInstanceOf(ModelRegistry.SchemaMismatchException.class);
    assertThat(registry.roles(Task.FRAUD).champion()).isNull();
    assertThat(Files.exists(dir.resolve("fraud").resolve(version).resolve("model.tribuo"))).isTrue();
  }
}
