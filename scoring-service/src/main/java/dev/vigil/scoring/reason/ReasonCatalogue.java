package dev.vigil.scoring.reason;

import dev.vigil.features.profile.FeatureCatalogue;
import dev.vigil.features.profile.FeatureCatalogue.FeatureSet;
import dev.vigil.proto.v1.Reason;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The stable reason code, adverse direction and lender-facing text of every feature, as the
 * feature catalogue declares them with each feature ({@link FeatureCatalogue.ReasonFact}). A
 * feature declared as never a reason (contact counts, consent) is never given as one:
 * it says nothing about the customer's risk that a lender could show. A reason's text states a
 * direction ("More transactions ... than is typical", "Account opened more recently than is
 * typical"): where the model's own direction for a feature is known (a scorecard's weight) and
 * contradicts it, the feature is not given as a reason, since the text would misstate why the
 * score is high. The catalogue refuses to load with a feature whose reason is not declared.
 */
public final class ReasonCatalogue {
  /** Most reasons an answer carries: Regulation B finds more than four unhelpful. */
  public static final int MAX_REASONS = 4;

  /** The least contribution (log-odds) a reason must make: a hundredth is no factor at all. */
  static final double MATERIAL = 0.01;

  /**
   * Whether {@code value} is on the side of {@code typical} its text calls adverse: above it for
   * +1, below it for -1, either for 0; with no typical value known, whether it is not the least
   * adverse value a count or flag can take (a "+" feature at zero says nothing adverse).
   */
  static boolean onAdverseSide(int direction, double value, double typical) {
    if (Double.isNaN(typical)) {
      return direction <= 0 || value > 0;
    }
    return direction > 0 ? value > typical : direction < 0 ? value < typical : value != typical;
  }

  private record Entry(String code, int direction, String text) {}

  private final Map<String, Entry> entries;
  /**
   * Per feature set, its features' entries in its order: no lookup by name on the scoring path.
   * Keyed by identity: the service scores with the catalogue's three constant sets.
   */
  private final Map<FeatureSet, Entry[]> bySet = new ConcurrentHashMap<>();

  private ReasonCatalogue(Map<String, Entry> entries) {
    this.entries = entries;
  }

  private Entry[] entriesOf(FeatureSet features) {
    return bySet.computeIfAbsent(features, set -> {
      Entry[] aligned = new Entry[set.names().size()];
      for (int i = 0; i < aligned.length; i++) {
        Entry e = entries.get(set.names().get(i));
        aligned[i] = e == null || e.code.equals("-") ? null : e; // null: never a reason
      }
      return aligned;
    });
  }

  /** The reasons the feature catalogue declares, each with its feature. */
  public static ReasonCatalogue load() {
    var entries = new HashMap<String, Entry>();
    for (FeatureCatalogue.Feature f : FeatureCatalogue.all()) {
      FeatureCatalogue.ReasonFact r = f.reason();
      entries.put(f.name(), r == null ? new Entry("-", 0, "")
          : new Entry(r.code(), switch (r.adverse()) {
            case HIGHER -> 1;
            case LOWER -> -1;
            case EITHER -> 0;
          }, r.text()));
    }
    return new ReasonCatalogue(entries);
  }

  /** The code of a feature's reason, or null when it is never a reason. */
  public String codeOf(String feature) {
    Entry e = entries.get(feature);
    return e == null || e.code.equals("-") ? null : e.code;
  }

  /** The adverse direction the catalogue declares: +1 high is adverse, -1 low, 0 either. */
  int directionOf(String feature) {
    Entry e = entries.get(feature);
    return e == null ? 0 : e.direction;
  }

  /**
   * Up to {@code limit} reasons: the features that raise this score above the training
   * population's typical one, most first. None when the score is not above it (a clear approval
   * has no adverse factors), and a feature is never given where its text would misstate its
   * value: a "+" feature (higher is adverse) only above its typical value, a "-" feature only
   * below it, and not when the model's own direction for it contradicts the text.
   *
   * @param contributions each feature's contribution to the log-odds against the population
   *     ({@link dev.vigil.scoring.model.ServedModel.Scored#contributions})
   * @param directions the model's adverse direction per feature (+1 higher is adverse, -1 lower),
   *     or null when the model has no fixed direction (trees)
   * @param typical each feature's typical value (the population's median), NaN where unknown
   */
  public List<Reason> principal(FeatureSet features, double[] values, double[] contributions,
      int[] directions, double[] typical, int limit) {
    double above = 0;
    for (double c : contributions) {
      above += c;
    }
    if (above <= 0) {
      return List.of(); // at or below the typical customer's score: nothing adverse to explain
    }
    Entry[] aligned = entriesOf(features);
    // the top {@code limit} by contribution (ties: the earlier feature first), by selection:
    // limit is at most four, so this beats sorting every feature on each call
    int[] chosen = new int[Math.min(limit, contributions.length)];
    int n = 0;
    for (int i = 0; i < contributions.length; i++) {
      Entry e = aligned[i];
      if (contributions[i] <= MATERIAL || e == null
          || (directions != null && e.direction != 0 && directions[i] != e.direction)
          || !onAdverseSide(e.direction, values[i], typical[i])) {
        continue;
      }
      int at = n;
      while (at > 0 && contributions[chosen[at - 1]] < contributions[i]) {
        at--;
      }
      if (at >= chosen.length) {
        continue;
      }
      System.arraycopy(chosen, at, chosen, at + 1, Math.min(n, chosen.length - 1) - at);
      chosen[at] = i;
      n = Math.min(n + 1, chosen.length);
    }
    var out = new ArrayList<Reason>(n);
    for (int k = 0; k < n; k++) {
      int i = chosen[k];
      Entry e = aligned[i];
      out.add(Reason.newBuilder().setCode(e.code).setText(e.text)
          .setFeature(features.names().get(i)).setValue(values[i])
          .setContribution(contributions[i]).build());
    }
    return out;
  }
}
