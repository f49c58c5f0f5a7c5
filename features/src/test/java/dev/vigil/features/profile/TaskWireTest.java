package dev.vigil.features.profile;

import dev.vigil.features.event.WireMapping;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TaskWireTest {
  @Test
  void everyTaskRoundTripsAndTheUnspecifiedIsRefusedByName() {
    WireMapping.check(Task.class, dev.vigil.proto.v1.Task.class, Task::wire, Task::of,
        Set.of(dev.vigil.proto.v1.Task.TASK_UNSPECIFIED, dev.vigil.proto.v1.Task.UNRECOGNIZED),
        "task");
  }
}
