package dev.vigil.scoring.score;

import dev.vigil.features.event.Event;
import dev.vigil.features.profile.EntityKey;
import dev.vigil.features.profile.FeatureCatalogue;
import dev.vigil.features.profile.FeatureCatalogue.FeatureSet;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.features.profile.FeatureInputs;
import dev.vigil.features.profile.Profile;
import dev.vigil.registry.ScoreScale;
import dev.vigil.proto.v1.ModelResult;
import dev.vigil.scoring.drift.DriftMonitor;
import dev.vigil.scoring.model.ServedModel;
import dev.vigil.scoring.model.ServingModels;
import dev.vigil.scoring.reason.ReasonCatalogue;
import dev.vigil.scoring.store.HotProfiles;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The part every score shares: read the profiles a request needs in one batched read, compute the
 * task's feature vector as of the request time with the feature library, and score it with the
 * champion (and any challenger or shadow, recorded only), with each feature's contribution: the
 * reasons are chosen once the policy has decided ({@link Pipeline#decide}).
 */
public final class Assessor {
  /**
   * A task's assessment of one request; or, when {@code standIn} is not null, why there is none
   * (a stand-in: no champion, probability and score 0, {@code scored} null, the feature values
   * NaN where they were not computed, {@code inputs} null when the profiles could not be read).
   *
   * @param scored the champion's probability and each feature's contribution
   * @param roll a cure assessment's roll model result on the same values ({@link #roll}: its
   *     probability, or its error); null for every other assessment
   */
  public record Assessment(Task task, FeatureInputs inputs, double[] values,
      Map<String, Double> features, ServedModel champion, double probability, int score,
      ServedModel.Scored scored, List<ModelResult> others, List<EntityKey> entities,
      String standIn, ModelResult roll) {

    /** No score for {@code task}, for {@code cause} ({@code store}, {@code model}, ...). */
    public static Assessment standIn(Task task, FeatureInputs inputs, List<EntityKey> entities,
        String cause) {
      double[] values = new double[FeatureCatalogue.of(task).names().size()];
      java.util.Arrays.fill(values, Double.NaN);
      return new Assessment(task, inputs, values, Map.of(), null, 0, 0, null, List.of(),
          entities, cause, null);
    }

    /** This assessment with the roll model's result beside it. */
    public Assessment withRoll(ModelResult result) {
      return new Assessment(task, inputs, values, features, champion, probability, score, scored,
          others, entities, standIn, result);
    }

    /**
     * This assessment with {@code rollModel}'s result beside it when it is the cure model's (the
     * one rule for which assessments carry a roll: serving, backtests and the collections
     * simulation all take it from here); itself otherwise.
     *
     * @param rollModel the roll model; null when none serves
     */
    public Assessment withRollOf(ServedModel rollModel) {
      return task == Task.CURE ? withRoll(Assessor.roll(rollModel, values)) : this;
    }

    /**
     * The probability that the past-due account rolls to a later bucket within 30 days, as the
     * policy reads it ({@code roll_probability}): NaN without a roll result or when the roll model
     * failed, so that every comparison with it is false.
     */
    public double rollProbability() {
      return roll == null || !roll.getError().isEmpty() ? Double.NaN : roll.getProbability();
    }
  }

  private final HotProfiles profiles;
  private final ServingModels models;
  private final ReasonCatalogue reasons;
  private final DriftMonitor drift;

  /** @param drift where each champion score's features and score are recorded */
  public Assessor(HotProfiles profiles, ServingModels models, ReasonCatalogue reasons,
      DriftMonitor drift) {
    this.profiles = profiles;
    this.models = models;
    this.reasons = reasons;
    this.drift = drift;
  }

  /** The reasons of every feature, which the pipeline chooses from once the policy decided. */
  public ReasonCatalogue catalogue() {
    return reasons;
  }

  /**
   * Reads the profiles behind {@code keys} (the merchant's usually decoded already, the rest in
   * one batched read) and assembles the inputs as of {@code asOfMillis}.
   */
  public FeatureInputs inputs(long asOfMillis, Event current, FeatureInputs.Keys keys) {
    List<EntityKey> wanted = keys.list();
    List<Profile> read = profiles.read(wanted);
    var byKey = new HashMap<EntityKey, Profile>(wanted.size() * 2);
    for (int i = 0; i < wanted.size(); i++) {
      if (read.get(i) != null) {
        byKey.put(wanted.get(i), read.get(i));
      }
    }
    return FeatureInputs.assemble(asOfMillis, current, keys, byKey::get);
  }

  /**
   * Scores {@code inputs} for {@code task}.
   *
   * @param requestHash a stable hash of the request, which decides whether the challenger (on a
   *     share of traffic) is scored
   */
  public Assessment assess(Task task, FeatureInputs inputs, List<EntityKey> entities,
      long requestHash) {
    ServingModels.Lineup lineup = models.lineup(task);
    ServedModel champion = lineup.champion();
    if (champion == null) {
      throw Status.FAILED_PRECONDITION.withDescription("no " + task.id() + " model is serving:"
          + " publish and activate one (./vigil models train --task " + task.id()
          + " --publish --activate)").asRuntimeException();
    }
    FeatureSet set = FeatureCatalogue.of(task);
    double[] values = set.vector(inputs);
    var others = new ArrayList<ModelResult>(2);
    if (lineup.challenger() != null
        && Math.floorMod(requestHash, 10_000) < lineup.challengerShare() * 10_000) {
      others.add(other("challenger", lineup.challenger(), values));
    }
    if (lineup.shadow() != null) {
      others.add(other("shadow", lineup.shadow(), values));
    }
    Assessment a = judge(reasons, task, inputs, values, champion, others, entities);
    drift.observe(task, champion, set.names(), values, a.probability());
    if (task == Task.CURE) { // no roll lookup on the other tasks' calls
      // the roll model beside the cure model, on the same features (the same definitions)
      ServedModel roll = models.lineup(Task.ROLL).champion();
      a = a.withRollOf(roll);
      if (a.roll().getError().isEmpty()) {
        drift.observe(Task.ROLL, roll, set.names(), values, a.roll().getProbability());
      }
    }
    return a;
  }

  /**
   * The roll model's result on a cure assessment's feature {@code values} (the roll set is the
   * cure set, the same definitions and order): its probability, or why there is none (no roll
   * model serving, or it failed). Never thrown: the cure model's answer stands without it, and
   * the policy's {@code roll_probability} is then NaN. Serving, replay and backtests score the
   * roll here.
   *
   * @param model the roll model; null when none serves
   */
  public static ModelResult roll(ServedModel model, double[] values) {
    if (model == null) {
      return ModelResult.newBuilder().setRole("roll").setError("no roll model serving").build();
    }
    return other("roll", model, values);
  }

  /**
   * The champion's assessment of {@code task}'s feature {@code values} (in its feature set's
   * order): probability, score and principal reasons. Serving ({@link #assess}) and replay
   * ({@code DecisionReplay}, from an audit record's values) both assess here.
   *
   * @param inputs what the values were computed from; null in a replay
   */
  public static Assessment judge(ReasonCatalogue reasons, Task task, FeatureInputs inputs,
      double[] values, ServedModel champion, List<ModelResult> others,
      List<EntityKey> entities) {
    FeatureSet set = FeatureCatalogue.of(task);
    ServedModel.Scored scored = champion.score(values);
    var features = new HashMap<String, Double>(values.length * 2);
    for (int i = 0; i < values.length; i++) {
      features.put(set.names().get(i), values[i]);
    }
    return new Assessment(task, inputs, values, features, champion, scored.probability(),
        ScoreScale.of(scored.probability()), scored, others, entities, null, null);
  }

  /**
   * A challenger's or shadow's result; its failure is recorded in the result (and counted by the
   * caller), never thrown: it must not touch the champion's answer.
   */
  private static ModelResult other(String role, ServedModel model, double[] values) {
    var result = ModelResult.newBuilder().setRole(role).setModelVersion(model.version());
    try {
      double p = model.probability(values);
      return result.setProbability(p).setScore(ScoreScale.of(p)).build();
    } catch (RuntimeException e) {
      // the exception's class alone: a message may quote the example, feature values and all
      return result.setError(e.getClass().getName()).build();
    }
  }
}
