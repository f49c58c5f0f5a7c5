package dev.vigil.job;

import dev.vigil.features.event.Event;
import dev.vigil.features.profile.AccountProfile;
import dev.vigil.features.profile.CheckProfile;
import dev.vigil.features.profile.EntityKey;
import dev.vigil.features.profile.EntityType;
import dev.vigil.features.profile.Profile;
import dev.vigil.features.profile.ProfileCodec;
import dev.vigil.features.profile.ProfileSettings;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
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
 * Keyed by entity: folds each event into the entity's profile (kept serialised in RocksDB keyed
 * state) with the feature library's code, and offers the new version to its {@link Publication}
 * (published at once, or coalesced with the next ones within the interval). A check profile that
 * sees a check presented again emits a duplicate-presentment signal for the depositing account.
 *
 * <p>A profile is encoded when a version of it is published ({@link #published}); a version the
 * throttle holds lives in memory, decoded, and the next event folds into it.
 *
 * <p>The profiles this subtask published most recently are also kept decoded ({@link
 * #RECENT_PROFILES} per subtask, least recently used dropped first): decoding the state was half
 * of a fold's cost. A kept profile's newest published encoding is written to keyed state not at
 * every publication but later, once for all the publications in between: when it has waited
 * longest of the {@link #UNWRITTEN} waiting, when its profile is dropped from the cache, or before
 * the next checkpoint barrier ({@link #writeDeferred}, after everything held is published: {@link
 * ProfileFoldOperator}). Writing the state at every publication took over a quarter of the
 * job's time on a replay; the bound keeps the barrier's writes few (docs/streaming-job.md). Keyed
 * state is the truth at every checkpoint, and a restore finds exactly what the profiles topic has.
 * A restarted subtask starts with an empty cache, and a kept profile is not used once its entity
 * has been idle for its time to live.
 */
final class ProfileFold extends KeyedProcessFunction<String, Routed, ProfileUpdate>
    implements Throttled<Profile> {
  static final OutputTag<Routed> SIGNALS = new OutputTag<>("duplicate-presentments") {};

  /** Decoded profiles kept per subtask. */
  static final int RECENT_PROFILES = 10_000;
  /**
   * Published encodings waiting to be written to keyed state, per subtask, at most: the barrier
   * writes those left (docs/streaming-job.md, "State written once a checkpoint").
   */
  static final int UNWRITTEN = 2_000;
  /** A decoded profile this close to its state's expiry is read from state again. */
  private static final long TTL_MARGIN_MILLIS = 60_000;
  private final EntityType type;
  private final ProfileSettings settings;
  private final long idleTtlMillis;
  private final int recentProfiles;
  private final long publishIntervalMillis;
  private final int unwrittenBound;
  private transient Publication<Profile> publication;
  private transient ProfileCodec codec;
  private transient Map<String, Recent> recent;
  /** Kept profiles' published encodings not yet in keyed state, longest waiting first. */
  private transient LinkedHashMap<String, byte[]> unwritten;
  private transient ValueState<byte[]> state;
  /** The operator's key context ({@link #bind}); unbound, every publication is written at once. */
  private transient KeyContext keys;
  private transient Counter folded;
  private transient Counter refused;
  private transient Counter published;

  ProfileFold(EntityType type, ProfileSettings settings, Duration idleTtl, int recentProfiles) {
    this(type, settings, idleTtl, recentProfiles, Duration.ZERO);
  }

  /**
   * @param publishInterval the least time between two publications of one entity's profile
   *     ({@link Publication}); zero publishes every update
   */
  ProfileFold(EntityType type, ProfileSettings settings, Duration idleTtl, int recentProfiles,
      Duration publishInterval) {
    this(type, settings, idleTtl, recentProfiles, publishInterval, UNWRITTEN);
  }

  /**
   * @param unwrittenBound published encodings left waiting to be written to keyed state, at most
   */
  ProfileFold(EntityType type, ProfileSettings settings, Duration idleTtl, int recentProfiles,
      Duration publishInterval, int unwrittenBound) {
    this.type = type;
    this.settings = settings;
    this.idleTtlMillis = idleTtl.toMillis();
    this.recentProfiles = recentProfiles;
    this.publishIntervalMillis = publishInterval.toMillis();
    this.unwrittenBound = unwrittenBound;
  }

  @Override
  public Publication<Profile> publication() {
    return publication;
  }

  /**
   * Encodes the profile leaving the throttle, once, for keyed state and for the profiles topic.
   * Keyed state is written only here: a version held by the throttle lives in memory until it is
   * published (at the latest before the next checkpoint barrier, {@link ProfileFoldOperator}), so
   * every checkpoint's state equals what was published, and a hot entity is encoded and written
   * once an interval rather than once an event.
   */
  @Override
  public ProfileUpdate published(String key, Profile profile, long now) throws Exception {
    byte[] encoded = codec.encode(profile);
    if (recentProfiles > 0 && keys != null && unwrittenBound > 0) {
      unwritten.put(key, encoded); // a key already waiting keeps its place: trim()
    } else {
      state.update(encoded);
    }
    if (recentProfiles > 0) {
      recent.put(key, new Recent(profile, now));
    }
    return new ProfileUpdate(key, profile.version(), profile.lastEventMillis(), encoded);
  }

  @Override
  public void bind(KeyContext keys) {
    this.keys = keys;
  }

  @Override
  public void writeDeferred(KeyContext keys) throws Exception {
    for (Map.Entry<String, byte[]> e : unwritten.entrySet()) {
      keys.setCurrentKey(e.getKey());
      state.update(e.getValue());
    }
    unwritten.clear();
  }

  /**
   * Writes to keyed state, each under its own key, the encodings that waited longest beyond
   * {@link #unwrittenBound}, and drops the least recently used kept profiles beyond {@link
   * #recentProfiles}, writing first any encoding of theirs still waiting; then the current key is
   * what it was.
   */
  private void trim() throws Exception {
    if (unwritten.size() <= unwrittenBound && recent.size() <= recentProfiles) {
      return;
    }
    Object current = keys == null ? null : keys.getCurrentKey(); // unbound, nothing waits
    var longest = unwritten.entrySet().iterator();
    while (unwritten.size() > unwrittenBound) {
      Map.Entry<String, byte[]> e = longest.next();
      longest.remove();
      keys.setCurrentKey(e.getKey());
      state.update(e.getValue());
    }
    var eldest = recent.keySet().iterator();
    while (recent.size() > recentProfiles) {
      String key = eldest.next();
      eldest.remove();
      byte[] waiting = unwritten.remove(key);
      if (waiting != null) {
        keys.setCurrentKey(key);
        state.update(waiting);
      }
    }
    if (keys != null) {
      keys.setCurrentKey(current);
    }
  }

  @Override
  public void countPublished() {
    published.inc();
  }

  /** A decoded profile and when (processing time) it was last published. */
  private record Recent(Profile profile, long publishedMillis) {}

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
    recent = new LinkedHashMap<>(16, 0.75f, true); // least recently used first: trim()
    unwritten = new LinkedHashMap<>(); // in the order first published since written
    var metrics = getRuntimeContext().getMetricGroup().addGroup("entity", type.name());
    folded = metrics.counter("vigil_profile_updates");
    refused = metrics.counter("vigil_events_refused_too_late");
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
      ((AccountProfile) profile).recordDuplicatePresentment(r.duplicateDepositId, r.time);
    }
    for (Event e : r.events) {
      if (profile instanceof CheckProfile check) {
        for (CheckProfile.DuplicateSignal signal : check.present(e)) {
          ctx.output(SIGNALS, Routed.duplicatePresentment(
              EntityKey.account(signal.accountId()).toString(), signal.depositId(),
              signal.millis()));
        }
      } else if (profile.fold(e) == Profile.Fold.BEYOND_HORIZON) {
        refused.inc();
      }
    }
    if (profile.version() == versionBefore) {
      return; // nothing changed: nothing to store or publish
    }
    folded.inc(profile.version() - versionBefore); // events folded
    publish(r.key, profile, ctx.timerService(), out);
    trim();
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<ProfileUpdate> out)
      throws Exception {
    due(ctx.getCurrentKey(), timestamp, out);
    trim();
  }

  /**
   * The entity's newest profile: the one the throttle holds (newer than keyed state), else the one
   * kept decoded since its last publication (folded in place: a fold that fails fails the task,
   * which restarts from the last checkpoint), else keyed state's.
   */
  private Profile decoded(String key, long now) throws java.io.IOException {
    Profile held = publication.held(key);
    if (held != null) {
      return held; // folded in place: the throttle keeps holding the newest version
    }
    Recent r = recent.get(key);
    if (r != null) {
      if (now - r.publishedMillis() < idleTtlMillis - TTL_MARGIN_MILLIS) {
        return r.profile();
      }
      recent.remove(key);
      if (unwritten.remove(key) != null) {
        // idle for its time to live since that version, so keyed state's older one is too
        state.clear();
        return codec.empty(type);
      }
    }
    byte[] bytes = state.value();
    return bytes == null ? codec.empty(type) : codec.decode(bytes);
  }
}
