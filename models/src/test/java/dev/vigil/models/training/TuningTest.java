package dev.vigil.models.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.features.event.Event;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.history.simulator.Simulator;
import dev.vigil.history.training.TrainingSet;
import dev.vigil.models.evaluation.Metrics;
import dev.vigil.models.training.ModelTrainer.Algorithm;
import dev.vigil.models.training.ModelTrainer.Hyperparameters;
import dev.vigil.models.training.ModelTrainer.Scaling;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hyper-parameter search: the defaults are always tried first, the winner is the best on
 * validation rows of those that beat the defaults beyond the validation's noise (checked against
 * the figures recomputed here), and the validation rows never
 * include a test row nor anything after the test period starts.
 */
class TuningTest {
  private static final long DAY = 86_400_000L;
  static TrainingSet set;
  static Split split;

  @BeforeAll
  static void history() {
    List<Event> history = new ArrayList<>();
    new Simulator(Simulator.Config.of(21, 400, 75)).run(history::add);
    // training Feb 21 to 28, gap 7, test Mar 7 to 14; validation learns from Jan 31 to Feb 7
    var time = new TimeSplit(Instant.parse("2026-02-21T00:00:00Z"), Duration.ofDays(7),
        Duration.ofDays(7), Duration.ofDays(7));
    split = Split.byTime(time);
    set = Workflow.trainingSet(Task.FRAUD, history, split.validationFrom(), split.to(),
        Duration.ofDays(30), "weekly");
  }

  @Test
  void theDefaultsComeFirstAndTheRestAreDistinctDrawsOfTheGrid() {
    for (Algorithm a : Algorithm.values()) {
      var c = Tuning.candidates(a, Scaling.MINMAX, 6, 7);
      assertThat(c).hasSize(6).doesNotHaveDuplicates();
      assertThat(c.get(0)).isEqualTo(Hyperparameters.defaults(Scaling.MINMAX));
      assertThat(Tuning.candidates(a, Scaling.MINMAX, 6, 7)).isEqualTo(c); // seeded
      assertThat(new HashSet<>(Tuning.candidates(a, Scaling.MINMAX, 6, 8)))
          .isNotEqualTo(new HashSet<>(c));
    }
    // logistic regression's grid has 32 points: a larger budget tries each once
    assertThat(Tuning.candidates(Algorithm.LOGISTIC_REGRESSION, Scaling.LOG_MINMAX, 100, 1))
        .hasSize(32);
    assertThatThrownBy(() -> Tuning.candidates(Algorithm.XGBOOST, Scaling.LOG_MINMAX, 0, 1))
        .hasMessageContaining("at least 1");
  }

  @Test
  void validationRowsComeBeforeTheTestAndApartFromIt() {
    var parts = split.validation(set.rows(), 42);
    var fit = parts.get(0);
    var validation = parts.get(1);
    var time = split.time();
    assertThat(validation).isNotEmpty().allSatisfy(r -> {
      assertThat(r.asOfMillis()).isBetween(time.trainTo() - 7 * DAY, time.trainTo() - 1);
      assertThat(split.inTest(r)).isFalse();
    });
    // the fit rows end a gap (the label delay) before the validation rows begin
    assertThat(fit).isNotEmpty().allSatisfy(r -> assertThat(r.asOfMillis())
        .isLessThan(time.trainTo() - 7 * DAY - 7 * DAY)
        .isGreaterThanOrEqualTo(time.trainTo() - 7 * DAY - 7 * DAY - 7 * DAY));
    // an entity split validates on a quarter of its training accounts, none held out for testing
    var byAccount = Split.byAccount(split.from(), split.to(), new Split.Accounts(0.3, 5));
    var entity = byAccount.validation(set.rows(), 42);
    assertThat(entity.get(1)).isNotEmpty().allSatisfy(r ->
        assertThat(byAccount.inTraining(r)).isTrue());
    var fitAccounts = new HashSet<String>();
    entity.get(0).forEach(r -> fitAccounts.add(r.accountId()));
    assertThat(entity.get(1)).noneMatch(r -> fitAccounts.contains(r.accountId()));
  }

  @Test
  void oneLuckyRowDoesNotDisplaceTheDefaultsButARealGainDoes() {
    var random = new SplittableRandom(5);
    int n = 2_000;
    double[] defaults = new double[n];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = i % 50 == 0 ? 1 : 0; // 40 bad rows
      defaults[i] = random.nextDouble() + labels[i] * 0.5;
    }
    // the same scores but one bad row ranked first: a higher average precision on these rows,
    // from one row's luck (it is drawn in about 63% of resamples, and only there does it count)
    double[] lucky = defaults.clone();
    int lowestBad = 0;
    for (int i = 0; i < n; i += 50) {
      lowestBad = defaults[i] < defaults[lowestBad] ? i : lowestBad;
    }
    lucky[lowestBad] = 10;
    assertThat(Metrics.averagePrecision(lucky, labels))
        .isGreaterThan(Metrics.averagePrecision(defaults, labels));
    double luck = Tuning.shareBeating(defaults, lucky, labels, Tuning.RESAMPLES, 1);
    assertThat(luck).isBetween(0.5, 0.75).isLessThan(Tuning.CONFIDENCE);
    // every bad row ranked higher: beats the defaults in (nearly) every resample
    double[] better = defaults.clone();
    for (int i = 0; i < n; i += 50) {
      better[i] += 0.3;
    }
    assertThat(Tuning.shareBeating(defaults, better, labels, Tuning.RESAMPLES, 1))
        .isGreaterThanOrEqualTo(Tuning.CONFIDENCE);
    assertThat(Tuning.shareBeating(defaults, defaults, labels, Tuning.RESAMPLES, 1)).isZero();

    var defaultsTrial = new Tuning.Trial(Hyperparameters.DEFAULT, 0.50, 0.90, Double.NaN);
    var noisy = new Tuning.Trial(Hyperparameters.defaults(Scaling.MINMAX), 0.60, 0.91, luck);
    assertThat(Tuning.choose(List.of(defaultsTrial, noisy))).isSameAs(defaultsTrial);
    var sure = new Tuning.Trial(Hyperparameters.defaults(Scaling.MINMAX), 0.55, 0.91, 0.95);
    assertThat(Tuning.choose(List.of(defaultsTrial, noisy, sure))).isSameAs(sure);
    assertThat(new Tuning.Outcome(List.of(defaultsTrial, noisy), defaultsTrial)
        .summary(Algorithm.LOGISTIC_REGRESSION)).contains("the defaults kept");
  }

  @Test
  void theWinnerIsTheBestOnValidationAndTheCardSaysSo() {
    var parts = split.validation(set.rows(), 42);
    var candidates = Tuning.candidates(Algorithm.LOGISTIC_REGRESSION, Scaling.LOG_MINMAX, 4, 3);
    var outcome = Tuning.search(Algorithm.LOGISTIC_REGRESSION, set, parts.get(0), parts.get(1),
        false, candidates);
    assertThat(outcome.trials()).extracting(Tuning.Trial::settings)
        .containsExactlyElementsOf(candidates);
    // recomputed here: each candidate's validation average precision, and how often it beats the
    // defaults in the resamples; the winner is the best of those that beat them often enough
    double best = Double.NEGATIVE_INFINITY;
    Hyperparameters winner = candidates.get(0);
    double[] defaults = null;
    for (int i = 0; i < candidates.size(); i++) {
      Hyperparameters h = candidates.get(i);
      var model = ModelTrainer.train(Algorithm.LOGISTIC_REGRESSION, set, parts.get(0), false, h);
      var s = Workflow.scored(model, set, parts.get(1));
      double ap = Metrics.averagePrecision(s.probabilities(), s.labels());
      var trial = outcome.trials().get(i);
      assertThat(trial.averagePrecision()).isEqualTo(ap);
      if (defaults == null) {
        defaults = s.probabilities();
        assertThat(trial.beatsDefaults()).isNaN();
        continue;
      }
      double share = Tuning.shareBeating(defaults, s.probabilities(), s.labels(),
          Tuning.RESAMPLES, Tuning.RESAMPLE_SEED);
      assertThat(trial.beatsDefaults()).isEqualTo(share);
      if (share >= Tuning.CONFIDENCE && ap > best) {
        best = ap;
        winner = h;
      }
    }
    assertThat(outcome.chosen().settings()).isEqualTo(winner);

    var result = Workflow.train(Algorithm.LOGISTIC_REGRESSION, Task.FRAUD, set, split, false,
        Scaling.LOG_MINMAX, null, 0, new Workflow.Tune(4, 3));
    assertThat(result.card().hyperParameters())
        .containsAllEntriesOf(winner.describe(Algorithm.LOGISTIC_REGRESSION))
        .containsKey("tuning");
    assertThat(result.card().hyperParameters().get("tuning")).startsWith("4 candidates");
    // without tuning, the defaults and no search
    var plain = Workflow.train(Algorithm.LOGISTIC_REGRESSION, Task.FRAUD, set, split, false,
        Scaling.LOG_MINMAX, null, 0, Workflow.Tune.NONE);
    assertThat(plain.card().hyperParameters()).doesNotContainKey("tuning")
        .containsAllEntriesOf(Hyperparameters.DEFAULT.describe(Algorithm.LOGISTIC_REGRESSION));
  }
}
