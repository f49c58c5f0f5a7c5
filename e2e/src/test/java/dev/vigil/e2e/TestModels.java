package dev.vigil.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The end-to-end suites' models: the seeded defaults, trained as ./vigil up trains them. */
final class TestModels {
  private TestModels() {}

  /**
   * Runs {@code ./vigil models defaults} into {@code registry} (the service refuses to start
   * without a champion for every task, and never trains one itself).
   */
  static Path defaults(Path registry) throws IOException, InterruptedException {
    Files.createDirectories(registry);
    var train = new VigilProcess("models-defaults", "models", "dev.vigil.models.ModelsCommand",
        "2g", List.of("defaults", "--registry", registry.toString()), Map.of(),
        registry.getParent()).start();
    if (train.waitFor(Duration.ofMinutes(5)) != 0) {
      throw new IOException("./vigil models defaults failed\n" + train.tail());
    }
    return registry;
  }
}
