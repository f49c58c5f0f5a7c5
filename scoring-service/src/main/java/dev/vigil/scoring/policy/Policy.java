package dev.vigil.scoring.policy;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelValidationResult;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.navigation.CelNavigableAst;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import dev.vigil.features.profile.FeatureCatalogue;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The risk team's decision policy: for each task, rules in order, each a condition in Google's
 * Common Expression Language over the score and the features, and the outcome of the first rule
 * that holds; a default when none does. Written in YAML (see {@code config/policy.yaml}):
 *
 * <pre>
 * version: "2026-11-24.1"
 * deposit:
 *   default: ACCEPT
 *   rules:
 *     - name: duplicate-presentment
 *       when: features.check_seen_other_account == 1.0
 *       decision: REJECT
 *       reason: { code: DUPLICATE_PRESENTMENT, text: "Check already deposited on another account" }
 * </pre>
 *
 * A condition sees {@code score} (int, 0-999), {@code probability} (double), {@code features}
 * (map of the task's feature values, all doubles) and {@code request} (map of the request's text
 * fields: currency, channel, country, mcc, endorsement). {@link #parse} checks everything before a
 * policy serves: the YAML's shape, each decision, hold days and reason, each condition's syntax
 * and type (it must be a bool), and that each condition evaluates on a request where every feature
 * is present, so a misspelt feature name is caught at load, not at 3 a.m.
 *
 * <p>A rule can still fail at run time (an integer division by zero, say). The call then takes
 * the task's {@code on_error} outcome, never the rules after the failed one (which may be more
 * lenient: failing open): by default REVIEW for a transaction, a 5-day REASONABLE_CAUSE HOLD for a
 * deposit, HIGH_RISK (an agent's call) for delinquency. When the score cannot be computed at
 * all (the profiles cannot be read, the champion fails, the deadline is nearly spent), the call
 * takes the task's {@code stand_in} outcome, with the same defaults. Evaluation is bounded: a
 * comprehension ({@code exists}, {@code all}, {@code map}) stops after {@link #MAX_ITERATIONS}
 * iterations, and a condition is refused at load beyond {@link #MAX_CONDITION_CHARS} characters or {@link
 * #MAX_CONDITION_NODES} terms: with comprehensions bounded and no loops otherwise, the size of a
 * condition bounds its cost.
 */
public final class Policy {
  /** Decisions each task allows. */
  private static final Map<Task, Set<String>> DECISIONS = Map.of(
      Task.FRAUD, Set.of("APPROVE", "REVIEW", "DECLINE"),
      Task.DEPOSIT, Set.of("ACCEPT", "HOLD", "REJECT"),
      Task.DELINQUENCY, Set.of("CURRENT_LOW_RISK", "PRE_DELINQUENT", "SELF_CURE", "NEEDS_HELP",
          "HIGH_RISK", "BROKEN_COMMITMENTS"));
  /** Regulation CC's exception holds. */
  private static final Set<String> HOLD_REASONS = Set.of("NEW_ACCOUNT", "LARGE_DEPOSIT",
      "REPEATED_OVERDRAFTS", "REASONABLE_CAUSE");

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  private static final CelCompiler COMPILER = CelCompilerFactory.standardCelCompilerBuilder()
      .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
      .addVar("score", SimpleType.INT)
      .addVar("probability", SimpleType.DOUBLE)
      .addVar("features", MapType.create(SimpleType.STRING, SimpleType.DOUBLE))
      .addVar("request", MapType.create(SimpleType.STRING, SimpleType.STRING))
      .setResultType(SimpleType.BOOL)
      .build();
  /** The longest condition, in characters, and the most terms (syntax tree nodes) it may have. */
  public static final int MAX_CONDITION_CHARS = 2_000;
  public static final int MAX_CONDITION_NODES = 400;
  /** The most iterations a condition's comprehensions may take; more is an evaluation error. */
  public static final int MAX_ITERATIONS = 1_000;
  private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder()
      .setOptions(dev.cel.common.CelOptions.current()
          .comprehensionMaxIterations(MAX_ITERATIONS).build())
      .build();
  /** The reason an on-error outcome gives. */
  public static final RuleReason RULE_FAILED = new RuleReason("POLICY_RULE_FAILED",
      "Decided by the policy's safe outcome: one of its rules could not be evaluated");
  /** The reason a stand-in decision gives, first. */
  public static final RuleReason STAND_IN = new RuleReason("STAND_IN",
      "Decided by the policy's stand-in rule: the risk score could not be computed");
  /** Each task's on-error and stand-in outcome when the policy names none. */
  private static final Map<Task, SafeOutcome> DEFAULT_SAFE = Map.of(
      Task.FRAUD, new SafeOutcome("REVIEW", null, null),
      Task.DEPOSIT, new SafeOutcome("HOLD", 5, "REASONABLE_CAUSE"),
      Task.DELINQUENCY, new SafeOutcome("HIGH_RISK", null, null));

  /** A reason a rule adds ahead of the model's. */
  public record RuleReason(String code, String text) {}

  /** One rule as written. */
  public record RuleSpec(String name, String when, String decision,
      @JsonProperty("hold_days") Integer holdDays, @JsonProperty("hold_reason") String holdReason,
      RuleReason reason) {}

  /**
   * A task's safe outcome: what a call gets when one of the task's rules fails at run time
   * ({@code on_error}), or when its score cannot be computed ({@code stand_in}).
   */
  public record SafeOutcome(String decision, @JsonProperty("hold_days") Integer holdDays,
      @JsonProperty("hold_reason") String holdReason) {}

  /** A task's rules as written. */
  public record TaskSpec(@JsonProperty("default") String defaultDecision, List<RuleSpec> rules,
      @JsonProperty("on_error") SafeOutcome onError,
      @JsonProperty("stand_in") SafeOutcome standIn) {}

  /** The file as written. */
  public record Spec(String version, TaskSpec transaction, TaskSpec deposit,
      TaskSpec delinquency) {}

  /** What the policy decided, and which rule decided it (null: the default). */
  public record Outcome(String decision, String rule, int holdDays, String holdReason,
      RuleReason reason) {}

  /** A rule ready to evaluate. */
  private record Rule(RuleSpec spec, CelRuntime.Program program) {}

  private final String version;
  private final Map<Task, List<Rule>> rules;
  private final Map<Task, String> defaults;
  private final Map<Task, SafeOutcome> onErrors;
  private final Map<Task, SafeOutcome> standIns;

  private Policy(String version, Map<Task, List<Rule>> rules, Map<Task, String> defaults,
      Map<Task, SafeOutcome> onErrors, Map<Task, SafeOutcome> standIns) {
    this.onErrors = onErrors;
    this.standIns = standIns;
    this.version = version;
    this.rules = rules;
    this.defaults = defaults;
  }

  public String version() {
    return version;
  }

  /** Parses and validates a policy, or throws {@link InvalidPolicyException} naming the problem. */
  public static Policy parse(String yaml) {
    Spec spec;
    try {
      spec = YAML.readValue(yaml, Spec.class);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new InvalidPolicyException("policy is not valid YAML of the expected shape: "
          + e.getOriginalMessage() + (e.getLocation() == null ? ""
              : " (line " + e.getLocation().getLineNr() + ")"));
    }
    if (spec == null || spec.version() == null || spec.version().isBlank()) {
      throw new InvalidPolicyException("version: is required");
    }
    var rules = new HashMap<Task, List<Rule>>();
    var defaults = new HashMap<Task, String>();
    var onErrors = new HashMap<Task, SafeOutcome>();
    var standIns = new HashMap<Task, SafeOutcome>();
    compile(Task.FRAUD, "transaction", spec.transaction(), rules, defaults, onErrors, standIns);
    compile(Task.DEPOSIT, "deposit", spec.deposit(), rules, defaults, onErrors, standIns);
    compile(Task.DELINQUENCY, "delinquency", spec.delinquency(), rules, defaults, onErrors,
        standIns);
    return new Policy(spec.version(), rules, defaults, onErrors, standIns);
  }

  /**
   * Checks an outcome written at {@code at} (a rule's or an on_error's): a decision the task
   * allows, and hold days and a Regulation CC reason exactly when it is a deposit HOLD.
   */
  private static void checkOutcome(Task task, String at, String decision, Integer holdDays,
      String holdReason) {
    Set<String> allowed = DECISIONS.get(task);
    if (decision == null || !allowed.contains(decision)) {
      throw new InvalidPolicyException(at + ".decision: must be one of " + sorted(allowed));
    }
    boolean hold = task == Task.DEPOSIT && decision.equals("HOLD");
    if (hold && (holdDays == null || holdDays < 1 || holdDays > 30)) {
      throw new InvalidPolicyException(at + ".hold_days: a HOLD needs 1-30 business days");
    }
    if (hold && (holdReason == null || !HOLD_REASONS.contains(holdReason))) {
      throw new InvalidPolicyException(at + ".hold_reason: must be one of "
          + sorted(HOLD_REASONS));
    }
    if (!hold && (holdDays != null || holdReason != null)) {
      throw new InvalidPolicyException(at + ".hold_days: only a deposit HOLD has hold days");
    }
  }

  private static void compile(Task task, String section, TaskSpec spec,
      Map<Task, List<Rule>> rules, Map<Task, String> defaults, Map<Task, SafeOutcome> onErrors,
      Map<Task, SafeOutcome> standIns) {
    if (spec == null) {
      throw new InvalidPolicyException(section + ": is required");
    }
    Set<String> allowed = DECISIONS.get(task);
    if (spec.defaultDecision() == null || !allowed.contains(spec.defaultDecision())) {
      throw new InvalidPolicyException(section + ".default: must be one of " + sorted(allowed));
    }
    if (task == Task.DEPOSIT && spec.defaultDecision().equals("HOLD")) {
      throw new InvalidPolicyException(section + ".default: HOLD needs hold_days and a reason;"
          + " write it as a rule");
    }
    var compiled = new ArrayList<Rule>();
    var names = new java.util.HashSet<String>();
    List<RuleSpec> specs = spec.rules() == null ? List.of() : spec.rules();
    Map<String, Object> probe = probe(task);
    for (int i = 0; i < specs.size(); i++) {
      RuleSpec r = specs.get(i);
      String at = section + ".rules[" + i + "]";
      if (r == null) {
        throw new InvalidPolicyException(at + ": is empty (a '-' with no rule under it)");
      }
      if (r.name() == null || r.name().isBlank()) {
        throw new InvalidPolicyException(at + ".name: is required");
      }
      at = section + ".rules[" + r.name() + "]";
      if (!names.add(r.name())) {
        throw new InvalidPolicyException(at + ".name: is used twice");
      }
      checkOutcome(task, at, r.decision(), r.holdDays(), r.holdReason());
      if (r.reason() != null && (r.reason().code() == null || !r.reason().code()
          .matches("[A-Z][A-Z0-9_]{1,63}") || r.reason().text() == null
          || r.reason().text().isBlank())) {
        throw new InvalidPolicyException(at + ".reason: needs a code (UPPER_SNAKE_CASE) and text");
      }
      if (r.when() == null || r.when().isBlank()) {
        throw new InvalidPolicyException(at + ".when: is required");
      }
      if (r.when().length() > MAX_CONDITION_CHARS) {
        throw new InvalidPolicyException(at + ".when: is longer than " + MAX_CONDITION_CHARS
            + " characters; split it into rules");
      }
      CelValidationResult result = COMPILER.compile(r.when());
      if (result.hasError()) {
        throw new InvalidPolicyException(at + ".when: " + result.getErrorString());
      }
      CelRuntime.Program program;
      try {
        CelAbstractSyntaxTree ast = result.getAst();
        long nodes = CelNavigableAst.fromAst(ast).getRoot().allNodes().count();
        if (nodes > MAX_CONDITION_NODES) {
          throw new InvalidPolicyException(at + ".when: has " + nodes + " terms, more than "
              + MAX_CONDITION_NODES + "; split it into rules");
        }
        var unknown = unknownNames(ast, probe);
        if (unknown.isPresent()) {
          throw new InvalidPolicyException(at + ".when: reads " + unknown.get() + ", which does"
              + " not exist for " + section + " (./vigil catalogue lists the features)");
        }
        program = RUNTIME.createProgram(ast);
        program.eval(probe);
      } catch (InvalidPolicyException e) {
        throw e;
      } catch (CelEvaluationException e) {
        throw new InvalidPolicyException(at + ".when: cannot be evaluated on a request that has"
            + " every " + section + " feature: " + e.getMessage());
      } catch (Exception e) {
        throw new InvalidPolicyException(at + ".when: " + e.getMessage());
      }
      compiled.add(new Rule(r, program));
    }
    rules.put(task, List.copyOf(compiled));
    defaults.put(task, spec.defaultDecision());
    // the task's on-error outcome, the default one when the policy names none
    SafeOutcome onError = spec.onError() == null ? DEFAULT_SAFE.get(task) : spec.onError();
    checkOutcome(task, section + ".on_error", onError.decision(), onError.holdDays(),
        onError.holdReason());
    onErrors.put(task, onError);
    SafeOutcome standIn = spec.standIn() == null ? DEFAULT_SAFE.get(task) : spec.standIn();
    checkOutcome(task, section + ".stand_in", standIn.decision(), standIn.holdDays(),
        standIn.holdReason());
    standIns.put(task, standIn);
  }

  /**
   * The first {@code features.x} or {@code request.x} that names nothing, found in the syntax tree
   * (evaluation alone misses one behind a short-circuited {@code &&} or {@code ||}).
   */
  @SuppressWarnings("unchecked")
  private static java.util.Optional<String> unknownNames(CelAbstractSyntaxTree ast,
      Map<String, Object> probe) {
    return CelNavigableAst.fromAst(ast).getRoot().allNodes()
        .map(node -> node.expr())
        .filter(e -> e.getKind() == CelExpr.ExprKind.Kind.SELECT)
        .filter(e -> e.select().operand().getKind() == CelExpr.ExprKind.Kind.IDENT)
        .filter(e -> {
          Object known = probe.get(e.select().operand().ident().name());
          return known instanceof Map<?, ?> map && !map.containsKey(e.select().field());
        })
        .map(e -> e.select().operand().ident().name() + "." + e.select().field())
        .findFirst();
  }

  private static Map<String, Object> probe(Task task) {
    var features = new HashMap<String, Double>();
    for (String name : FeatureCatalogue.of(task).names()) {
      features.put(name, 0.0);
    }
    return Map.of("score", 0L, "probability", 0.0, "features", features,
        "request", Map.of("currency", "USD", "channel", "", "country", "", "mcc", "",
            "endorsement", ""));
  }

  /**
   * The outcome of the first rule that holds, or the default when none does. A rule that fails at
   * run time stops the evaluation: the call takes the task's on-error outcome (its rule is the
   * failed rule's name, its reason {@link #RULE_FAILED}), and the caller counts it through
   * {@code failed}.
   */
  public Outcome decide(Task task, int score, double probability, Map<String, Double> features,
      Map<String, String> request, java.util.function.Consumer<String> failed) {
    Map<String, Object> vars = Map.of("score", (long) score, "probability", probability,
        "features", features, "request", request);
    for (Rule rule : rules.get(task)) {
      try {
        if (Boolean.TRUE.equals(rule.program().eval(vars))) {
          RuleSpec s = rule.spec();
          return new Outcome(s.decision(), s.name(), s.holdDays() == null ? 0 : s.holdDays(),
              s.holdReason(), s.reason());
        }
      } catch (CelEvaluationException | RuntimeException e) {
        failed.accept(rule.spec().name());
        SafeOutcome safe = onErrors.get(task);
        return new Outcome(safe.decision(), rule.spec().name() + ": failed, on_error",
            safe.holdDays() == null ? 0 : safe.holdDays(), safe.holdReason(), RULE_FAILED);
      }
    }
    return new Outcome(defaults.get(task), null, 0, null, null);
  }

  /**
   * The task's stand-in outcome, for a call whose score cannot be computed: its rule is {@code
   * "stand_in: " + cause}, its reason {@link #STAND_IN}.
   *
   * @param cause why no score: {@code store}, {@code model} or {@code deadline}
   */
  public Outcome standIn(Task task, String cause) {
    SafeOutcome s = standIns.get(task);
    return new Outcome(s.decision(), "stand_in: " + cause,
        s.holdDays() == null ? 0 : s.holdDays(), s.holdReason(), STAND_IN);
  }

  private static List<String> sorted(Set<String> values) {
    return values.stream().sorted().toList();
  }

  /** A policy that cannot serve, with what is wrong and where. */
  public static final class InvalidPolicyException extends IllegalArgumentException {
    public InvalidPolicyException(String message) {
      super(message);
    }
  }
}
