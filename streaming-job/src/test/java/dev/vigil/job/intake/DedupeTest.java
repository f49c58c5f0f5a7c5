package dev.vigil.job.intake;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.EventCodec;
import dev.vigil.features.profile.ProfileSettings;
import dev.vigil.job.ProfileJob;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.metrics.groups.InternalOperatorMetricGroup;
import org.apache.flink.runtime.metrics.groups.UnregisteredMetricGroups;
import org.apache.flink.runtime.metrics.util.InterceptingOperatorMetricGroup;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The job's Dedupe operator alone, with its metrics in view: the copies two service replicas
 * stored of one event (a client's resend to the other replica, answered ACCEPTED there) pass
 * once, and each second copy is counted in {@code vigil_events_duplicate}.
 */
class DedupeTest {
  private static final long NOW = 1_780_000_000_000L;

  /** The operator's metric group, where its counters can be read. */
  private static final class Metrics extends UnregisteredMetricGroups.UnregisteredTaskMetricGroup {
    final InterceptingOperatorMetricGroup operator = new InterceptingOperatorMetricGroup();

    @Override
    public InternalOperatorMetricGroup getOrAddOperator(OperatorID id, String name,
        Map<String, String> additionalVariables) {
      return operator;
    }
  }

  /** An event's record as a replica's producer wrote it, as the job's source reads it. */
  private static Incoming copy(String eventId, String account, long time) {
    byte[] bytes = EventCodec.toProto(new Event(eventId, time, account, "c-" + account,
        new Event.Transaction(new Event.Money(1_000, "USD"), Event.Direction.DEBIT,
            Event.Channel.ECOMMERCE, "m-1", "5411", "US", "d-1", ""))).toByteArray();
    return EventIntake.fromProtobuf(bytes, "vigil.events", NOW);
  }

  @Test
  void copiesOfOneEventFromTwoReplicasPassOnceAndAreCounted() throws Exception {
    var metrics = new Metrics();
    var dedupe = new Dedupe(ProfileJob.DEDUPE_MEMORY.toMillis(), ProfileSettings.DEFAULT,
        Duration.ofDays(400).toMillis());
    try (var harness = new KeyedOneInputStreamOperatorTestHarness<>(
        new KeyedProcessOperator<>(dedupe), Incoming::accountId, Types.STRING,
        new MockEnvironmentBuilder().setMetricGroup(metrics).build())) {
      harness.open();
      // replica A stored e-1, e-2 and e-3; the client resent e-1 and e-3 to replica B, which
      // stored them again, after e-4
      for (Incoming in : List.of(copy("e-1", "a-1", NOW - 4_000), copy("e-2", "a-1", NOW - 3_000),
          copy("e-3", "a-2", NOW - 2_000), copy("e-4", "a-1", NOW - 1_000),
          copy("e-1", "a-1", NOW - 4_000), copy("e-3", "a-2", NOW - 2_000))) {
        harness.processElement(new StreamRecord<>(in, in.eventTime()));
      }
      assertThat(harness.extractOutputValues()).extracting(Incoming::eventId)
          .containsExactly("e-1", "e-2", "e-3", "e-4");
      assertThat(((Counter) metrics.operator.get("vigil_events_duplicate")).getCount())
          .isEqualTo(2);
    }
  }
}
