package dev.vigil.job.intake;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Lets valid events through and sends the records that failed validation on intake to the dead
 * letters, with their reason, and counts them. Never fails the job. (Events older than the
 * horizon are set aside per account by {@link Dedupe}, where the judgement is deterministic.)
 */
public final class Validate extends ProcessFunction<Incoming, Incoming> {
  public static final OutputTag<Incoming> DEAD_LETTERS = new OutputTag<>("dead-letters") {};

  private transient Counter invalid;

  @Override
  public void open(OpenContext context) {
    invalid = getRuntimeContext().getMetricGroup().counter("vigil_events_invalid");
  }

  @Override
  public void processElement(Incoming in, Context ctx, Collector<Incoming> out) {
    if (!in.valid()) {
      invalid.inc();
      ctx.output(DEAD_LETTERS, in);
      return;
    }
    out.collect(in);
  }
}
