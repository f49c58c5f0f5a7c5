package dev.vigil.scoring.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.proto.v1.ShadowPolicy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A shadow policy runs until its date or its count, whichever comes first, on the injected
 * clock; its text is kept as a version that never serves (a later reload of the serving text is
 * still the serving version); starting one is refused naming the field.
 */
class ShadowPoliciesTest {
  static final Instant NOW = Instant.parse("2026-11-24T15:00:00Z");

  @TempDir Path dir;

  @Test
  void aShadowEndsAtItsCount() throws Exception {
    var clock = new ListBookTest.TestClock(NOW);
    var shadows = new ShadowPolicies(PolicyVersions.open(dir), clock);
    var s = shadows.start(PolicyTest.bundled(), "admin", NOW.plus(Duration.ofDays(7))
        .toEpochMilli(), 3);
    assertThat(shadows.running()).containsExactly(s);
    assertThat(s.claim(clock.millis())).isTrue();
    assertThat(s.claim(clock.millis())).isTrue();
    assertThat(s.running()).isTrue();
    assertThat(s.claim(clock.millis())).as("the third, the last").isTrue();
    assertThat(s.running()).isFalse();
    assertThat(s.claim(clock.millis())).isFalse();
    assertThat(shadows.running()).isEmpty();
    ShadowPolicy wire = s.wire();
    assertThat(wire.getState()).isEqualTo(ShadowPolicy.State.ENDED);
    assertThat(wire.getDecisions()).isEqualTo(3);
    assertThat(wire.getEndReason()).isEqualTo("max_decisions reached");
  }

  @Test
  void aShadowEndsAtItsDateBeforeItsCount() throws Exception {
    var clock = new ListBookTest.TestClock(NOW);
    var shadows = new ShadowPolicies(PolicyVersions.open(dir), clock);
    Instant until = NOW.plus(Duration.ofHours(1));
    var s = shadows.start(PolicyTest.bundled(), "admin", until.toEpochMilli(), 1000);
    clock.set(until.minusMillis(1));
    assertThat(s.claim(clock.millis())).isTrue();
    clock.set(until);
    assertThat(s.claim(clock.millis())).isFalse();
    assertThat(shadows.running()).isEmpty();
    assertThat(s.wire().getEndReason()).isEqualTo("until reached");
    assertThat(s.wire().getEndedAt().getSeconds()).isEqualTo(until.getEpochSecond());
    assertThat(s.decisions()).isEqualTo(1);
  }

  @Test
  void itsTextIsKeptAsAVersionThatNeverServes() throws Exception {
    var versions = PolicyVersions.open(dir);
    String serving = PolicyTest.bundled();
    var first = versions.activate(serving.getBytes(StandardCharsets.UTF_8), "2026-12-07.5",
        "file:x", NOW.toEpochMilli());
    var shadows = new ShadowPolicies(versions, new ListBookTest.TestClock(NOW));
    String draft = serving.replace("when: score >= 900", "when: score >= 800");
    var s = shadows.start(draft, "admin", NOW.plusSeconds(60).toEpochMilli(), 0);
    assertThat(s.ref().getVersion()).isEqualTo(2);
    var kept = versions.version(2).orElseThrow();
    assertThat(kept.source()).isEqualTo("shadow:admin");
    assertThat(kept.shadow()).isTrue();
    assertThat(versions.text(kept.sha256())).isPresent();
    // the serving text loaded again is still version 1, not a new one
    assertThat(versions.activate(serving.getBytes(StandardCharsets.UTF_8), "2026-12-07.5",
        "file:x", NOW.plusSeconds(5).toEpochMilli())).isEqualTo(first);
    // after a restart too
    assertThat(PolicyVersions.open(dir).activate(serving.getBytes(StandardCharsets.UTF_8),
        "2026-12-07.5", "file:x", NOW.plusSeconds(9).toEpochMilli())).isEqualTo(first);
  }

  @Test
  void aShadowIsRefusedNamingTheField() throws Exception {
    var shadows = new ShadowPolicies(PolicyVersions.open(dir), new ListBookTest.TestClock(NOW));
    long later = NOW.plusSeconds(60).toEpochMilli();
    assertThatThrownBy(() -> shadows.start("version: x\n", "admin", later, 0))
        .hasMessageStartingWith("policy_yaml: ").hasMessageEndingWith(": is required");
    assertThatThrownBy(() -> shadows.start(PolicyTest.bundled(), "admin", NOW.toEpochMilli(), 0))
        .hasMessageStartingWith("until: must be after now");
    assertThatThrownBy(() -> shadows.start(PolicyTest.bundled(), "admin", later, -1))
        .hasMessageStartingWith("max_decisions: must be 0");
    for (int i = 0; i < ShadowPolicies.MAX_RUNNING; i++) {
      shadows.start(PolicyTest.bundled(), "admin", later, 0);
    }
    assertThatThrownBy(() -> shadows.start(PolicyTest.bundled(), "admin", later, 0))
        .isInstanceOfSatisfying(ShadowPolicies.RefusedException.class,
            e -> assertThat(e.full()).isTrue());
    var stopped = shadows.stop("shadow-1", "approver").orElseThrow();
    assertThat(stopped.wire().getEndReason()).isEqualTo("stopped by approver");
    assertThat(shadows.running()).hasSize(ShadowPolicies.MAX_RUNNING - 1);
  }
}
