package dev.vigil.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The service serves from the serving contract (vigil-model-registry), never from the training
 * code: its runtime classpath, the one ./vigil up and the end-to-end tests start it with, holds
 * no vigil-models (the tests alone train with it).
 */
class ServingStandsAloneTest {
  @Test
  void theRuntimeClasspathHoldsTheRegistryAndNotTheTrainingCode() throws Exception {
    String[] entries = Files.readString(Path.of("target", "classpath.txt")).trim()
        .split(java.io.File.pathSeparator);
    assertThat(Arrays.stream(entries).map(e -> Path.of(e).getFileName().toString()))
        .anyMatch(name -> name.startsWith("vigil-model-registry"))
        .noneMatch(name -> name.startsWith("vigil-models"));
    assertThat(entries).noneMatch(e -> e.replace('\\', '/').contains("/models/target/"));
  }
}
