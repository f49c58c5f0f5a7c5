package dev.vigil.job;

import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * The fold's operator: {@link ProfileFold} in Flink's keyed process operator, plus what a function
 * cannot do: publish every update its {@link Publication} holds before each checkpoint barrier (so
 * the checkpointed state never has a version the profiles topic lacks, and a restore loses none)
 * and at the end of a bounded input. Held updates whose interval passes are published by the
 * function's own timers.
 */
final class ProfileFoldOperator extends KeyedProcessOperator<String, Routed, ProfileUpdate> {
  /** @param fold {@link ProfileFold}, or any keyed fold publishing through a throttle */
  <F extends KeyedProcessFunction<String, Routed, ProfileUpdate> & Throttled> ProfileFoldOperator(
      F fold) {
    super(fold);
  }

  /** The function, as deserialised with this operator on the task manager. */
  private Throttled fold() {
    return (Throttled) userFunction;
  }

  @Override
  public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
    super.prepareSnapshotPreBarrier(checkpointId);
    fold().publication().flush(getProcessingTimeService().getCurrentProcessingTime(), this::emit);
  }

  @Override
  public void finish() throws Exception {
    fold().publication().flush(getProcessingTimeService().getCurrentProcessingTime(), this::emit);
    super.finish();
  }

  private void emit(ProfileUpdate update) {
    fold().countPublished();
    output.collect(new StreamRecord<>(update));
  }
}
