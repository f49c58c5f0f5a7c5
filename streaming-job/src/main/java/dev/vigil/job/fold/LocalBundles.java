package dev.vigil.job.fold;

import dev.vigil.features.event.Event;
import dev.vigil.job.JobSettings;
import dev.vigil.job.intake.Routed;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * The local half of a two-phase (local-global) fold, for hot keys: before the shuffle to the keyed
 * merchant fold, each routing subtask gathers its merchant events per merchant into bundles, and
 * sends one record per merchant per bundle. A merchant taking a thousand transactions a second
 * then costs its fold subtask a few records a second (one state lookup, one publication offer
 * each) instead of a thousand; the fold still applies the feature library's fold to every event,
 * in the order it came, so the profile is exactly the reference fold's.
 *
 * <p>A bundle goes on when it holds {@link JobSettings.Bundling#maxEvents} events, or {@link
 * JobSettings.Bundling#maxDelay} after its first event, and always before a checkpoint barrier
 * ({@link #prepareSnapshotPreBarrier}: nothing is held in a checkpoint, so there is no state to
 * keep), before a watermark is forwarded, and at the end of input. Flink's mini-batch operators
 * (MapBundleOperator) follow the same rules.
 */
public final class LocalBundles extends AbstractStreamOperator<Routed>
    implements OneInputStreamOperator<Routed, Routed> {
  private final JobSettings.Bundling bounds;
  private transient Map<String, List<Event>> bundles;
  private transient int held;
  private transient boolean timerSet;
  private transient Counter sent;

  /**
   * @param bounds when a bundle goes on
   * @throws IllegalArgumentException if bundling is off ({@code maxEvents} 0): leave the
   *     operator out instead
   */
  public LocalBundles(JobSettings.Bundling bounds) {
    if (bounds.maxEvents() == 0) { // off
      throw new IllegalArgumentException("bundling is off: leave LocalBundles out of the job");
    }
    this.bounds = bounds;
  }

  @Override
  public void open() throws Exception {
    super.open();
    bundles = new LinkedHashMap<>();
    sent = getMetricGroup().counter("vigil_bundles_sent");
  }

  @Override
  public void processElement(StreamRecord<Routed> element) throws Exception {
    Routed r = element.getValue();
    bundles.computeIfAbsent(r.key, k -> new ArrayList<>()).addAll(r.events);
    held += r.events.size();
    if (held >= bounds.maxEvents()) {
      flush();
    } else if (!timerSet) {
      timerSet = true;
      var time = getProcessingTimeService();
      time.registerTimer(time.getCurrentProcessingTime() + bounds.maxDelay().toMillis(), t -> {
        timerSet = false;
        flush();
      });
    }
  }

  @Override
  public void processWatermark(Watermark mark) throws Exception {
    flush(); // events never fall behind a watermark that passes them
    super.processWatermark(mark);
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

  /** Events held now, across all bundles. */
  int held() {
    return held;
  }

  private void flush() {
    if (held == 0) {
      return;
    }
    for (Map.Entry<String, List<Event>> b : bundles.entrySet()) {
      output.collect(new StreamRecord<>(Routed.bundle(b.getKey(), b.getValue())));
      sent.inc();
    }
    bundles.clear();
    held = 0;
  }
}
