package dev.vigil.scoring.replay;

import dev.vigil.features.profile.FeatureCatalogue;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.proto.v1.AuditRecord;
import dev.vigil.proto.v1.ModelResult;
import dev.vigil.proto.v1.Reason;
import dev.vigil.proto.v1.StrategyArm;
import dev.vigil.registry.ModelRegistry;
import dev.vigil.scoring.collections.StrategyArms;
import dev.vigil.scoring.model.ServedModel;
import dev.vigil.scoring.policy.Policy;
import dev.vigil.scoring.policy.PolicyVersions;
import dev.vigil.scoring.policy.RequestFacts;
import dev.vigil.scoring.reason.ReasonCatalogue;
import dev.vigil.scoring.score.Assessor;
import dev.vigil.scoring.score.Assessor.Assessment;
import dev.vigil.scoring.score.Pipeline;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Recomputes a decision from its audit record: the recorded feature values scored by the model
 * version the record names (read from the model registry), decided by the policy version it
 * names (read from the service's kept versions, {@link PolicyVersions}), through the serving code
 * itself ({@link Assessor#judge}, {@link Pipeline#outcome}, {@link Pipeline#reasons}). The
 * result is the same probability, score, decision, rule and reasons, or each field that differs
 * with its recorded and recomputed value, or why the decision cannot be recomputed (its model or
 * policy version no longer available, a feature value missing).
 */
public final class DecisionReplay {
  /** A field whose recomputed value is not the recorded one. */
  public record Difference(String field, String recorded, String recomputed) {
    @Override
    public String toString() {
      return field + ": recorded " + recorded + ", recomputed " + recomputed;
    }
  }

  /** What replaying one record found. */
  public sealed interface Result {
    String auditId();
  }

  /** Recomputed exactly as recorded. */
  public record Identical(String auditId) implements Result {}

  /** Recomputed, and these fields differ. */
  public record Differs(String auditId, List<Difference> differences) implements Result {}

  /**
   * Not recomputed, for {@code cause}.
   *
   * @param kind the cause in a few words, the same for every record it stops: "policy not
   *     recorded", "policy not kept", "policy invalid", "model not available", "record
   *     incomplete"
   */
  public record NotReplayable(String auditId, String kind, String cause) implements Result {}

  private final Path registryDir;
  private final ModelRegistry registry;
  private final PolicyVersions policies;
  private final ReasonCatalogue reasons;
  private final Map<String, ServedModel> models = new HashMap<>();
  private final Map<String, Policy> parsed = new HashMap<>();

  /**
   * @param registryDir the model registry the service served from
   * @param policies the policy versions the service kept ({@code <state-dir>/policies})
   */
  public DecisionReplay(Path registryDir, PolicyVersions policies, ReasonCatalogue reasons) {
    this.registryDir = registryDir;
    this.registry = new ModelRegistry(registryDir);
    this.policies = policies;
    this.reasons = reasons;
  }

  /**
   * True when {@code record} is a decision's (not a ModelAdmin or PolicyAdmin change's, nor a
   * list change's).
   */
  public static boolean isDecision(AuditRecord record) {
    return !record.hasModelChange() && !record.hasPolicyChange() && !record.hasListChange()
        && record.hasScore();
  }

  /** Recomputes the decision {@code record} holds (a decision's: {@link #isDecision}). */
  public Result replay(AuditRecord record) {
    String id = record.getAuditId();
    Task task;
    try {
      task = Task.of(record.getTask());
    } catch (IllegalArgumentException e) {
      return new NotReplayable(id, "record incomplete", "task: " + record.getTask() + " is not a task");
    }
    if (!record.hasPolicy()) {
      return new NotReplayable(id, "policy not recorded", "policy: not recorded (a record made before policy versions"
          + " were kept)");
    }
    Policy policy;
    try {
      Optional<Policy> found = policy(record);
      if (found.isEmpty()) {
        return new NotReplayable(id, "policy not kept", missingPolicy(record));
      }
      policy = found.get();
    } catch (Policy.InvalidPolicyException e) {
      return new NotReplayable(id, "policy invalid", "policy version " + record.getPolicy().getVersion()
          + " no longer validates: " + e.getMessage());
    }
    RequestFacts facts;
    try {
      facts = RequestFacts.of(record.getRequestFacts());
    } catch (IllegalArgumentException e) {
      return new NotReplayable(id, "record incomplete", e.getMessage());
    }
    Assessment a;
    if (record.getScore().getStandIn()) {
      String rule = record.getPolicyRule();
      String cause = rule.startsWith("stand_in: ") ? rule.substring("stand_in: ".length()) : rule;
      a = Assessment.standIn(task, null, List.of(), cause);
    } else {
      String version = record.getScore().getModelVersion();
      ServedModel model;
      try {
        model = model(task, version);
      } catch (IOException | RuntimeException e) {
        return new NotReplayable(id, "model not available", "model " + task.id() + " " + version + " is not available"
            + " in the registry " + registryDir + ": " + e.getMessage());
      }
      List<String> names = FeatureCatalogue.of(task).names();
      double[] values = new double[names.size()];
      for (int i = 0; i < values.length; i++) {
        Double value = record.getFeaturesMap().get(names.get(i));
        if (value == null) {
          return new NotReplayable(id, "record incomplete", "features: " + names.get(i) + " is not recorded");
        }
        values[i] = value;
      }
      a = Assessor.judge(reasons, task, null, values, model, List.of(), List.of());
      if (record.hasRoll()) {
        // the roll model the policy read beside the cure model: scored again by its version, or
        // its recorded error (the policy saw NaN then)
        ModelResult roll = record.getRoll();
        if (roll.getError().isEmpty()) {
          try {
            roll = Assessor.roll(model(Task.ROLL, roll.getModelVersion()), values);
          } catch (IOException | RuntimeException e) {
            return new NotReplayable(id, "model not available", "model roll "
                + roll.getModelVersion() + " is not available in the registry " + registryDir
                + ": " + e.getMessage());
          }
        }
        a = a.withRoll(roll);
      }
    }
    Policy.Rules<?> rules;
    try {
      rules = rules(policy, task, record);
    } catch (IllegalArgumentException e) {
      return new NotReplayable(id, "record incomplete", e.getMessage());
    }
    Policy.Outcome<?> outcome = Pipeline.outcome(rules, a, facts, rule -> { });
    var differences = new ArrayList<Difference>();
    var score = record.getScore();
    if (Double.doubleToLongBits(score.getProbability())
        != Double.doubleToLongBits(a.probability())) {
      differences.add(new Difference("probability", Double.toString(score.getProbability()),
          Double.toString(a.probability())));
    }
    compare(differences, "score", score.getScore(), a.score());
    if (record.hasRoll() && record.getRoll().getError().isEmpty()
        && Double.doubleToLongBits(record.getRoll().getProbability())
            != Double.doubleToLongBits(a.roll().getProbability())) {
      differences.add(new Difference("roll.probability",
          Double.toString(record.getRoll().getProbability()),
          Double.toString(a.roll().getProbability())));
    }
    compare(differences, "decision", record.getDecision(), outcome.decision().name());
    compare(differences, "policy_rule", record.getPolicyRule(),
        outcome.rule() == null ? "" : outcome.rule());
    compare(differences, "policy_version", score.getPolicyVersion(), policy.version());
    if ((task == Task.DELINQUENCY || task == Task.CURE)
        && record.getCollections().getStrategy().getArm() != StrategyArm.STRATEGY_ARM_UNSPECIFIED) {
      var recorded = record.getCollections().getStrategy();
      var strategy = StrategyArms.of(policy, StrategyArms.Arm.of(recorded.getArm()));
      compare(differences, "strategy", recorded.getStrategy(), strategy.name());
      compare(differences, "strategy.experiment", recorded.getExperiment(),
          strategy.experiment());
    }
    List<Reason> recomputed = Pipeline.reasons(reasons, rules, outcome, a);
    for (int i = 0; i < Math.max(score.getReasonsCount(), recomputed.size()); i++) {
      Reason was = i < score.getReasonsCount() ? score.getReasons(i) : null;
      Reason now = i < recomputed.size() ? recomputed.get(i) : null;
      if (was == null || !was.equals(now)) {
        differences.add(new Difference("reasons[" + i + "]", describe(was), describe(now)));
      }
    }
    return differences.isEmpty() ? new Identical(id) : new Differs(id, differences);
  }

  private Optional<Policy> policy(AuditRecord record) {
    String sha = record.getPolicy().getSha256();
    if (parsed.containsKey(sha)) {
      return Optional.of(parsed.get(sha));
    }
    Optional<Policy> policy = policies.text(sha)
        .map(text -> Policy.parse(new String(text, StandardCharsets.UTF_8)));
    policy.ifPresent(p -> parsed.put(sha, p));
    return policy;
  }

  /** Why the record's policy version cannot be found. */
  private String missingPolicy(AuditRecord record) {
    long version = record.getPolicy().getVersion();
    String sha = record.getPolicy().getSha256();
    Optional<PolicyVersions.Kept> kept = policies.version(version);
    if (kept.isPresent() && !kept.get().sha256().equals(sha)) {
      return "policy version " + version + " is kept in " + policies.dir() + " with SHA-256 "
          + kept.get().sha256() + ", not the recorded " + sha + " (another service's versions,"
          + " or changed)";
    }
    return "policy version " + version + " (SHA-256 " + sha + ") is not kept in "
        + policies.dir() + (kept.isPresent() ? " (its text is missing or altered)" : "");
  }

  private ServedModel model(Task task, String version) throws IOException {
    String key = task.id() + "/" + version;
    ServedModel model = models.get(key);
    if (model == null) {
      model = new ServedModel(version, registry.load(task, version), FeatureCatalogue.of(task));
      models.put(key, model);
    }
    return model;
  }

  /**
   * The rules that decided: a delinquency decision's are its recorded strategy arm's (the
   * champion's for a record made before arms were recorded).
   *
   * @throws IllegalArgumentException naming the field, for an arm the policy does not have
   */
  private static Policy.Rules<?> rules(Policy policy, Task task, AuditRecord record) {
    return switch (task) {
      case FRAUD -> policy.transaction();
      case DEPOSIT -> policy.deposit();
      case DELINQUENCY, CURE, ROLL -> record.getCollections().getStrategy().getArm()
          == StrategyArm.STRATEGY_ARM_UNSPECIFIED ? policy.delinquency()
          : StrategyArms.of(policy, StrategyArms.Arm.of(
              record.getCollections().getStrategy().getArm())).rules();
    };
  }

  private static String describe(Reason r) {
    if (r == null) {
      return "none";
    }
    return r.getCode() + " (" + r.getFeature() + "=" + r.getValue() + ", contribution "
        + r.getContribution() + ", \"" + r.getText() + "\")";
  }

  private static void compare(List<Difference> differences, String field, Object recorded,
      Object recomputed) {
    if (!recorded.equals(recomputed)) {
      differences.add(new Difference(field, String.valueOf(recorded),
          String.valueOf(recomputed)));
    }
  }
}
