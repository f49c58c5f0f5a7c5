package dev.vigil.tools.collections;

import com.google.protobuf.util.Timestamps;
import dev.vigil.features.event.Event;
import dev.vigil.features.event.Event.ContactChannel;
import dev.vigil.features.event.EventCodec;
import dev.vigil.features.profile.FeatureCatalogue;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.features.profile.FeatureInputs;
import dev.vigil.features.profile.ProfileBook;
import dev.vigil.features.profile.ProfileSettings;
import dev.vigil.history.simulator.TreatmentChooser;
import dev.vigil.proto.v1.AuditRecord;
import dev.vigil.proto.v1.CollectionsDecision;
import dev.vigil.proto.v1.Reason;
import dev.vigil.proto.v1.Score;
import dev.vigil.scoring.audit.EntityTokens;
import dev.vigil.scoring.collections.StrategyArms;
import dev.vigil.scoring.collections.StrategyArms.Strategy;
import dev.vigil.scoring.collections.TreatmentAction;
import dev.vigil.scoring.collections.TreatmentPlanner;
import dev.vigil.scoring.model.ServedModel;
import dev.vigil.scoring.policy.Policy;
import dev.vigil.scoring.policy.RequestFacts;
import dev.vigil.scoring.policy.Segment;
import dev.vigil.scoring.reason.ReasonCatalogue;
import dev.vigil.scoring.score.Assessor;
import dev.vigil.scoring.score.Assessor.Assessment;
import dev.vigil.scoring.score.Pipeline;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * A simulated book's collections strategy decided as the service decides it: the events the
 * simulator emits folded into profiles ({@link ProfileBook}, the online fold), the account's
 * delinquency features as of the cycle's start, the champion model's probability, the account's
 * strategy arm ({@link StrategyArms}), that arm's rules ({@link Pipeline#outcome}) and the
 * {@link TreatmentPlanner} with the arm's treatments. Each choice is kept as the audit record the
 * service would write ({@code collections} set), for {@code ./vigil collections report}.
 */
public final class PolicyStrategy implements TreatmentChooser, Consumer<Event> {
  private final ProfileBook book = new ProfileBook(ProfileSettings.DEFAULT);
  private final Policy policy;
  private final Map<Task, ServedModel> models;
  private final ReasonCatalogue reasons;
  private final EntityTokens tokens;
  private final ZoneId unknownZone;
  private final Consumer<AuditRecord> records;
  private final TreatmentPlanner planner = new TreatmentPlanner();

  /**
   * @param models the delinquency (early-warning), cure and roll champions: a past-due account is
   *     the cure model's, with the roll model's beside it, as ScoreDelinquency serves it
   * @param unknownZone the zone of a customer whose own is not known (a request's time_zone)
   * @param records where each decision's record goes
   */
  public PolicyStrategy(Policy policy, Map<Task, ServedModel> models, ReasonCatalogue reasons,
      EntityTokens tokens, ZoneId unknownZone, Consumer<AuditRecord> records) {
    for (Task task : List.of(Task.DELINQUENCY, Task.CURE, Task.ROLL)) {
      if (!models.containsKey(task)) {
        throw new IllegalArgumentException("models: none for " + task.id());
      }
    }
    this.policy = policy;
    this.models = Map.copyOf(models);
    this.reasons = reasons;
    this.tokens = tokens;
    this.unknownZone = unknownZone;
    this.records = records;
  }

  /** Folds an event the simulator emitted: give it every one, in the order emitted. */
  @Override
  public void accept(Event e) {
    book.fold(e);
  }

  @Override
  public Choice choose(String accountId, String customerId, long asOfMillis) {
    FeatureInputs in = book.inputsForAccount(accountId, customerId, asOfMillis);
    Task task = FeatureCatalogue.pastDue(in) ? Task.CURE : Task.DELINQUENCY;
    ServedModel model = models.get(task);
    double[] values = FeatureCatalogue.of(task).vector(in);
    Assessment a = Assessor.judge(reasons, task, in, values, model, List.of(), List.of())
        .withRollOf(models.get(Task.ROLL));
    Strategy strategy = StrategyArms.assign(policy, accountId);
    Policy.Outcome<Segment> outcome = Pipeline.outcome(strategy.rules(), a, RequestFacts.NONE,
        rule -> { });
    ZoneId zone = in.customer() != null && in.customer().timeZone() != null
        ? in.customer().timeZone() : unknownZone;
    TreatmentPlanner.Planned planned = planner.plan(outcome.decision(), strategy.treatments(),
        a.features(), in.account(), asOfMillis, zone);
    List<Reason> given = Pipeline.reasons(reasons, strategy.rules(), outcome, a);
    String auditId = UUID.nameUUIDFromBytes((accountId + "@" + asOfMillis)
        .getBytes(StandardCharsets.UTF_8)).toString();
    var record = AuditRecord.newBuilder().setAuditId(auditId).setRequestId(auditId)
        .setTask(task.wire())
        .setDecidedAt(EventCodec.timestamp(asOfMillis))
        .setAsOf(EventCodec.timestamp(asOfMillis))
        .addEntities(tokens.token("ACCOUNT/" + accountId))
        .addEntities(tokens.token("CUSTOMER/" + customerId))
        .setTokenKeyId(tokens.keyId())
        .putAllFeatures(a.features())
        .setScore(Score.newBuilder().setProbability(a.probability()).setScore(a.score())
            .addAllReasons(given).setModelId(task.id())
            .setModelVersion(model.version()).setPolicyVersion(policy.version())
            .setAuditId(auditId))
        .setDecision(outcome.decision().name())
        .setPolicyRule(outcome.rule() == null ? "" : outcome.rule())
        .setCollections(CollectionsDecision.newBuilder().setStrategy(strategy.wire())
            .setTreatment(planned.treatment()).setCallsPaused(planned.callsPaused())
            .setChannelNotConsented(planned.channelNotConsented()));
    if (a.roll() != null) {
      record.setRoll(a.roll());
    }
    records.accept(record.build());
    TreatmentAction action = TreatmentAction.of(planned.treatment().getAction());
    if (action == TreatmentAction.NONE) {
      return Choice.NONE;
    }
    return new Choice(Action.valueOf(action.name()),
        ContactChannel.of(planned.treatment().getChannel()),
        Timestamps.toMillis(planned.treatment().getEarliestContactTime()));
  }
}
