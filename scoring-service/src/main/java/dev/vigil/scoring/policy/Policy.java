package dev.vigil.scoring.policy;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
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
import dev.vigil.scoring.collections.TreatmentAction;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

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
 * fields: currency, channel, country, mcc, endorsement; see {@link RequestFacts}), {@code
 * lists} (the allow and block lists the call's entities are on at its time: {@code lists.block}
 * and {@code lists.allow}, bools, and {@code lists.names}, the lists' names, so that {@code
 * "fraud-ring" in lists.names}; see {@link ListMemberships}); a delinquency condition also sees
 * {@code cure_probability} (double): for an account past due ({@code features.past_due == 1.0},
 * answered by the cure model) the probability that it is back to current within 30 days, higher
 * is better ({@code 1 - probability}); NaN for a current account (answered by the early-warning
 * model) and every other task, so that any comparison with it is false; and {@code
 * roll_probability} (double): for an account past due, the roll model's probability that it is
 * reported in a later 30-day bucket of days past due within 30 days (higher is worse); NaN
 * otherwise, and when no roll model could answer. Decisions are
 * typed per task ({@link TransactionAction}, {@link DepositAction}, {@link Segment}): a task's
 * rules ({@link #transaction()}, {@link #deposit()}, {@link #delinquency()}) decide only its own.
 * {@link #parse} checks everything before a policy serves: the YAML's shape, each decision, hold
 * days and reason, each condition's syntax and type (it must be a bool), and that each condition
 * evaluates on a request where every feature is present, so a misspelt feature name is caught at
 * load, not at 3 a.m.
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
  /** Regulation CC's exception holds. */
  private static final Set<String> HOLD_REASONS = Set.of("NEW_ACCOUNT", "LARGE_DEPOSIT",
      "REPEATED_OVERDRAFTS", "REASONABLE_CAUSE");

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  /** The longest condition, in characters, and the most terms (syntax tree nodes) it may have. */
  public static final int MAX_CONDITION_CHARS = 2_000;
  public static final int MAX_CONDITION_NODES = 400;
  /** The most iterations a condition's comprehensions may take; more is an evaluation error. */
  public static final int MAX_ITERATIONS = 1_000;
  /**
   * Every feature is a double, and amounts are minor units: {@code features.txn_amount > 50000}
   * (USD 500) must compare as written, so a double may be compared with an integer.
   */
  private static final CelOptions OPTIONS = CelOptions.current()
      .enableHeterogeneousNumericComparisons(true).comprehensionMaxIterations(MAX_ITERATIONS).build();
  private static final CelCompiler COMPILER = CelCompilerFactory.standardCelCompilerBuilder()
      .setOptions(OPTIONS)
      .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
      .addVar("score", SimpleType.INT)
      .addVar("probability", SimpleType.DOUBLE)
      .addVar("cure_probability", SimpleType.DOUBLE)
      .addVar("roll_probability", SimpleType.DOUBLE)
      .addVar("features", MapType.create(SimpleType.STRING, SimpleType.DOUBLE))
      .addVar("request", MapType.create(SimpleType.STRING, SimpleType.STRING))
      .addVar("lists", MapType.create(SimpleType.STRING, SimpleType.DYN))
      .setResultType(SimpleType.BOOL)
      .build();
  private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder()
      .setOptions(OPTIONS)
      .build();
  /** The feature that says the cure model answered a delinquency call. */
  private static final FeatureCatalogue.Handle PAST_DUE =
      FeatureCatalogue.DELINQUENCY.handle("past_due");
  /** The reason an on-error outcome gives. */
  public static final RuleReason RULE_FAILED = new RuleReason("POLICY_RULE_FAILED",
      "Decided by the policy's safe outcome: one of its rules could not be evaluated");
  /** The reason a stand-in decision gives, first. */
  public static final RuleReason STAND_IN = new RuleReason("STAND_IN",
      "Decided by the policy's stand-in rule: the risk score could not be computed");
  /** The request facts every condition is checked against at load. */
  private static final RequestFacts PROBE_FACTS = new RequestFacts("USD", null, "", "", null);

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

  /** When a task's decisions carry the model's reasons, as written ({@link ReasonRule}). */
  public record ReasonsSpec(@JsonProperty("given_on") List<String> givenOn,
      @JsonProperty("beyond_quantile") Double beyondQuantile) {}

  /** A task's rules as written. */
  public record TaskSpec(@JsonProperty("default") String defaultDecision, List<RuleSpec> rules,
      @JsonProperty("on_error") SafeOutcome onError,
      @JsonProperty("stand_in") SafeOutcome standIn, ReasonsSpec reasons) {}

  /**
   * A challenger to the delinquency rules as written: its own rules (the shape of a task's) and
   * treatments (a segment's action instead of the planner's), tried on {@code share} of accounts.
   */
  public record ChallengerSpec(String name, String experiment, Double share,
      @JsonProperty("default") String defaultDecision, List<RuleSpec> rules,
      @JsonProperty("on_error") SafeOutcome onError,
      @JsonProperty("stand_in") SafeOutcome standIn, ReasonsSpec reasons,
      Map<String, String> treatments) {}

  /** The file as written. */
  public record Spec(String version, TaskSpec transaction, TaskSpec deposit,
      TaskSpec delinquency,
      @JsonProperty("delinquency_challenger") ChallengerSpec delinquencyChallenger) {}

  /**
   * The delinquency challenger, ready: {@code share} of accounts (0-0.5), chosen by a hash of the
   * account id salted with {@code experiment} ({@code StrategyArms}), are decided by {@code rules}
   * and given {@code treatments}' action for a segment named there.
   */
  public record Challenger(String name, String experiment, double share, Rules<Segment> rules,
      Map<Segment, TreatmentAction> treatments) {}

  /**
   * What the policy decided, and which rule decided it (null: the default); hold days and a hold
   * reason only for a decision that {@linkplain Decision#holds() holds} funds (0 and null
   * otherwise).
   */
  public record Outcome<D extends Decision>(D decision, String rule, int holdDays,
      String holdReason, RuleReason reason) {}

  /** A decision with its hold, as checked at load. */
  private record Decided<D extends Decision>(D decision, int holdDays, String holdReason) {
    Outcome<D> by(String rule, RuleReason reason) {
      return new Outcome<>(decision, rule, holdDays, holdReason, reason);
    }
  }

  /** A rule ready to evaluate. */
  private record Rule<D extends Decision>(String name, Decided<D> outcome, RuleReason reason,
      CelRuntime.Program program) {}

  /** One task's rules, ready to decide the task's own decisions {@code D}. */
  public static final class Rules<D extends Enum<D> & Decision> {
    private final Task task;
    private final List<Rule<D>> rules;
    private final D defaultDecision;
    private final Decided<D> onError;
    private final Decided<D> standIn;
    private final ReasonRule reasons;

    private Rules(Task task, List<Rule<D>> rules, D defaultDecision, Decided<D> onError,
        Decided<D> standIn, ReasonRule reasons) {
      this.task = task;
      this.rules = rules;
      this.defaultDecision = defaultDecision;
      this.onError = onError;
      this.standIn = standIn;
      this.reasons = reasons;
    }

    public Task task() {
      return task;
    }

    /** Which of the task's decisions carry the model's reasons, and how unusual a value must be. */
    public ReasonRule reasons() {
      return reasons;
    }

    /**
     * The outcome of the first rule that holds, or the default when none does. A rule that fails
     * at run time stops the evaluation: the call takes the task's on-error outcome (its rule is
     * the failed rule's name, its reason {@link #RULE_FAILED}), and the caller counts it through
     * {@code failed}.
     */
    public Outcome<D> decide(int score, double probability, Map<String, Double> features,
        RequestFacts facts, Consumer<String> failed) {
      return decide(score, probability, Double.NaN, features, facts, failed);
    }

    /** As above, with the roll model's probability ({@code roll_probability}; NaN for none). */
    public Outcome<D> decide(int score, double probability, double roll,
        Map<String, Double> features, RequestFacts facts, Consumer<String> failed) {
      Map<String, Object> input = input(score, probability, roll, features, facts);
      for (Rule<D> rule : rules) {
        try {
          if (Boolean.TRUE.equals(rule.program().eval(input))) {
            return rule.outcome().by(rule.name(), rule.reason());
          }
        } catch (CelEvaluationException | RuntimeException e) {
          failed.accept(rule.name());
          return onError.by(rule.name() + ": failed, on_error", RULE_FAILED);
        }
      }
      return new Outcome<>(defaultDecision, null, 0, null, null);
    }

    /**
     * The name of every rule that holds on these inputs, in the policy's order, not only the
     * first ({@link #decide}'s); a rule that fails does not hold. Backtests count hits per rule
     * (alone, first) from it.
     */
    public List<String> holding(int score, double probability, Map<String, Double> features,
        RequestFacts facts) {
      return holding(score, probability, Double.NaN, features, facts);
    }

    /** As above, with the roll model's probability ({@code roll_probability}; NaN for none). */
    public List<String> holding(int score, double probability, double roll,
        Map<String, Double> features, RequestFacts facts) {
      Map<String, Object> input = input(score, probability, roll, features, facts);
      var names = new ArrayList<String>(2);
      for (Rule<D> rule : rules) {
        try {
          if (Boolean.TRUE.equals(rule.program().eval(input))) {
            names.add(rule.name());
          }
        } catch (CelEvaluationException | RuntimeException e) {
          // a failing rule holds not; decide() names it
        }
      }
      return names;
    }

    /**
     * The task's stand-in outcome, for a call whose score cannot be computed: its rule is {@code
     * "stand_in: " + cause}, its reason {@link #STAND_IN}.
     *
     * @param cause why no score: {@code store}, {@code model} or {@code deadline}
     */
    public Outcome<D> standIn(String cause) {
      return standIn.by("stand_in: " + cause, STAND_IN);
    }
  }

  private final String version;
  private final Rules<TransactionAction> transaction;
  private final Rules<DepositAction> deposit;
  private final Rules<Segment> delinquency;
  private final Challenger delinquencyChallenger;

  private Policy(String version, Rules<TransactionAction> transaction, Rules<DepositAction> deposit,
      Rules<Segment> delinquency, Challenger delinquencyChallenger) {
    this.version = version;
    this.transaction = transaction;
    this.deposit = deposit;
    this.delinquency = delinquency;
    this.delinquencyChallenger = delinquencyChallenger;
  }

  public String version() {
    return version;
  }

  /** The transaction rules (the fraud task's). */
  public Rules<TransactionAction> transaction() {
    return transaction;
  }

  /** The check deposit rules. */
  public Rules<DepositAction> deposit() {
    return deposit;
  }

  /** The delinquency rules, which decide a segment. */
  public Rules<Segment> delinquency() {
    return delinquency;
  }

  /** The challenger to the delinquency rules, when the policy has one. */
  public Optional<Challenger> delinquencyChallenger() {
    return Optional.ofNullable(delinquencyChallenger);
  }

  /** Parses and validates a policy, or throws {@link InvalidPolicyException} naming the problem. */
  public static Policy parse(String yaml) {
    Spec spec;
    try {
      spec = YAML.readValue(yaml, Spec.class);
    } catch (JsonProcessingException e) {
      throw new InvalidPolicyException("policy is not valid YAML of the expected shape: "
          + e.getOriginalMessage() + (e.getLocation() == null ? ""
              : " (line " + e.getLocation().getLineNr() + ")"));
    }
    if (spec == null || spec.version() == null || spec.version().isBlank()) {
      throw new InvalidPolicyException("version: is required");
    }
    // each task's on-error and stand-in outcome when the policy names none
    Rules<Segment> delinquency = compile(Task.DELINQUENCY, "delinquency", spec.delinquency(),
        Segment.class, new SafeOutcome("HIGH_RISK", null, null));
    return new Policy(spec.version(),
        compile(Task.FRAUD, "transaction", spec.transaction(), TransactionAction.class,
            new SafeOutcome("REVIEW", null, null)),
        compile(Task.DEPOSIT, "deposit", spec.deposit(), DepositAction.class,
            new SafeOutcome("HOLD", 5, "REASONABLE_CAUSE")),
        delinquency, challenger(spec.delinquencyChallenger(), delinquency));
  }

  /** The champion strategy's name in assignments: the delinquency rules themselves. */
  public static final String CHAMPION_STRATEGY = "champion";

  /** The largest share a challenger may take: it is the smaller arm. */
  public static final double MAX_CHALLENGER_SHARE = 0.5;

  /**
   * The delinquency challenger as written, checked, or null when none is written; one that
   * writes neither {@code default} nor {@code rules} segments with the {@code champion}'s rules
   * and differs in its treatments only.
   */
  private static Challenger challenger(ChallengerSpec c, Rules<Segment> champion) {
    if (c == null) {
      return null;
    }
    String at = "delinquency_challenger";
    if (c.name() == null || !c.name().matches("[a-z0-9][a-z0-9-]{0,62}")
        || c.name().equals(CHAMPION_STRATEGY)) {
      throw new InvalidPolicyException(at + ".name: is required: lower case, digits and '-'"
          + " (1-63), not \"" + CHAMPION_STRATEGY + "\"" + (c.name() == null ? ""
              : ", not " + c.name()));
    }
    if (c.experiment() == null || !c.experiment().matches("[A-Za-z0-9][A-Za-z0-9._-]{0,62}")) {
      throw new InvalidPolicyException(at + ".experiment: is required (letters, digits, '.',"
          + " '_', '-'; 1-63): it salts the accounts' assignment" + (c.experiment() == null ? ""
              : ", not " + c.experiment()));
    }
    double share = c.share() == null ? 0.10 : c.share();
    if (!(share > 0 && share <= MAX_CHALLENGER_SHARE)) {
      throw new InvalidPolicyException(at + ".share: must be above 0 and at most "
          + MAX_CHALLENGER_SHARE + ", not " + share);
    }
    boolean ownRules = c.defaultDecision() != null || c.rules() != null || c.onError() != null
        || c.standIn() != null || c.reasons() != null;
    Rules<Segment> rules = !ownRules ? champion : compile(Task.DELINQUENCY, at,
        new TaskSpec(c.defaultDecision(), c.rules(), c.onError(), c.standIn(), c.reasons()),
        Segment.class, new SafeOutcome("HIGH_RISK", null, null));
    var treatments = new EnumMap<Segment, TreatmentAction>(Segment.class);
    if (c.treatments() != null) {
      for (Map.Entry<String, String> t : c.treatments().entrySet()) {
        Segment segment = decision(Segment.class, at + ".treatments", t.getKey());
        try {
          treatments.put(segment, TreatmentAction.valueOf(t.getValue()));
        } catch (IllegalArgumentException | NullPointerException e) {
          throw new InvalidPolicyException(at + ".treatments." + t.getKey() + ": must be one of "
              + EnumSet.allOf(TreatmentAction.class).stream().map(Enum::name).sorted().toList()
              + ", not " + t.getValue());
        }
      }
    }
    return new Challenger(c.name(), c.experiment(), share, rules,
        Collections.unmodifiableMap(treatments));
  }

  /**
   * The decision written at {@code at} (a {@code ...decision} or {@code ...default}), parsed by its
   * enum; refused naming the field, the decisions the task allows and the value written.
   */
  private static <D extends Enum<D> & Decision> D decision(Class<D> type, String at,
      String written) {
    if (written != null) {
      try {
        return Enum.valueOf(type, written);
      } catch (IllegalArgumentException e) {
        // refused below, naming the value
      }
    }
    throw new InvalidPolicyException(at + ": must be one of " + EnumSet.allOf(type).stream()
        .map(Enum::name).sorted().toList() + (written == null ? "" : ", not " + written));
  }

  /**
   * Checks an outcome written at {@code at} (a rule's or an on_error's): a decision the task
   * allows, and hold days and a Regulation CC reason exactly when it holds funds.
   */
  private static <D extends Enum<D> & Decision> Decided<D> outcome(Class<D> type, String at,
      String written, Integer holdDays, String holdReason) {
    D decision = decision(type, at + ".decision", written);
    boolean hold = decision.holds();
    if (hold && (holdDays == null || holdDays < 1 || holdDays > 30)) {
      throw new InvalidPolicyException(at + ".hold_days: a HOLD needs 1-30 business days");
    }
    if (hold && (holdReason == null || !HOLD_REASONS.contains(holdReason))) {
      throw new InvalidPolicyException(at + ".hold_reason: must be one of "
          + HOLD_REASONS.stream().sorted().toList());
    }
    if (!hold && (holdDays != null || holdReason != null)) {
      throw new InvalidPolicyException(at + ".hold_days: only a deposit HOLD has hold days");
    }
    return new Decided<>(decision, hold ? holdDays : 0, holdReason);
  }

  private static <D extends Enum<D> & Decision> Rules<D> compile(Task task, String section,
      TaskSpec spec, Class<D> type, SafeOutcome defaultSafe) {
    if (spec == null) {
      throw new InvalidPolicyException(section + ": is required");
    }
    D defaultDecision = decision(type, section + ".default", spec.defaultDecision());
    if (defaultDecision.holds()) {
      throw new InvalidPolicyException(section + ".default: " + defaultDecision.name()
          + " needs hold_days and a reason; write it as a rule");
    }
    var compiled = new ArrayList<Rule<D>>();
    var names = new HashSet<String>();
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
      Decided<D> outcome = outcome(type, at, r.decision(), r.holdDays(), r.holdReason());
      if (r.reason() != null && (r.reason().code() == null || !r.reason().code()
          .matches("[A-Z][A-Z0-9_]{1,63}") || r.reason().text() == null
          || r.reason().text().isBlank())) {
        throw new InvalidPolicyException(at + ".reason: needs a code (UPPER_SNAKE_CASE) and text");
      }
      compiled.add(new Rule<>(r.name(), outcome, r.reason(),
          program(at, section, r.when(), probe)));
    }
    SafeOutcome onError = spec.onError() == null ? defaultSafe : spec.onError();
    SafeOutcome standIn = spec.standIn() == null ? defaultSafe : spec.standIn();
    return new Rules<>(task, List.copyOf(compiled), defaultDecision,
        outcome(type, section + ".on_error", onError.decision(), onError.holdDays(),
            onError.holdReason()),
        outcome(type, section + ".stand_in", standIn.decision(), standIn.holdDays(),
            standIn.holdReason()),
        reasons(type, section + ".reasons", spec.reasons()));
  }

  /**
   * A task's reason rule as written at {@code at}, or the default: the model's reasons on every
   * decision but the clear one, beyond {@link ReasonRule#DEFAULT_QUANTILE}.
   */
  private static <D extends Enum<D> & Decision> ReasonRule reasons(Class<D> type, String at,
      ReasonsSpec spec) {
    var givenOn = new HashSet<String>();
    if (spec == null || spec.givenOn() == null) {
      for (D d : EnumSet.allOf(type)) {
        if (!d.favourable()) {
          givenOn.add(d.name());
        }
      }
    } else {
      for (int i = 0; i < spec.givenOn().size(); i++) {
        givenOn.add(decision(type, at + ".given_on[" + i + "]", spec.givenOn().get(i)).name());
      }
    }
    double quantile = spec == null || spec.beyondQuantile() == null
        ? ReasonRule.DEFAULT_QUANTILE : spec.beyondQuantile();
    if (!(quantile >= ReasonRule.LEAST_QUANTILE && quantile <= ReasonRule.MOST_QUANTILE)) {
      throw new InvalidPolicyException(at + ".beyond_quantile: must be within "
          + ReasonRule.LEAST_QUANTILE + "-" + ReasonRule.MOST_QUANTILE + ", not " + quantile);
    }
    return new ReasonRule(givenOn, quantile);
  }

  /** A rule's condition, checked and compiled, or refused naming {@code at}. */
  private static CelRuntime.Program program(String at, String section, String when,
      Map<String, Object> probe) {
    if (when == null || when.isBlank()) {
      throw new InvalidPolicyException(at + ".when: is required");
    }
    if (when.length() > MAX_CONDITION_CHARS) {
      throw new InvalidPolicyException(at + ".when: is longer than " + MAX_CONDITION_CHARS
          + " characters; split it into rules");
    }
    CelValidationResult result = COMPILER.compile(when);
    if (result.hasError()) {
      throw new InvalidPolicyException(at + ".when: " + result.getErrorString());
    }
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
            + " not exist for " + section + (unknown.get().startsWith("lists.")
                ? " (lists has block, allow and names)"
                : " (./vigil catalogue lists the features)"));
      }
      CelRuntime.Program program = RUNTIME.createProgram(ast);
      program.eval(probe);
      return program;
    } catch (InvalidPolicyException e) {
      throw e;
    } catch (CelEvaluationException e) {
      throw new InvalidPolicyException(at + ".when: cannot be evaluated on a request that has"
          + " every " + section + " feature: " + e.getMessage());
    } catch (Exception e) {
      throw new InvalidPolicyException(at + ".when: " + e.getMessage());
    }
  }

  /**
   * The first {@code features.x} or {@code request.x} that names nothing, found in the syntax tree
   * (evaluation alone misses one behind a short-circuited {@code &&} or {@code ||}).
   */
  private static Optional<String> unknownNames(CelAbstractSyntaxTree ast,
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

  /** The input every condition of {@code task} is checked against at load: every feature, 0. */
  private static Map<String, Object> probe(Task task) {
    var features = new HashMap<String, Double>();
    for (String name : FeatureCatalogue.of(task).names()) {
      features.put(name, 0.0);
    }
    return input(0, 0.0, Double.NaN, features, PROBE_FACTS);
  }

  /** A condition's input, the one place request facts become its {@code request} map. */
  private static Map<String, Object> input(int score, double probability, double roll,
      Map<String, Double> features, RequestFacts facts) {
    // the cure model's answer read the way collections reads it (the model's probability is the
    // adverse outcome, as every model's): on the past_due feature, the cure model's one test
    double cure = PAST_DUE.in(features, 0.0) == 1.0 ? 1 - probability : Double.NaN;
    // the roll model's, scored beside the cure model: NaN unless the cure model answered
    double rolls = PAST_DUE.in(features, 0.0) == 1.0 ? roll : Double.NaN;
    return Map.of("score", (long) score, "probability", probability, "cure_probability", cure,
        "roll_probability", rolls, "features", features,
        "request", Map.of("currency", facts.currency(),
            "channel", facts.channel() == null ? "" : facts.channel().name(),
            "country", facts.country(), "mcc", facts.mcc(),
            "endorsement", facts.endorsement() == null ? "" : facts.endorsement().name()),
        "lists", facts.lists().input());
  }

  /** A policy that cannot serve, with what is wrong and where. */
  public static final class InvalidPolicyException extends IllegalArgumentException {
    public InvalidPolicyException(String message) {
      super(message);
    }
  }
}
