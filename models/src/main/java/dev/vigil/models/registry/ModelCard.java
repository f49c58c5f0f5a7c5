package dev.vigil.models.registry;

import java.util.List;
import java.util.Map;

/**
 * What a published model is: written beside it as {@code card.json}.
 *
 * @param featureSchemaFingerprint the feature library's fingerprint of the names and order the
 *     model consumes; a service whose catalogue differs refuses the model
 * @param dataFingerprint SHA-256 of the training rows (ids, labels, values)
 * @param provenance Tribuo's provenance of the model, as text
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
    String publishedAt) {}
