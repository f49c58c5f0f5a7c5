package dev.vigil.job;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Lets valid events through and sends the rest to the dead letters, with their reason: records
 * that failed validation on intake, and events older than the horizon behind the watermark (no
 * feature window reaches them; older history is backfilled through the file source). Counts both.
 * Never fails the job. A late event within the horizon passes: the folds count it exactly as if it
 * had come on time.
 */
final class Validate extends ProcessFunction<Incoming, Incoming> {
  static final OutputTag<Incoming> DEAD_LETTERS = new OutputTag<>("dead-letters") {};

  private final long horizonMillis;
  private transient Counter invalid;
  private transient Counter beyondHorizon;

  Validate(long horizonMillis) {
    this.horizonMillis = horizonMillis;
  }

  @Override
  public void open(OpenContext context) {
    invalid = getRuntimeContext().getMetricGroup().counter("vigil_events_invalid");
    beyondHorizon = getRuntimeContext().getMetricGroup().counter("vigil_events_beyond_horizon");
  }

  @Override
  public void processElement(Incoming in, Context ctx, Collector<Incoming> out) {
    if (!in.valid()) {
      invalid.inc();
      ctx.output(DEAD_LETTERS, in);
      return;
    }
    long watermark = ctx.timerService().currentWatermark();
    if (watermark != Long.MIN_VALUE && in.eventTime < watermark - horizonMillis) {
      beyondHorizon.inc();
      in.errorField = "event.event_time";
      in.errorReason = "older than the horizon (" + horizonMillis / 86_400_000L + " days behind"
          + " the newest events): no feature window reaches it; backfill older history with the"
          + " job's file source (--events-file)";
      ctx.output(DEAD_LETTERS, in);
      return;
    }
    out.collect(in);
  }
}
