package dev.vigil.models.evaluation;

import dev.vigil.features.event.Event;
import dev.vigil.features.profile.FeatureCatalogue;
import dev.vigil.features.profile.FeatureCatalogue.FeatureSet;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.history.simulator.Simulator;
import dev.vigil.history.training.TrainingSet;
import dev.vigil.models.training.ModelTrainer;
import dev.vigil.models.training.ModelTrainer.Algorithm;
import dev.vigil.models.training.Split;
import dev.vigil.models.training.TimeSplit;
import dev.vigil.models.training.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

/**
 * Vigil's fraud features against the Fraud Detection Handbook's baseline, like for like: the
 * Handbook's simulated world ({@link Simulator.Shape#HANDBOOK}: 5,000 customers, 10,000
 * terminals, 183 days from 2018-04-01), its protocol (train 2018-07-25 for 7 days, a 7-day gap,
 * test 7 days, cards known to be compromised removed, card precision@100 with detected cards
 * blocked), the same learner, and two feature sets computed by the same code: the Handbook's
 * fifteen as Vigil's catalogue has them, and Vigil's whole fraud set.
 */
public final class HandbookComparison {
  /**
   * The Handbook's baseline features, by their names in Vigil's catalogue: amount, weekend,
   * night; the card's transaction counts and mean amounts over 1, 7 and 30 days; the terminal's
   * transaction counts and fraud rates over 1, 7 and 30 days ending one week ago. The Handbook's
   * 1-day mean amount is not in the catalogue; its 1-day sum stands in for it. Vigil's windows end
   * just before the transaction, the Handbook's include it.
   */
  public static final List<String> HANDBOOK_FEATURES = List.of("txn_amount", "txn_weekend",
      "txn_night", "acct_txn_count_24h", "acct_txn_count_7d", "acct_txn_count_30d",
      "acct_txn_sum_24h", "acct_txn_mean_7d", "acct_txn_mean_30d", "merchant_txn_count_1d",
      "merchant_txn_count_7d", "merchant_txn_count_30d", "merchant_fraud_rate_1d",
      "merchant_fraud_rate_7d", "merchant_fraud_rate_30d");

  /** The Handbook's published baseline: AUC ROC, average precision, card precision@100. */
  public static final Map<Algorithm, double[]> PUBLISHED = Map.of(
      Algorithm.LOGISTIC_REGRESSION, new double[] {0.871, 0.606, 0.291},
      Algorithm.XGBOOST, new double[] {0.862, 0.639, 0.273});

  public static final Instant SIMULATION_START = Instant.parse("2018-04-01T00:00:00Z");
  public static final TimeSplit SPLIT = new TimeSplit(Instant.parse("2018-07-25T00:00:00Z"),
      Duration.ofDays(7), Duration.ofDays(7), Duration.ofDays(7));

  /**
   * One model's held-out figures.
   *
   * @param unseen the test frauds no feature could tell from a legitimate transaction ({@link
   *     #visible}: none of the scenarios' signs)
   * @param aucSeen the AUC of the other frauds against every legitimate test transaction
   * @param aucUnseen the AUC of the unseen frauds against every legitimate test transaction
   */
  public record Figures(long seed, String features, Algorithm algorithm, long testRows,
      long testFrauds, double auc, double averagePrecision, double cardPrecisionAt100,
      long unseen, double aucSeen, double aucUnseen) {
    /**
     * The AUC had every fraud with a sign been ranked above every legitimate transaction, those
     * without one ranked at random: the most any feature set can reach on these rows (an upper
     * bound: legitimate transactions that share a sign, at a terminal after its compromise, lower
     * it further).
     */
    public double ceiling() {
      return 1 - (double) unseen / testFrauds / 2;
    }
  }

  /**
   * The Handbook's amount threshold of its first fraud scenario: $220, in minor units.
   */
  static final double SCENARIO_1_AMOUNT = 22_000;
  private static final List<FeatureCatalogue.Handle> TERMINAL_FRAUD = List.of(
      FeatureCatalogue.FRAUD.handle("merchant_fraud_rate_1d"),
      FeatureCatalogue.FRAUD.handle("merchant_fraud_rate_7d"),
      FeatureCatalogue.FRAUD.handle("merchant_fraud_rate_30d"));
  private static final FeatureCatalogue.Handle AMOUNT = FeatureCatalogue.FRAUD.handle("txn_amount");
  private static final FeatureCatalogue.Handle TO_MEAN =
      FeatureCatalogue.FRAUD.handle("txn_amount_to_mean_30d");

  /**
   * Whether a transaction shows a sign of one of the world's fraud scenarios that a feature can
   * see (its values in Vigil's whole fraud set): an amount over $220 (scenario 1), a fraud
   * reported at the terminal within the windows that end one label delay ago (scenario 2 after
   * its first week), or at least twice the card's 30-day mean (scenario 3's fivefold amounts). A
   * fraud without any is a compromised terminal's first week: its amount, card and terminal look
   * as they did before, and no report has arrived.
   */
  static boolean visible(double[] vigilValues) {
    if (AMOUNT.in(vigilValues) > SCENARIO_1_AMOUNT || TO_MEAN.in(vigilValues) >= 2) {
      return true;
    }
    return TERMINAL_FRAUD.stream().anyMatch(h -> h.in(vigilValues) > 0);
  }

  private HandbookComparison() {}

  /** Simulates the Handbook's world with {@code seed}, then trains and tests all four models. */
  public static List<Figures> run(long seed, int customers, int days) {
    var history = new ArrayList<Event>();
    new Simulator(new Simulator.Config(seed, customers, days, SIMULATION_START, 0,
        Simulator.Shape.HANDBOOK)).run(history::add);
    TrainingSet vigil = Workflow.trainingSet(Task.FRAUD, history, SPLIT, Duration.ZERO);
    history.clear();
    TrainingSet handbook = project(vigil, FeatureCatalogue.FRAUD.only(HANDBOOK_FEATURES));
    // the same test rows for every model; which frauds show a sign is read from Vigil's columns
    var split = Split.byTime(SPLIT);
    var seen = new HashSet<String>();
    for (TrainingSet.Row r : Workflow.testRows(Task.FRAUD, vigil, split)) {
      if (visible(r.values())) {
        seen.add(r.id());
      }
    }
    var out = new ArrayList<Figures>();
    for (Algorithm algorithm : Algorithm.values()) {
      for (TrainingSet set : List.of(handbook, vigil)) {
        // min-max only: affine like the Handbook's standard scaling, so like for like
        var result = Workflow.train(algorithm, Task.FRAUD, set, SPLIT, false,
            ModelTrainer.Scaling.MINMAX);
        Map<String, Double> m = result.metrics();
        var test = result.testRows();
        double[] p = result.testProbabilities();
        var legitimate = new ArrayList<Double>();
        var withSign = new ArrayList<Double>();
        var withoutSign = new ArrayList<Double>();
        for (int i = 0; i < test.size(); i++) {
          TrainingSet.Row r = test.get(i);
          (r.label() == 0 ? legitimate : seen.contains(r.id()) ? withSign : withoutSign)
              .add(p[i]);
        }
        out.add(new Figures(seed, set == vigil ? "vigil" : "handbook", algorithm,
            m.get("rows").longValue(), m.get("positives").longValue(), m.get("auc_roc"),
            m.get("average_precision"), m.get("card_precision_at_100"), withoutSign.size(),
            auc(withSign, legitimate), auc(withoutSign, legitimate)));
      }
    }
    return out;
  }

  /** The AUC of {@code frauds} against {@code legitimate}; NaN when either is empty. */
  static double auc(List<Double> frauds, List<Double> legitimate) {
    if (frauds.isEmpty() || legitimate.isEmpty()) {
      return Double.NaN;
    }
    double[] scores = new double[frauds.size() + legitimate.size()];
    int[] labels = new int[scores.length];
    for (int i = 0; i < frauds.size(); i++) {
      scores[i] = frauds.get(i);
      labels[i] = 1;
    }
    for (int i = 0; i < legitimate.size(); i++) {
      scores[frauds.size() + i] = legitimate.get(i);
    }
    return Metrics.aucRoc(scores, labels);
  }

  /** The same rows with only {@code subset}'s columns. */
  static TrainingSet project(TrainingSet set, FeatureSet subset) {
    List<String> names = set.features().names();
    int[] columns = subset.names().stream().mapToInt(names::indexOf).toArray();
    var rows = new ArrayList<TrainingSet.Row>(set.rows().size());
    for (TrainingSet.Row r : set.rows()) {
      double[] v = new double[columns.length];
      for (int i = 0; i < columns.length; i++) {
        v[i] = r.values()[columns[i]];
      }
      rows.add(new TrainingSet.Row(r.id(), r.asOfMillis(), r.accountId(), v, r.label()));
    }
    return new TrainingSet(set.task(), subset, rows);
  }
}
