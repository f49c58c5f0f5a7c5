package dev.vigil.registry;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a published model is: written beside it as {@code card.json}.
 *
 * @param featureSchemaFingerprint the feature library's fingerprint of the names and order the
 *     model consumes; a service whose catalogue differs refuses the model
 * @param metrics the test period's metrics: {@link #COUNT_METRICS} written as integers, the rest
 *     (ratios) as doubles
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
    @JsonSerialize(using = MetricsWriter.class) Map<String, Double> metrics,
    String provenance,
    String publishedAt,
    List<double[]> reference,
    Data data) {

  /** The metrics that are counts (of rows, of bad outcomes): integers in card.json. */
  public static final Set<String> COUNT_METRICS = Set.of("rows", "positives");

  /** Writes a card's metrics with its counts as integers ({@code "rows" : 3046}, not 3046.0). */
  static final class MetricsWriter extends StdSerializer<Map<String, Double>> {
    @SuppressWarnings("unchecked")
    MetricsWriter() {
      super((Class<Map<String, Double>>) (Class<?>) Map.class);
    }

    @Override
    public void serialize(Map<String, Double> metrics, JsonGenerator json,
        SerializerProvider provider) throws IOException {
      json.writeStartObject();
      for (var metric : metrics.entrySet()) {
        json.writeFieldName(metric.getKey());
        Double value = metric.getValue();
        if (value == null) {
          json.writeNull();
        } else if (COUNT_METRICS.contains(metric.getKey()) && value == Math.rint(value)) {
          json.writeNumber(value.longValue());
        } else {
          json.writeNumber(value);
        }
      }
      json.writeEndObject();
    }
  }

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
