package dev.vigil.job;

import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by account: passes each event id once. Ids are remembered for a while of processing time
 * ({@link ProfileJob#DEDUPE_MEMORY}): redeliveries come soon after the first delivery (a
 * producer's retry, a client resending what was not acknowledged); Publish's ledger refuses them
 * too. Remembering every id for the whole horizon would cost more state than the profiles.
 */
final class Dedupe extends KeyedProcessFunction<String, Incoming, Incoming> {
  private final long rememberMillis;
  private transient MapState<String, Boolean> seen;
  private transient Counter duplicates;

  Dedupe(long rememberMillis) {
    this.rememberMillis = rememberMillis;
  }

  @Override
  public void open(OpenContext context) {
    var descriptor = new MapStateDescriptor<>("seen-event-ids", Types.STRING, Types.BOOLEAN);
    descriptor.enableTimeToLive(StateTtlConfig.newBuilder(Duration.ofMillis(rememberMillis))
        .cleanupInRocksdbCompactFilter(10_000).build());
    seen = getRuntimeContext().getMapState(descriptor);
    duplicates = getRuntimeContext().getMetricGroup().counter("vigil_events_duplicate");
  }

  @Override
  public void processElement(Incoming in, Context ctx, Collector<Incoming> out) throws Exception {
    if (seen.contains(in.eventId)) {
      duplicates.inc();
      return;
    }
    seen.put(in.eventId, Boolean.TRUE);
    out.collect(in);
  }
}
