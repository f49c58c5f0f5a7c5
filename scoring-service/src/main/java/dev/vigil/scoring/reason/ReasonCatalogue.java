package dev.vigil.scoring.reason;

import dev.vigil.features.profile.FeatureCatalogue;
import dev.vigil.features.profile.FeatureCatalogue.FeatureSet;
import dev.vigil.proto.v1.Reason;
import dev.vigil.scoring.model.ServedModel;
import dev.vigil.scoring.policy.Decision;
import dev.vigil.scoring.policy.Policy;
import dev.vigil.scoring.policy.ReasonRule;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The stable reason code, adverse direction and lender-facing text of every feature, as the
 * feature catalogue declares them with each feature ({@link FeatureCatalogue.ReasonFact}), and the
 * choice of a decision's reasons. A feature declared as never a reason (contact counts, consent)
 * is never given as one: it says nothing about the customer's risk that a lender could show. A
 * reason's text states a direction ("More transactions ... than is typical", "Account opened more
 * recently than is typical"), so a feature is given only when its value lies beyond a quantile of
 * the model's training population on that side ({@link ReasonRule#quantile()}: the 90th
 * percentile by default, not merely past the median), never when its value is its window's
 * default for an empty window ({@link FeatureCatalogue.History}: a mean of 0 with no history),
 * and never where the model's own direction for it (a scorecard's weight) contradicts the text.
 * Which decisions carry reasons is the policy's ({@link ReasonRule#givenFor}). The catalogue
 * refuses to load with a feature whose reason is not declared.
 *
 * <p>A decision's reasons are a function of the model, the feature values, the decision and the
 * policy's reason rule alone ({@link #forDecision}), so that a replay from the audit record
 * gives the same ones.
 */
public final class ReasonCatalogue {
  /** Most reasons an answer carries: Regulation B finds more than four unhelpful. */
  public static final int MAX_REASONS = 4;

  /** The least contribution (log-odds) a reason must make: a hundredth is no factor at all. */
  static final double MATERIAL = 0.01;

  /**
   * Whether the value {@code value} of feature {@code i} lies beyond the population's tails on
   * the side its text calls adverse: the high tail for +1, the low tail for -1, either for 0;
   * with the population unknown, whether it is not the least adverse value a count or flag can
   * take (a "+" feature at zero says nothing adverse).
   */
  static boolean inAdverseTail(int direction, int i, double value, ServedModel.Tails tails) {
    if (!tails.known(i)) {
      return direction <= 0 || value > 0;
    }
    return direction > 0 ? tails.aboveHigh(i, value) : direction < 0 ? tails.belowLow(i, value)
        : tails.aboveHigh(i, value) || tails.belowLow(i, value);
  }

  private record Entry(String code, int direction, String text, FeatureCatalogue.History history) {}

  /**
   * One feature set's entries in its order (null: never a reason), and for each the position of
   * its history count in the set (-1: always measured, or its count is not in the set).
   */
  private record Aligned(Entry[] entries, int[] historyAt) {}

  private final Map<String, Entry> entries;
  /**
   * Per feature set, its features' entries in its order: no lookup by name on the scoring path.
   * Keyed by identity: the service scores with the catalogue's three constant sets.
   */
  private final Map<FeatureSet, Aligned> bySet = new ConcurrentHashMap<>();

  private ReasonCatalogue(Map<String, Entry> entries) {
    this.entries = entries;
  }

  private Aligned entriesOf(FeatureSet features) {
    return bySet.computeIfAbsent(features, set -> {
      Entry[] aligned = new Entry[set.names().size()];
      int[] historyAt = new int[aligned.length];
      for (int i = 0; i < aligned.length; i++) {
        Entry e = entries.get(set.names().get(i));
        aligned[i] = e == null || e.code.equals("-") ? null : e; // null: never a reason
        historyAt[i] = e == null || e.history == null ? -1 : set.names().indexOf(e.history.count());
      }
      return new Aligned(aligned, historyAt);
    });
  }

  /** The reasons the feature catalogue declares, each with its feature. */
  public static ReasonCatalogue load() {
    var entries = new HashMap<String, Entry>();
    for (FeatureCatalogue.Feature f : FeatureCatalogue.all()) {
      FeatureCatalogue.ReasonFact r = f.reason();
      entries.put(f.name(), r == null ? new Entry("-", 0, "", null)
          : new Entry(r.code(), switch (r.adverse()) {
            case HIGHER -> 1;
            case LOWER -> -1;
            case EITHER -> 0;
          }, r.text(), r.history()));
    }
    return new ReasonCatalogue(entries);
  }

  /**
   * The reasons the policy's reason rule asks for on {@code decision}: none when the rule gives
   * none for it, else the model's principal reasons at the rule's quantile. A function of its
   * arguments alone (the model scores {@code values} again: replay's entry).
   */
  public List<Reason> forDecision(FeatureSet features, double[] values, ServedModel model,
      Decision decision, ReasonRule rule) {
    if (!rule.givenFor(decision)) {
      return List.of();
    }
    return forDecision(features, values, model, model.score(values), decision, rule);
  }

  /** As above, with the model's score of {@code values} already computed (the scoring path). */
  public List<Reason> forDecision(FeatureSet features, double[] values, ServedModel model,
      ServedModel.Scored scored, Decision decision, ReasonRule rule) {
    if (!rule.givenFor(decision)) {
      return List.of();
    }
    return principal(features, values, scored.contributions(), model.directions(),
        model.tails(rule.quantile()), MAX_REASONS);
  }

  /**
   * An answer's reasons: the policy rule's own first (when it gave one), then the model's in
   * order, each code once (the policy's reason may name what a feature's reason names, such as
   * DUPLICATE_PRESENTMENT, and two features may share a code), at most {@link #MAX_REASONS}.
   */
  public static List<Reason> answer(Policy.RuleReason rule, List<Reason> model) {
    var reasons = new ArrayList<Reason>(MAX_REASONS);
    if (rule != null) {
      reasons.add(Reason.newBuilder().setCode(rule.code()).setText(rule.text()).build());
    }
    for (Reason r : model) {
      if (reasons.size() < MAX_REASONS
          && reasons.stream().noneMatch(given -> given.getCode().equals(r.getCode()))) {
        reasons.add(r);
      }
    }
    return reasons;
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
   * value: a "+" feature (higher is adverse) only in the population's high tail, a "-" feature
   * only in its low tail, an "either" feature in one of them; not when its value is its window's
   * default (its history count below the least it measures from); and not when the model's own
   * direction for it contradicts the text.
   *
   * @param contributions each feature's contribution to the log-odds against the population
   *     ({@link dev.vigil.scoring.model.ServedModel.Scored#contributions})
   * @param directions the model's adverse direction per feature (+1 higher is adverse, -1 lower),
   *     or null when the model has no fixed direction (trees)
   * @param tails where the training population's tails begin, per feature
   */
  public List<Reason> principal(FeatureSet features, double[] values, double[] contributions,
      int[] directions, ServedModel.Tails tails, int limit) {
    double above = 0;
    for (double c : contributions) {
      above += c;
    }
    if (above <= 0) {
      return List.of(); // at or below the typical customer's score: nothing adverse to explain
    }
    Aligned set = entriesOf(features);
    Entry[] aligned = set.entries();
    // the top {@code limit} by contribution (ties: the earlier feature first), by selection:
    // limit is at most four, so this beats sorting every feature on each call
    int[] chosen = new int[Math.min(limit, contributions.length)];
    int n = 0;
    for (int i = 0; i < contributions.length; i++) {
      Entry e = aligned[i];
      if (contributions[i] <= MATERIAL || e == null
          || (directions != null && e.direction != 0 && directions[i] != e.direction)
          || !inAdverseTail(e.direction, i, values[i], tails)
          || (set.historyAt()[i] >= 0 && !e.history.measured(values[set.historyAt()[i]]))) {
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
