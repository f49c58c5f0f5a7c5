package dev.vigil.job.fold;

import dev.vigil.features.event.Event;
import dev.vigil.features.profile.CheckProfile;
import dev.vigil.features.profile.EntityKey;
import dev.vigil.features.profile.EntityType;
import dev.vigil.features.profile.FoldStep;
import dev.vigil.features.profile.Profile;
import dev.vigil.features.profile.ProfileCodec;
import dev.vigil.features.profile.ProfileSettings;
import dev.vigil.job.intake.Routed;
import dev.vigil.job.publication.ProfileUpdate;
import dev.vigil.job.publication.Publication;
import dev.vigil.job.publication.Throttled;
import java.io.IOException;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyContext;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Keyed by entity: takes each event into the entity's profile (kept serialised in RocksDB keyed
 * state) by the feature library's {@link FoldStep}, and offers the new version to its {@link
 * Publication} (published at once, or coalesced with the next ones within the interval). A check
 * profile that sees a check presented again emits a duplicate-presentment signal for the
 * depositing account.
 *
 * <p>A profile is encoded when a version of it is published ({@link #published}); a version the
 * throttle holds lives in memory, decoded, and the next event folds into it.
 *
 * <p>The profiles this subtask published most recently are also kept decoded, {@link
 * #RECENT_PROFILES} per subtask, and their encodings written to keyed state later, at most {@link
 * #UNWRITTEN} waiting, at the latest before the next checkpoint barrier ({@link KeptProfiles},
 * {@link ProfileFoldOperator}), so keyed state is the truth at every checkpoint, and a restore
 * finds exactly what the profiles topic has.
 */
public final class ProfileFold extends KeyedProcessFunction<String, Routed, ProfileUpdate>
    implements Throttled<Profile> {
  public static final OutputTag<Routed> SIGNALS = new OutputTag<>("duplicate-presentments") {};

  /** Decoded profiles kept per subtask. */
  public static final int RECENT_PROFILES = 10_000;
  /**
   * Published encodings waiting to be written to keyed state, per subtask, at most: the barrier
   * writes those left (docs/streaming-job.md, "State written once a checkpoint").
   */
  static final int UNWRITTEN = 2_000;
  private final EntityType type;
  private final ProfileSettings settings;
  private final long idleTtlMillis;
  private final int recentProfiles;
  private final long publishIntervalMillis;
  /** {@link #UNWRITTEN}, but for tests ({@link #withUnwrittenBound}). */
  private int unwrittenBound = UNWRITTEN;
  private transient Publication<Profile> publication;
  private transient ProfileCodec codec;
  private transient KeptProfiles kept;
  private transient ValueState<byte[]> state;
  private transient Outcomes outcomes;
  private transient Counter folded;
  private transient Counter published;

  /**
   * @param idleTtl an entity idle this long (processing time) is dropped from keyed state
   * @param recentProfiles decoded profiles kept ({@link #RECENT_PROFILES}; 0: none)
   * @param publishInterval the least time between two publications of one entity's profile
   *     ({@link Publication}); zero publishes every update
   */
  public ProfileFold(EntityType type, ProfileSettings settings, Duration idleTtl,
      int recentProfiles, Duration publishInterval) {
    this.type = type;
    this.settings = settings;
    this.idleTtlMillis = idleTtl.toMillis();
    this.recentProfiles = recentProfiles;
    this.publishIntervalMillis = publishInterval.toMillis();
  }

  /**
   * As the constructor, leaving at most {@code unwrittenBound} published encodings waiting to be
   * written to keyed state rather than {@link #UNWRITTEN}: for tests, where a few entities fill a
   * small bound.
   */
  static ProfileFold withUnwrittenBound(EntityType type, ProfileSettings settings,
      Duration idleTtl, int recentProfiles, Duration publishInterval, int unwrittenBound) {
    var fold = new ProfileFold(type, settings, idleTtl, recentProfiles, publishInterval);
    fold.unwrittenBound = unwrittenBound;
    return fold;
  }

  @Override
  public Publication<Profile> publication() {
    return publication;
  }

  /**
   * Encodes the profile leaving the throttle, once, for keyed state and for the profiles topic.
   * Keyed state only ever gets what was published: a version held by the throttle lives in memory
   * until it is published (at the latest before the next checkpoint barrier, {@link
   * ProfileFoldOperator}), so every checkpoint's state equals what was published, and a hot
   * entity is encoded and written once an interval rather than once an event.
   */
  @Override
  public ProfileUpdate published(String key, Profile profile, long now) throws Exception {
    byte[] encoded = codec.encode(profile);
    kept.published(key, profile, encoded, now);
    return new ProfileUpdate(key, profile.version(), profile.lastEventMillis(), encoded);
  }

  @Override
  public void bind(KeyContext keys) {
    kept.bind(keys);
  }

  @Override
  public void writeDeferred(KeyContext keys) throws Exception {
    kept.writeDeferred(keys);
  }

  @Override
  public void countPublished() {
    published.inc();
  }

  @Override
  public void open(OpenContext context) {
    // the feature library's fold with the job's settings, lateness rule included: an event within
    // the horizon of its account's newest (Dedupe) is still set aside by a profile whose newest
    // event is more than the horizon ahead of it, as training's fold of the same events does
    codec = new ProfileCodec(settings);
    var descriptor = new ValueStateDescriptor<>("profile",
        PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
    // entities idle for longer than the longest window are dropped (processing time)
    descriptor.enableTimeToLive(StateTtlConfig.newBuilder(Duration.ofMillis(idleTtlMillis))
        .cleanupInRocksdbCompactFilter(1_000).build());
    state = getRuntimeContext().getState(descriptor);
    kept = new KeptProfiles(recentProfiles, unwrittenBound, idleTtlMillis, state);
    var metrics = getRuntimeContext().getMetricGroup().addGroup("entity", type.name());
    folded = metrics.counter("vigil_profile_updates");
    outcomes = new Outcomes(metrics.counter("vigil_events_refused_too_late"));
    published = metrics.counter("vigil_profile_publications");
    publication = new Publication<>(publishIntervalMillis);
  }

  @Override
  public void processElement(Routed r, Context ctx, Collector<ProfileUpdate> out)
      throws Exception {
    long now = ctx.timerService().currentProcessingTime();
    Profile profile = decoded(r.key, now);
    long versionBefore = profile.version();
    if (r.events.isEmpty()) {
      FoldStep.recordDuplicatePresentment(profile, r.duplicateDepositId, r.time);
    }
    outcomes.context = ctx;
    for (Event e : r.events) {
      FoldStep.take(profile, e, outcomes);
    }
    if (profile.version() == versionBefore) {
      return; // nothing changed: nothing to store or publish
    }
    folded.inc(profile.version() - versionBefore); // events folded
    publish(r.key, profile, ctx.timerService(), out);
    kept.trim();
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<ProfileUpdate> out)
      throws Exception {
    due(ctx.getCurrentKey(), timestamp, out);
    kept.trim();
  }

  /**
   * The entity's newest profile: the one the throttle holds (newer than keyed state), else the one
   * kept decoded since its last publication, else keyed state's.
   */
  private Profile decoded(String key, long now) throws IOException {
    Profile held = publication.held(key);
    if (held != null) {
      return held; // folded in place: the throttle keeps holding the newest version
    }
    Profile recent = kept.fresh(key, now);
    if (recent != null) {
      return recent;
    }
    byte[] bytes = state.value();
    return bytes == null ? codec.empty(type) : codec.decode(bytes);
  }

  /**
   * What the steps of one element report: events refused beyond the horizon are counted, and a
   * duplicate presentment goes to the depositing account's fold (the signals side output).
   */
  private static final class Outcomes implements FoldStep.Outcomes {
    private final Counter refused;
    /** The element's context, for the side output: set before its steps. */
    private KeyedProcessFunction<String, Routed, ProfileUpdate>.Context context;

    Outcomes(Counter refused) {
      this.refused = refused;
    }

    @Override
    public void folded() {} // counted by version: vigil_profile_updates

    @Override
    public void beyondHorizon() {
      refused.inc();
    }

    @Override
    public void duplicatePresentment(CheckProfile.DuplicateSignal signal) {
      context.output(SIGNALS, Routed.duplicatePresentment(
          EntityKey.account(signal.accountId()).toString(), signal.depositId(), signal.millis()));
    }
  }
}
