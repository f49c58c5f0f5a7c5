package dev.vigil.job.intake;

import dev.vigil.features.profile.EntityKey;
import dev.vigil.features.profile.EntityType;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Sends an event to every entity whose profile folds it, one side output per entity type: the
 * feature library's routing ({@link EntityKey#of}), on the event decoded at intake. Emits nothing
 * on its main output.
 */
public final class Route extends ProcessFunction<Incoming, Routed> {
  private static final Map<EntityType, OutputTag<Routed>> TO = new EnumMap<>(EntityType.class);

  static {
    for (EntityType type : EntityType.values()) {
      TO.put(type, new OutputTag<>(type.name() + "-events") {});
    }
  }

  /** The events for {@code type}'s profiles. */
  public static OutputTag<Routed> to(EntityType type) {
    return TO.get(type);
  }

  @Override
  public void processElement(Incoming in, Context ctx, Collector<Routed> out) {
    for (EntityKey key : EntityKey.of(in.event())) {
      ctx.output(TO.get(key.type()), Routed.event(key.toString(), in.event()));
    }
  }
}
