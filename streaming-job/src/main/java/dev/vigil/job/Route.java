package dev.vigil.job;

import dev.vigil.features.event.Event;
import dev.vigil.features.profile.EntityKey;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

/** Sends an event to every entity whose profile folds it (the feature library's routing). */
final class Route implements FlatMapFunction<Incoming, Routed> {
  @Override
  public void flatMap(Incoming in, Collector<Routed> out) {
    Event e = EventIntake.decode(in.payload);
    for (EntityKey key : EntityKey.of(e)) {
      out.collect(new Routed(key.toString(), Routed.EVENT, in.payload, e.timeMillis()));
    }
  }
}
