package dev.vigil.tools.policy;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.Event.CheckDeposit;
import dev.vigil.features.event.Event.Direction;
import dev.vigil.features.event.Event.Money;
import dev.vigil.features.event.Event.Transaction;
import dev.vigil.features.profile.FeatureCatalogue;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.features.profile.FeatureInputs;
import dev.vigil.features.profile.ProfileBook;
import dev.vigil.features.profile.ProfileSettings;
import dev.vigil.history.History;
import dev.vigil.history.training.Labels;
import dev.vigil.history.training.TrainingSets;
import dev.vigil.proto.v1.ContactChannel;
import dev.vigil.proto.v1.Reason;
import dev.vigil.proto.v1.Treatment;
import dev.vigil.scoring.collections.StrategyArms;
import dev.vigil.scoring.collections.StrategyArms.Strategy;
import dev.vigil.scoring.collections.TreatmentPlanner;
import dev.vigil.scoring.model.ServedModel;
import dev.vigil.scoring.policy.ListBook;
import dev.vigil.scoring.policy.ListedEntities;
import dev.vigil.scoring.policy.Policy;
import dev.vigil.scoring.policy.RequestFacts;
import dev.vigil.scoring.policy.Segment;
import dev.vigil.scoring.reason.ReasonCatalogue;
import dev.vigil.scoring.score.Assessor;
import dev.vigil.scoring.score.Assessor.Assessment;
import dev.vigil.scoring.score.Pipeline;
import dev.vigil.tools.policy.PolicyCase.Contact;
import dev.vigil.tools.policy.PolicyCase.Outcome;
import dev.vigil.tools.policy.PolicyCase.Side;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A policy backtest: the history replayed in arrival order through the training sets' fold
 * ({@link TrainingSets#replay}: the same {@link ProfileBook} and {@link FeatureCatalogue} serving
 * computes from), and at every debit transaction and check deposit (before it is folded, as a
 * score request made on its arrival saw it) and at every delinquency as-of time (for each account
 * with a credit history) the task's feature vector scored by the model the service would serve
 * ({@link Assessor#judge}) and decided by both policies through the serving code ({@link
 * Pipeline#outcome}, {@link Pipeline#reasons}; treatments by {@link TreatmentPlanner}). Outcomes
 * come from the history's labels ({@link Labels}, the training sets' own): a first pass reads
 * them, the second folds and decides. Each case goes to {@code sink} as it is decided.
 */
public final class Backtest {
  /** The models that score each task, as the service would serve them. */
  private final Map<Task, ServedModel> models;
  private final Policy baseline;
  private final Policy proposed;
  private final ReasonCatalogue reasons;
  private final Set<Task> tasks;
  private final ListBook lists;
  private final TreatmentPlanner treatments = new TreatmentPlanner();

  /**
   * @param models the model of each task in {@code tasks}
   * @param tasks the tasks to backtest
   */
  public Backtest(Policy baseline, Policy proposed, Map<Task, ServedModel> models,
      ReasonCatalogue reasons, Set<Task> tasks) {
    this(baseline, proposed, models, reasons, tasks, ListBook.EMPTY);
  }

  /**
   * As above, with the allow and block lists as their change log holds them ({@code ./vigil
   * policy lists export}): each case sees the entries that applied at its own time, as the
   * service does.
   */
  public Backtest(Policy baseline, Policy proposed, Map<Task, ServedModel> models,
      ReasonCatalogue reasons, Set<Task> tasks, ListBook lists) {
    this.lists = Objects.requireNonNull(lists, "lists");
    this.baseline = Objects.requireNonNull(baseline, "baseline");
    this.proposed = Objects.requireNonNull(proposed, "proposed");
    this.models = Map.copyOf(models);
    this.reasons = reasons;
    this.tasks = tasks.isEmpty() ? EnumSet.noneOf(Task.class) : EnumSet.copyOf(tasks);
    for (Task task : tasks) {
      if (!models.containsKey(task)) {
        throw new IllegalArgumentException("models: none for " + task.id());
      }
    }
    if (tasks.contains(Task.DELINQUENCY) && !models.containsKey(Task.CURE)) {
      throw new IllegalArgumentException("models: none for cure (a past-due account's"
          + " delinquency call is the cure model's)");
    }
    if (tasks.contains(Task.DELINQUENCY) && !models.containsKey(Task.ROLL)) {
      throw new IllegalArgumentException("models: none for roll (a past-due account's"
          + " delinquency call reads the roll model beside the cure model)");
    }
  }

  /**
   * What a window of the history is backtested over.
   *
   * @param from first event or as-of time included
   * @param to end of the times included (exclusive)
   * @param asOfTimes the delinquency as-of times (within [from, to))
   * @param horizon how far after an as-of time a delinquency counts
   */
  public record Window(long from, long to, List<Long> asOfTimes, Duration horizon) {
    public Window {
      asOfTimes = asOfTimes.stream().filter(t -> t >= from && t < to).distinct().sorted()
          .toList();
    }
  }

  /** What a run went through. */
  public record Run(long events, long cases, long historyEndMillis) {}

  /**
   * Backtests {@code window} of {@code history}: labels first, then the fold, each case to
   * {@code sink} in arrival order (the delinquency ones at their as-of time).
   */
  public Run run(History history, Window window, Consumer<PolicyCase> sink) {
    Labels labels = new Labels();
    long[] end = {Long.MIN_VALUE};
    history.replay(e -> {
      labels.observe(e);
      end[0] = Math.max(end[0], e.timeMillis());
    });
    return run(history, window, labels, end[0], sink);
  }

  /** As above, with the labels and the history's last event time already read. */
  public Run run(History history, Window window, Labels labels, long historyEnd,
      Consumer<PolicyCase> sink) {
    long[] counts = new long[2];
    var customers = new HashMap<String, String>();
    TrainingSets.replay(history, ProfileSettings.DEFAULT, (book, e) -> {
      counts[0]++;
      if (!e.customerId().isEmpty()) {
        customers.putIfAbsent(e.accountId(), e.customerId());
      }
      if (e.timeMillis() < window.from() || e.timeMillis() >= window.to()) {
        return;
      }
      PolicyCase c = null;
      if (e.kind() instanceof Transaction t && t.direction() == Direction.DEBIT
          && tasks.contains(Task.FRAUD)) {
        Outcome outcome = labels.fraud(e.eventId()) ? Outcome.BAD
            : known(e.timeMillis(), Task.FRAUD, window, historyEnd);
        c = decide(Task.FRAUD, e.eventId(), e.timeMillis(), t.amount(), book.inputsFor(e),
            facts(e, null, e.timeMillis()), outcome);
      } else if (e.kind() instanceof CheckDeposit d && tasks.contains(Task.DEPOSIT)) {
        Outcome outcome = labels.returned(d.depositId()) ? Outcome.BAD
            : known(e.timeMillis(), Task.DEPOSIT, window, historyEnd);
        c = decide(Task.DEPOSIT, e.eventId(), e.timeMillis(), d.amount(), book.inputsFor(e),
            facts(e, null, e.timeMillis()), outcome);
      }
      if (c != null) {
        counts[1]++;
        sink.accept(c);
      }
    }, tasks.contains(Task.DELINQUENCY) ? window.asOfTimes() : List.of(), (book, asOf) -> {
      for (String account : TrainingSets.creditAccounts(book)) {
        FeatureInputs in = book.inputsForAccount(account, customers.get(account), asOf);
        Outcome outcome;
        if (FeatureCatalogue.pastDue(in)) {
          // the cure model's case: bad when not back to current within the cure horizon
          Duration cure = Duration.ofDays(TrainingSets.DEFAULT_CURE_HORIZON_DAYS);
          outcome = labels.cured(account, asOf, cure) ? Outcome.GOOD
              : asOf + cure.toMillis() <= historyEnd ? Outcome.BAD : Outcome.UNKNOWN;
        } else {
          outcome = labels.delinquent(account, asOf, window.horizon()) ? Outcome.BAD
              : known(asOf, Task.DELINQUENCY, window, historyEnd);
        }
        counts[1]++;
        sink.accept(decide(Task.DELINQUENCY, account, account + "@" + Instant.ofEpochMilli(asOf),
            asOf, null, in,
            facts(null, FeatureInputs.keysForAccount(account, customers.get(account)), asOf),
            outcome));
      }
    });
    return new Run(counts[0], counts[1], historyEnd);
  }

  /**
   * What a policy condition reads of the request for {@code event} (null: a delinquency call on
   * the profiles {@code keys} name) at {@code atMillis}: the one place a backtest makes a case's
   * request facts, as the service's adapters make them from the request, with the lists the
   * case's entities were on at that time ({@link ListBook#memberships}, as serving reads them).
   */
  RequestFacts facts(Event event, FeatureInputs.Keys keys, long atMillis) {
    RequestFacts request = RequestFacts.NONE;
    if (event != null && event.kind() instanceof Transaction t) {
      request = RequestFacts.transaction(t.amount().currency(), t.channel(), t.country(), t.mcc());
    } else if (event != null && event.kind() instanceof CheckDeposit d) {
      request = RequestFacts.deposit(d.amount().currency(), d.endorsement());
    }
    return request.withLists(lists.memberships(atMillis,
        event != null ? ListedEntities.of(event) : ListedEntities.of(keys)));
  }

  /** GOOD when the history reaches past the label's delay after {@code at}, else UNKNOWN. */
  private static Outcome known(long at, Task task, Window window, long historyEnd) {
    Duration delay = TrainingSets.labelDelay(task, window.horizon());
    return at + delay.toMillis() <= historyEnd ? Outcome.GOOD : Outcome.UNKNOWN;
  }

  /** One case: scored once, decided by both policies. */
  PolicyCase decide(Task task, String id, long at, Money amount, FeatureInputs inputs,
      RequestFacts facts, Outcome outcome) {
    return decide(task, null, id, at, amount, inputs, facts, outcome);
  }

  /**
   * As above; a delinquency case names its {@code account}: scored by the cure model when the
   * account is past due, else the early-warning model, and decided by the strategy arm the
   * account is in, as ScoreDelinquency does.
   */
  PolicyCase decide(Task task, String account, String id, long at, Money amount,
      FeatureInputs inputs, RequestFacts facts, Outcome outcome) {
    Task scoring = task == Task.DELINQUENCY && FeatureCatalogue.pastDue(inputs) ? Task.CURE
        : task;
    Assessment a = assess(scoring, inputs);
    return new PolicyCase(task, id, at, amount, a.score(), outcome,
        side(baseline, a, facts, inputs, at, account),
        side(proposed, a, facts, inputs, at, account));
  }

  /** The assessment serving makes ({@link Assessor#judge}); a stand-in when the model fails. */
  private Assessment assess(Task task, FeatureInputs inputs) {
    double[] values = FeatureCatalogue.of(task).vector(inputs);
    try {
      // the roll model beside the cure model, as served
      return Assessor.judge(reasons, task, inputs, values, models.get(task), List.of(),
          List.of()).withRollOf(models.get(Task.ROLL));
    } catch (RuntimeException e) {
      return Assessment.standIn(task, inputs, List.of(), "model");
    }
  }

  private Side side(Policy policy, Assessment a, RequestFacts facts, FeatureInputs inputs,
      long at, String account) {
    Strategy strategy = account == null ? null : StrategyArms.assign(policy, account);
    Policy.Rules<?> rules = strategy != null ? strategy.rules() : PolicyRules.of(policy, a.task());
    Policy.Outcome<?> outcome = Pipeline.outcome(rules, a, facts, rule -> { });
    List<String> codes = new ArrayList<>();
    for (Reason r : Pipeline.reasons(reasons, rules, outcome, a)) {
      codes.add(r.getCode());
    }
    List<String> holding = a.standIn() != null ? List.of()
        : rules.holding(a.score(), a.probability(), a.rollProbability(), a.features(), facts);
    Contact contact = null;
    if (strategy != null && a.standIn() == null) {
      ZoneId zone = inputs.customer().timeZone() != null ? inputs.customer().timeZone()
          : ZoneOffset.UTC;
      Treatment t = treatments.plan((Segment) outcome.decision(), strategy.treatments(),
          a.features(), inputs.account(), at, zone).treatment();
      String channel = t.getChannel() == ContactChannel.CONTACT_CHANNEL_UNSPECIFIED ? ""
          : t.getChannel().name().substring("CONTACT_CHANNEL_".length());
      boolean blocked = t.getChannel() == ContactChannel.CONTACT_CHANNEL_CALL
          && inputs.account().callsAllowedFromMillis(at) > at;
      contact = new Contact(t.getAction().name().substring("TREATMENT_ACTION_".length()),
          channel, blocked);
    }
    return new Side(outcome.decision().name(), !outcome.decision().favourable(),
        outcome.rule() == null ? "" : outcome.rule(), holding, outcome.holdDays(), codes,
        contact);
  }
}
