package dev.vigil.registry;

import java.util.ArrayList;
import java.util.List;
import org.tribuo.Example;
import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.impl.ArrayExample;

/**
 * What a registered model predicts: the probability of the bad outcome for one feature vector,
 * read from Tribuo's output scores under the labels every Vigil model is trained with.
 */
public final class Prediction {
  /** The label of the bad outcome (fraud, a returned deposit, delinquency). */
  public static final String BAD = "1";
  /** The label of the good outcome. */
  public static final String GOOD = "0";
  /** The factory of the labels above. */
  public static final LabelFactory LABELS = new LabelFactory();

  private Prediction() {}

  /**
   * The model's probability of the bad outcome for one feature vector.
   *
   * @param names the features' names, in the order of {@code values}
   */
  public static double probability(Model<Label> model, String[] names, double[] values) {
    var example = new ArrayExample<>(LABELS.getUnknownOutput(), names, values);
    var scores = model.predict(example).getOutputScores();
    Label bad = scores.get(BAD);
    return bad == null ? 0 : bad.getScore();
  }

  /** Rows per call to the model in {@link #probabilities}. */
  static final int BATCH = 4096;

  /**
   * The model's probability of the bad outcome for many feature vectors, in their order, asked in
   * batches: XGBoost builds one native matrix per call, so one call per row costs far more than
   * the trees (issue 17: about 1.5 ms a row).
   *
   * @param names the features' names, in the order of each row's values
   */
  public static double[] probabilities(Model<Label> model, String[] names,
      List<double[]> rows) {
    double[] out = new double[rows.size()];
    var batch = new ArrayList<Example<Label>>(Math.min(BATCH, rows.size()));
    for (int start = 0; start < rows.size(); start += BATCH) {
      batch.clear();
      int end = Math.min(rows.size(), start + BATCH);
      for (int i = start; i < end; i++) {
        batch.add(new ArrayExample<>(LABELS.getUnknownOutput(), names, rows.get(i)));
      }
      var predictions = model.predict(batch);
      for (int i = start; i < end; i++) {
        Label bad = predictions.get(i - start).getOutputScores().get(BAD);
        out[i] = bad == null ? 0 : bad.getScore();
      }
    }
    return out;
  }
}
