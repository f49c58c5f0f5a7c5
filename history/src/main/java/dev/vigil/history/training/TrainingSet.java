package dev.vigil.history.training;

import dev.vigil.features.profile.FeatureCatalogue.FeatureSet;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * A point-in-time training set: one row per scorable item, its features exactly as the online path
 * would have computed them at the item's time, and its label.
 *
 * @param features the feature set the rows follow (names, order and schema fingerprint)
 */
public record TrainingSet(Task task, FeatureSet features, List<Row> rows) {
  /**
   * One labelled example.
   *
   * @param id the scored event's id (transactions, deposits) or {@code account@as-of} (delinquency)
   * @param label 1 for the bad outcome (fraud reported, deposit returned, 30+ days past due within
   *     the horizon), 0 otherwise
   */
  public record Row(String id, long asOfMillis, String accountId, double[] values, int label) {}

  public long positives() {
    return rows.stream().filter(r -> r.label() == 1).count();
  }

  /** Writes the set as CSV: id, as_of, account_id, label, then one column per feature. */
  public void writeCsv(Path file) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    try (BufferedWriter out = Files.newBufferedWriter(file)) {
      out.write("id,as_of,account_id,label");
      for (String name : features.names()) {
        out.write(',');
        out.write(name);
      }
      out.newLine();
      var line = new StringBuilder(512);
      for (Row r : rows) {
        line.setLength(0);
        line.append(r.id()).append(',').append(Instant.ofEpochMilli(r.asOfMillis())).append(',')
            .append(r.accountId()).append(',').append(r.label());
        for (double v : r.values()) {
          line.append(',');
          if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            line.append((long) v);
          } else {
            line.append(v);
          }
        }
        out.write(line.toString());
        out.newLine();
      }
    }
  }
}
