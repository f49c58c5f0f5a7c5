package dev.vigil.job.fold;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.features.event.Event;
import dev.vigil.job.JobSettings;
import dev.vigil.job.intake.Routed;
import java.time.Duration;
import java.util.List;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The local half of the two-phase merchant fold, in Flink's operator harness: events gathered per
 * merchant in the order they came, sent at the bundle's size or delay, and never held across a
 * checkpoint barrier, a watermark or the end of input.
 */
class LocalBundlesTest {
  private static final long T0 = 1_780_000_000_000L;

  private static Routed purchase(int i, String merchant) {
    return Routed.event("MERCHANT/" + merchant, new Event("e-" + i, T0 + i, "a-" + i, "c-" + i,
        new Event.Transaction(new Event.Money(100, "USD"), Event.Direction.DEBIT,
            Event.Channel.CARD_PRESENT, merchant, "5411", "US", "", "")));
  }

  private static OneInputStreamOperatorTestHarness<Routed, Routed> harness(int maxEvents)
      throws Exception {
    var h = new OneInputStreamOperatorTestHarness<>(new LocalBundles(
        new JobSettings.Bundling(maxEvents, Duration.ofMillis(50))));
    h.setProcessingTime(0);
    h.open();
    return h;
  }

  /** Each bundle sent, as "key:event ids". */
  private static List<String> sent(OneInputStreamOperatorTestHarness<Routed, Routed> h) {
    return h.extractOutputValues().stream().map(r -> r.key.substring("MERCHANT/".length()) + ":"
        + String.join(",", r.events.stream().map(Event::eventId).toList())).toList();
  }

  @Test
  void gathersPerMerchantInOrderAndSendsAtTheBundlesSizeOrDelay() throws Exception {
    try (var h = harness(5)) {
      h.processElement(new StreamRecord<>(purchase(1, "hot")));
      h.processElement(new StreamRecord<>(purchase(2, "quiet")));
      h.processElement(new StreamRecord<>(purchase(3, "hot")));
      h.setProcessingTime(49);
      assertThat(sent(h)).isEmpty();
      h.setProcessingTime(50); // the first event's delay is up
      assertThat(sent(h)).containsExactly("hot:e-1,e-3", "quiet:e-2");
      for (int i = 4; i <= 8; i++) { // five events: the size bound
        h.processElement(new StreamRecord<>(purchase(i, "hot")));
      }
      assertThat(sent(h)).containsExactly("hot:e-1,e-3", "quiet:e-2", "hot:e-4,e-5,e-6,e-7,e-8");
      h.setProcessingTime(200); // nothing held: the timer finds nothing to send
      assertThat(sent(h)).hasSize(3);
    }
  }

  @Test
  void holdsNothingAcrossABarrierAWatermarkOrTheEnd() throws Exception {
    try (var h = harness(1_000)) {
      h.processElement(new StreamRecord<>(purchase(1, "hot")));
      h.prepareSnapshotPreBarrier(1);
      h.snapshot(1, 10);
      assertThat(sent(h)).containsExactly("hot:e-1");

      h.processElement(new StreamRecord<>(purchase(2, "hot")));
      h.processWatermark(new Watermark(T0 + 5));
      assertThat(h.getOutput()).hasSize(3); // e-1's bundle, e-2's, then the watermark
      assertThat(h.getOutput().toArray()[2]).isEqualTo(new Watermark(T0 + 5));

      h.processElement(new StreamRecord<>(purchase(3, "quiet")));
      h.endInput();
      h.getOneInputOperator().finish();
      assertThat(sent(h)).containsExactly("hot:e-1", "hot:e-2", "quiet:e-3");
    }
  }
}
