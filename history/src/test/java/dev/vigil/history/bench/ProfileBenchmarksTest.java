package dev.vigil.history.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The benchmarks run at all: their setup finds the history it needs in the simulator's draws,
 * which change with the simulator (they did, and {@code ./vigil bench} stopped in its setup).
 */
class ProfileBenchmarksTest {
  @Test
  void theSetupFindsItsHistoryAndTheFoldBenchmarksAgree() {
    var bench = new ProfileBenchmarks();
    bench.simulate();

    assertThat(bench.accountEvents).hasSizeGreaterThanOrEqualTo(ProfileBenchmarks.ACCOUNT_EVENTS);
    assertThat(bench.updateAccountProfile()).isPositive();
    // a profile decoded from its state before each event encodes as the one kept in memory
    assertThat(bench.decodeUpdateAndEncodeAccountProfile())
        .isEqualTo(bench.updateAndEncodeAccountProfile()).isPositive();
    assertThat(bench.vectorFraud()).isNotEmpty();
  }
}
