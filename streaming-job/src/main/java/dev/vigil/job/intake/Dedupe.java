package dev.vigil.job.intake;

import dev.vigil.features.profile.ProfileSettings;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by account: sets aside events older than the horizon behind the account's newest event
 * (no feature window reaches them), and passes each event id once. The horizon is judged per
 * account against the event times this operator has seen, so the outcome depends only on the
 * account's own events and their order (one partition, one channel: the order the topic holds);
 * judged against the watermark, it depended on whether the first watermark had been emitted yet,
 * so an event beyond the horizon was sometimes folded.
 *
 * <p>Event ids are remembered for a while of processing time (the job's
 * {@code DEDUPE_MEMORY}): redeliveries come soon after the first delivery (a
 * producer's retry, a client resending what was not acknowledged); Publish's ledger refuses them
 * too. Remembering every id for the whole horizon would cost more state than the profiles.
 */
public final class Dedupe extends KeyedProcessFunction<String, Incoming, Incoming> {
  private final long rememberMillis;
  private final ProfileSettings settings;
  private final long idleMillis;
  private transient MapState<String, Boolean> seen;
  private transient ValueState<Long> newest;
  private transient Counter duplicates;
  private transient Counter beyondHorizon;

  /**
   * @param rememberMillis how long (processing time) an event id is remembered
   * @param profiles whose lateness rule ({@link ProfileSettings#beyondHorizon}) sets events aside,
   *     the same the folds, training and Publish apply
   * @param idleMillis an account silent this long forgets its newest event time
   */
  public Dedupe(long rememberMillis, ProfileSettings profiles, long idleMillis) {
    this.rememberMillis = rememberMillis;
    this.settings = profiles;
    this.idleMillis = idleMillis;
  }

  @Override
  public void open(OpenContext context) {
    var descriptor = new MapStateDescriptor<>("seen-event-ids", Types.STRING, Types.BOOLEAN);
    descriptor.enableTimeToLive(StateTtlConfig.newBuilder(Duration.ofMillis(rememberMillis))
        .cleanupInRocksdbCompactFilter(10_000).build());
    seen = getRuntimeContext().getMapState(descriptor);
    var newestDescriptor = new ValueStateDescriptor<>("newest-event-time", Types.LONG);
    newestDescriptor.enableTimeToLive(StateTtlConfig.newBuilder(Duration.ofMillis(idleMillis))
        .cleanupInRocksdbCompactFilter(10_000).build());
    newest = getRuntimeContext().getState(newestDescriptor);
    duplicates = getRuntimeContext().getMetricGroup().counter("vigil_events_duplicate");
    beyondHorizon = getRuntimeContext().getMetricGroup().counter("vigil_events_beyond_horizon");
  }

  @Override
  public void processElement(Incoming in, Context ctx, Collector<Incoming> out) throws Exception {
    Long latest = newest.value();
    if (latest != null && settings.beyondHorizon(in.eventTime(), latest)) {
      beyondHorizon.inc();
      ctx.output(Validate.DEAD_LETTERS, in.setAside("event.event_time",
          settings.beyondHorizonReason("the account's newest event")));
      return;
    }
    if (seen.contains(in.eventId())) {
      duplicates.inc();
      return;
    }
    seen.put(in.eventId(), Boolean.TRUE);
    if (latest == null || in.eventTime() > latest) {
      newest.update(in.eventTime());
    }
    out.collect(in);
  }
}
