package dev.vigil.scoring.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.history.simulator.Simulator;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The load harness still runs: its setup at a tiny size, and every line's requests answered by
 * both of its servers, Vigil's with a real decision (no error, no stand-in, a model version) from
 * the model the line names. Nothing here is timed.
 */
class LoadBenchTest {
  @TempDir Path dir;

  @Test
  void everyLineIsAnsweredByBothServersAndVigilDecidesWithTheLinesModel() throws Exception {
    try (var bench = LoadBench.open(dir, 200, Simulator.Config.of(11, 300, 60), 64)) {
      LoadBench.Servers servers = null;
      for (LoadBench.Line line : LoadBench.LINES) {
        if (servers == null || servers.variant() != line.variant()) {
          servers = bench.start(line.variant());
        }
        var bare = bench.check(servers.bare(), line.rpc(), 64);
        assertThat(bare.faults()).as(line.name() + " bare").isEmpty();
        assertThat(bare.ok.sum()).as(line.name() + " bare").isEqualTo(64);

        var vigil = bench.check(servers.vigil(), line.rpc(), 64);
        assertThat(vigil.faults()).as(line.name() + " Vigil").isEmpty();
        assertThat(vigil.ok.sum()).as(line.name() + " Vigil").isEqualTo(64);
        String expected = line.variant() == LoadBench.Variant.XGBOOST ? "xgboost"
            : "logistic-regression";
        assertThat(vigil.models.keySet()).as(line.name() + " served by").singleElement()
            .satisfies(version -> assertThat(bench.algorithm(line.rpc().task, version))
                .isEqualTo(expected));
      }
    }
  }
}
