package dev.vigil.registry;

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
}
