package dev.vigil.registry;

import java.util.List;
import java.util.Map;

/**
 * What a published model is: written beside it as {@code card.json}.
 *
 * @param featureSchemaFingerprint the feature library's fingerprint of the names and order the
 *     model consumes; a service whose catalogue differs refuses the model
 * @param dataFingerprint SHA-256 of the training rows (ids, labels, values)
 * @param provenance Tribuo's provenance of the model, as text
 * @param reference a seeded sample of the training rows' feature values (in {@code featureNames}
 *     order, no ids): the population a score is explained against (a reason is what raises a
 *     score above this population's typical one) and the training distributions drift is
 *     measured from; empty for a model published without it
 * @param data how the rows were made and divided, which evaluating and predicting reuse; null for
 *     a model published without it (before it was recorded, or imported)
 */
public record ModelCard(
    String task,
    String version,
    String algorithm,
    Map<String, String> hyperParameters,
    String trainFrom,
    String trainTo,
    String testFrom,
    String testTo,
    long trainingRows,
    long trainingPositives,
    String dataFingerprint,
    List<String> featureNames,
    String featureSchemaFingerprint,
    Map<String, Double> metrics,
    String provenance,
    String publishedAt,
    List<double[]> reference,
    Data data) {

  /** Most reference rows a card carries. */
  public static final int REFERENCE_ROWS = 500;

  public ModelCard {
    reference = reference == null ? List.of() : List.copyOf(reference);
  }

  /** The same card with another version. */
  public ModelCard withVersion(String value) {
    return new ModelCard(task, value, algorithm, hyperParameters, trainFrom, trainTo, testFrom,
        testTo, trainingRows, trainingPositives, dataFingerprint, featureNames,
        featureSchemaFingerprint, metrics, provenance, publishedAt, reference, data);
  }

  /**
   * How a model's rows were made and divided.
   *
   * @param split {@code time}, {@code entity} or {@code time+entity}
   * @param heldOutShare the share of accounts held out (entity splits; 0 otherwise)
   * @param splitSeed the seed that chose them (entity splits)
   * @param schedule delinquency: the as-of dates ({@code weekly}, {@code monthly} or a list);
   *     null for the other tasks
   * @param horizonDays delinquency: the days after an as-of date within which a default is the
   *     outcome; 0 for the other tasks
   */
  public record Data(String split, double heldOutShare, long splitSeed, String schedule,
      int horizonDays) {
    /** Whether the split held accounts out. */
    public boolean byAccount() {
      return split != null && split.contains("entity");
    }
  }
}
