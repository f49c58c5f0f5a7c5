package dev.vigil.job.fold;

import dev.vigil.job.intake.Routed;
import dev.vigil.job.publication.ProfileUpdate;
import dev.vigil.job.publication.Publication;
import dev.vigil.job.publication.Throttled;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * The fold's operator: {@link ProfileFold} in Flink's keyed process operator, plus what a function
 * cannot do: publish every version its {@link Publication} holds before each checkpoint barrier,
 * each under its own key, then write every published version the fold has not written yet ({@link
 * Throttled#writeDeferred}), so keyed state and the profiles topic both have it when the checkpoint
 * is taken (a restore loses none); the same at the end of a bounded input. Held versions whose
 * interval passes are published by the function's own timers.
 */
public final class ProfileFoldOperator extends KeyedProcessOperator<String, Routed, ProfileUpdate> {
  /** @param fold {@link ProfileFold}, or any keyed fold publishing through a throttle */
  public <F extends KeyedProcessFunction<String, Routed, ProfileUpdate> & Throttled<?>>
      ProfileFoldOperator(F fold) {
    super(fold);
  }

  /** The function, as deserialised with this operator on the task manager. */
  @SuppressWarnings("unchecked")
  private Throttled<Object> fold() {
    return (Throttled<Object>) userFunction;
  }

  @Override
  public void open() throws Exception {
    super.open();
    fold().bind(this);
  }

  @Override
  public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
    super.prepareSnapshotPreBarrier(checkpointId);
    flush();
  }

  @Override
  public void finish() throws Exception {
    flush();
    super.finish();
  }

  private void flush() throws Exception {
    Throttled<Object> fold = fold();
    long now = getProcessingTimeService().getCurrentProcessingTime();
    fold.publication().flush(now, (key, version) -> {
      setCurrentKey(key); // the version's state is written under its own key
      ProfileUpdate update = fold.published(key, version, now);
      fold.countPublished();
      output.collect(new StreamRecord<>(update));
    });
    fold.writeDeferred(this);
  }
}
