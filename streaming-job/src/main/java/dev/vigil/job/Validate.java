package dev.vigil.job;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Lets valid events through and sends the rest to the dead letters, with their reason: records
 * that failed validation on intake, and events later than the allowed lateness behind the
 * watermark. Counts both. Never fails the job.
 */
final class Validate extends ProcessFunction<Incoming, Incoming> {
  static final OutputTag<Incoming> DEAD_LETTERS = new OutputTag<>("dead-letters") {};

  private final long allowedLatenessMillis;
  private transient Counter invalid;
  private transient Counter tooLate;

  Validate(long allowedLatenessMillis) {
    this.allowedLatenessMillis = allowedLatenessMillis;
  }

  @Override
  public void open(OpenContext context) {
    invalid = getRuntimeContext().getMetricGroup().counter("vigil_events_invalid");
    tooLate = getRuntimeContext().getMetricGroup().counter("vigil_events_too_late");
  }

  @Override
  public void processElement(Incoming in, Context ctx, Collector<Incoming> out) {
    if (!in.valid()) {
      invalid.inc();
      ctx.output(DEAD_LETTERS, in);
      return;
    }
    long watermark = ctx.timerService().currentWatermark();
    if (watermark != Long.MIN_VALUE && in.eventTime < watermark - allowedLatenessMillis) {
      tooLate.inc();
      in.errorField = "event.event_time";
      in.errorReason = "later than the allowed lateness behind the watermark";
      ctx.output(DEAD_LETTERS, in);
      return;
    }
    out.collect(in);
  }
}
