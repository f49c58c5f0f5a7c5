package dev.vigil.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.features.profile.FeatureCatalogue.Task;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several writers of one registry, as replicas sharing a directory are: two processes (this JVM
 * and a child JVM), each publishing and activating from several threads at once. No activation
 * is lost to another's read-modify-write of roles.json, and no two models are given one version.
 */
class RegistryWritersTest {
  private static final int THREADS = 3;
  private static final int PER_THREAD = 30;
  @TempDir Path root;

  @Test
  void twoProcessesPublishingAndActivatingAtOnceLoseNothing() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        RegistryWriter.class.getName(), root.toString(), "child", Integer.toString(THREADS),
        Integer.toString(PER_THREAD)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try {
      var lines = new BufferedReader(new InputStreamReader(child.getInputStream(),
          StandardCharsets.UTF_8));
      assertThat(lines.readLine()).as("the child writer starts").isEqualTo("ready");
      RegistryWriter.model();
      Writer go = new OutputStreamWriter(child.getOutputStream(), StandardCharsets.UTF_8);
      go.write("go\n");
      go.flush();
      var childGiven = new ArrayList<RegistryWriter.Published>();
      var childPublished = CompletableFuture.runAsync(() -> {
        try {
          for (String line = lines.readLine(); !"activating".equals(line);
              line = lines.readLine()) {
            assertThat(line).as("the child's report").isNotNull().startsWith("published ");
            String[] words = line.split(" ");
            childGiven.add(new RegistryWriter.Published(words[1], words[2]));
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
      // both publish at once; once both have, both activate at once
      List<RegistryWriter.Published> parentGiven = RegistryWriter.run(root, "parent", THREADS,
          PER_THREAD, p -> { }, () -> {
            childPublished.get(120, TimeUnit.SECONDS);
            go.write("go\n");
            go.flush();
            return null;
          });
      assertThat(lines.readLine()).as("the child's last line").isEqualTo("done");
      assertThat(child.waitFor(120, TimeUnit.SECONDS)).as("the child finishes").isTrue();
      assertThat(child.exitValue()).as("the child's exit code").isZero();

      var all = new ArrayList<>(parentGiven);
      all.addAll(childGiven);
      int total = 2 * THREADS * PER_THREAD;
      assertThat(all).hasSize(total);
      var registry = new ModelRegistry(root);
      // one version per model, each version holding the model it was given for
      Map<String, String> modelOf = new HashMap<>();
      all.forEach(p -> modelOf.put(p.version(), p.model()));
      assertThat(modelOf).as("versions given").hasSize(total);
      var expected = new ArrayList<String>();
      for (int v = 1; v <= total; v++) {
        expected.add("v" + v);
      }
      assertThat(registry.versions(Task.FRAUD)).containsExactlyElementsOf(expected);
      for (String version : expected) {
        assertThat(registry.card(Task.FRAUD, version).dataFingerprint()).as(version)
            .isEqualTo(modelOf.get(version));
      }
      // every activation is on record: the champion and the history hold each version once
      ModelRegistry.Roles roles = registry.roles(Task.FRAUD);
      var seen = new ArrayList<>(roles.previousChampions());
      seen.add(roles.champion());
      assertThat(new HashSet<>(seen)).as("champions on record").hasSize(seen.size())
          .containsExactlyInAnyOrderElementsOf(expected);
    } finally {
      child.destroyForcibly();
    }
  }
}
