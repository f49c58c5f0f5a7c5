package dev.vigil.models;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.vigil.features.profile.FeatureCatalogue;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.registry.ModelRegistry;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.TreeSet;
import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.interop.onnx.DenseTransformer;
import org.tribuo.interop.onnx.LabelTransformer;
import org.tribuo.interop.onnx.ONNXExternalModel;

/**
 * Bring your own model: an ONNX classifier trained elsewhere (scikit-learn, XGBoost in Python),
 * wrapped as a Tribuo model through Tribuo's ONNX Runtime interop, with its feature mapping
 * declared and checked against the task's feature schema before it may be published.
 */
public final class OnnxImport {
  private OnnxImport() {}

  /**
   * @param featureIndex each catalogue feature's position in the ONNX model's input vector; every
   *     feature of the task must be mapped, and nothing else
   * @param badOutputIndex which of the model's two outputs is the bad outcome's probability
   * @param inputName the ONNX graph's input name
   */
  public static Model<Label> load(Path onnx, Task task, Map<String, Integer> featureIndex,
      int badOutputIndex, String inputName) {
    var expected = new TreeSet<>(FeatureCatalogue.of(task).names());
    var given = new TreeSet<>(featureIndex.keySet());
    if (!expected.equals(given)) {
      var missing = new TreeSet<>(expected);
      missing.removeAll(given);
      var unknown = new TreeSet<>(given);
      unknown.removeAll(expected);
      throw new ModelRegistry.SchemaMismatchException("the feature mapping does not match the "
          + task.id() + " feature schema: missing " + missing + ", unknown "
          + unknown);
    }
    if (new HashSet<>(featureIndex.values()).size() != featureIndex.size()
        || featureIndex.values().stream().anyMatch(i -> i < 0 || i >= featureIndex.size())) {
      throw new IllegalArgumentException(
          "feature indices must be distinct and within 0.." + (featureIndex.size() - 1));
    }
    if (badOutputIndex != 0 && badOutputIndex != 1) {
      throw new IllegalArgumentException("the bad outcome's output index must be 0 or 1");
    }
    Map<Label, Integer> outputs = new HashMap<>();
    outputs.put(new Label("1"), badOutputIndex);
    outputs.put(new Label("0"), 1 - badOutputIndex);
    try {
      return ONNXExternalModel.createOnnxModel(new LabelFactory(), featureIndex, outputs,
          new DenseTransformer(), new LabelTransformer(true), new OrtSession.SessionOptions(),
          onnx, inputName);
    } catch (OrtException e) {
      throw new IllegalArgumentException("ONNX Runtime cannot load " + onnx + ": "
          + e.getMessage(), e);
    }
  }
}
