package dev.vigil.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fault suite's scenarios that fit in CI's time, on real processes: the broker paused (10 s),
 * resumed, killed and restarted during ingest and scoring; the service killed while scoring. The
 * longer runs (a 20 s outage, the soak) are {@code ./vigil chaos}.
 */
class ChaosTest {
  @TempDir Path dir;

  @Test
  void theBrokerAwayLosesNothingAndScoringNeverWaits() throws Exception {
    var chaos = new Chaos(new Chaos.Settings(dir, Duration.ofSeconds(10), 200, 0));
    var outcome = chaos.brokerOutage();
    assertThat(outcome.findings()).noneMatch(f -> f.startsWith("FAIL"));
    assertThat(outcome.passed()).isTrue();

    var killed = chaos.serviceKilledWhileScoring();
    assertThat(killed.findings()).noneMatch(f -> f.startsWith("FAIL"));
    assertThat(killed.passed()).isTrue();
  }
}
