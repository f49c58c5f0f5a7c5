package dev.vigil.scoring.reason;

import dev.vigil.features.profile.FeatureCatalogue;
import dev.vigil.features.profile.FeatureCatalogue.FeatureSet;
import dev.vigil.proto.v1.Reason;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The stable reason code, adverse direction and lender-facing text of every feature ({@code
 * reasons.tsv}). A feature whose code is "-" (contact counts, consent) is never given as a reason:
 * it says nothing about the customer's risk that a lender could show. A reason's text states a
 * direction ("Many transactions...", "Account recently opened"): where the model's own direction
 * for a feature is known (a scorecard's weight) and contradicts it, the feature is not given as a
 * reason, since the text would misstate why the score is high. Every catalogue feature must have a
 * line; the service refuses to start otherwise.
 */
public final class ReasonCatalogue {
  /** Most reasons an answer carries: Regulation B finds more than four unhelpful. */
  public static final int MAX_REASONS = 4;

  private record Entry(String code, int direction, String text) {}

  private final Map<String, Entry> entries;

  private ReasonCatalogue(Map<String, Entry> entries) {
    this.entries = entries;
  }

  public static ReasonCatalogue load() {
    var entries = new HashMap<String, Entry>();
    try (var in = new BufferedReader(new InputStreamReader(
        ReasonCatalogue.class.getResourceAsStream("reasons.tsv"), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] cols = line.split("\t");
        if (cols.length != 4 || !cols[2].matches("[-+*]")) {
          throw new IllegalStateException("reasons.tsv: expected feature, code, direction (+, -"
              + " or *), text: " + line);
        }
        entries.put(cols[0], new Entry(cols[1],
            cols[2].equals("+") ? 1 : cols[2].equals("-") ? -1 : 0, cols[3]));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (FeatureCatalogue.Feature f : FeatureCatalogue.all()) {
      if (!entries.containsKey(f.name())) {
        throw new IllegalStateException("reasons.tsv has no line for feature " + f.name());
      }
    }
    return new ReasonCatalogue(entries);
  }

  /** The code of a feature's reason, or null when it is never a reason. */
  public String codeOf(String feature) {
    Entry e = entries.get(feature);
    return e == null || e.code.equals("-") ? null : e.code;
  }

  /**
   * Up to {@code limit} reasons: the features with the largest positive contributions, most
   * adverse first.
   *
   * @param directions the model's adverse direction per feature (+1 higher is adverse, -1 lower),
   *     or null when the model has no fixed direction (trees)
   */
  public List<Reason> principal(FeatureSet features, double[] values, double[] contributions,
      int[] directions, int limit) {
    var order = new ArrayList<Integer>();
    for (int i = 0; i < contributions.length; i++) {
      Entry e = entries.get(features.names().get(i));
      if (contributions[i] > 1e-9 && codeOf(features.names().get(i)) != null
          && (directions == null || e.direction == 0 || directions[i] == e.direction)) {
        order.add(i);
      }
    }
    order.sort((a, b) -> Double.compare(contributions[b], contributions[a]));
    var out = new ArrayList<Reason>(limit);
    for (int i : order) {
      if (out.size() == limit) {
        break;
      }
      String name = features.names().get(i);
      Entry e = entries.get(name);
      out.add(Reason.newBuilder().setCode(e.code).setText(e.text).setFeature(name)
          .setValue(values[i]).setContribution(contributions[i]).build());
    }
    return out;
  }
}
