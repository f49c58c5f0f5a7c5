package dev.vigil.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.vigil.features.event.Event;
import dev.vigil.features.profile.FeatureCatalogue;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.history.simulator.Simulator;
import dev.vigil.history.training.TrainingSet;
import dev.vigil.models.training.ModelTrainer;
import dev.vigil.models.training.TimeSplit;
import dev.vigil.models.training.Workflow;
import dev.vigil.registry.ModelRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.sgd.linear.LinearSGDModel;
import org.tribuo.classification.sgd.linear.LogisticRegressionTrainer;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;

/**
 * An ONNX round trip: a model trained "elsewhere" (a Tribuo logistic regression exported to
 * ONNX stands in for scikit-learn) comes back through the ONNX import, scores as the original
 * did, and survives the registry.
 */
class OnnxImportTest {
  @TempDir Path dir;

  @Test
  void anExportedModelImportsAndScoresAsTheOriginal() throws Exception {
    var history = new ArrayList<Event>();
    var config = Simulator.Config.of(4, 300, 20);
    new Simulator(config).run(history::add);
    var split = new TimeSplit(config.start().plus(Duration.ofDays(5)), Duration.ofDays(5),
        Duration.ZERO, Duration.ofDays(5));
    TrainingSet set = Workflow.trainingSet(Task.FRAUD, history, split, Duration.ofDays(30));
    String[] names = FeatureCatalogue.FRAUD.names().toArray(new String[0]);
    var factory = new LabelFactory();
    var data = new MutableDataset<Label>(new SimpleDataSourceProvenance("test", factory), factory);
    for (TrainingSet.Row r : ModelTrainer.rows(set, split.trainFrom(), split.trainTo())) {
      double[] scaled = r.values().clone();
      for (int i = 0; i < scaled.length; i++) {
        scaled[i] = Math.log1p(Math.max(0, scaled[i]));
      }
      data.add(new ArrayExample<>(new Label(r.label() == 1 ? "1" : "0"), names, scaled));
    }
    var original = (LinearSGDModel) new LogisticRegressionTrainer().train(data);
    Path onnx = dir.resolve("model.onnx");
    original.saveONNXModel("dev.vigil.test", 1, onnx);

    Map<String, Integer> mapping = new HashMap<>();
    var ids = original.getFeatureIDMap();
    for (int i = 0; i < ids.size(); i++) {
      mapping.put(ids.get(i).getName(), i);
    }
    int badIndex = original.getOutputIDInfo().getID(new Label("1"));
    var imported = OnnxImport.load(onnx, Task.FRAUD, mapping, badIndex, "input");

    int compared = 0;
    for (TrainingSet.Row r : set.rows().subList(0, 200)) {
      double[] scaled = r.values().clone();
      for (int i = 0; i < scaled.length; i++) {
        scaled[i] = Math.log1p(Math.max(0, scaled[i]));
      }
      assertThat(ModelTrainer.probability(imported, names, scaled))
          .isCloseTo(ModelTrainer.probability(original, names, scaled), within(1e-5));
      compared++;
    }
    assertThat(compared).isEqualTo(200);

    var registry = new ModelRegistry(dir.resolve("registry"));
    var card = Workflow.train(ModelTrainer.Algorithm.LOGISTIC_REGRESSION, Task.FRAUD, set,
        split, false).card();
    String version = registry.publish(Task.FRAUD, imported, card);
    var reloaded = registry.load(Task.FRAUD, version).model();
    double[] first = set.rows().get(0).values();
    assertThat(ModelTrainer.probability(reloaded, names, first))
        .isCloseTo(ModelTrainer.probability(imported, names, first), within(1e-9));

    var incomplete = new HashMap<>(mapping);
    incomplete.remove("txn_amount");
    incomplete.put("age", 999);
    assertThatThrownBy(() -> OnnxImport.load(onnx, Task.FRAUD, incomplete, badIndex, "input"))
        .isInstanceOf(ModelRegistry.SchemaMismatchException.class)
        .hasMessageContaining("missing [txn_amount]").hasMessageContaining("unknown [age]");
  }
}
