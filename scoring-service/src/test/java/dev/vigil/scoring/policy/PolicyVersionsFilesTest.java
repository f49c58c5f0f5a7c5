package dev.vigil.scoring.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kept versions' files: numbering, reopening, a torn last line, a damaged one, a text
 * altered.
 */
class PolicyVersionsFilesTest {
  @TempDir Path dir;

  private static byte[] text(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aTextIsANewVersionOnlyWhenItFollowsADifferentOneAndTheCountSurvivesReopening()
      throws Exception {
    var versions = PolicyVersions.open(dir);
    assertThat(versions.activate(text("a"), "A", "file:x", 10).version()).isEqualTo(1);
    assertThat(versions.activate(text("a"), "A", "file:x", 20).version()).isEqualTo(1);
    assertThat(versions.activate(text("b"), "B", "api:admin", 30).version()).isEqualTo(2);
    // the first text again, after another: a new version of the same hash
    var again = versions.activate(text("a"), "A", "file:x", 40);
    assertThat(again.version()).isEqualTo(3);
    assertThat(again.sha256()).isEqualTo(PolicyVersions.sha256(text("a")));

    var reopened = PolicyVersions.open(dir);
    assertThat(reopened.all()).isEqualTo(versions.all());
    assertThat(reopened.activate(text("c"), "C", "file:x", 50).version()).isEqualTo(4);
    assertThat(reopened.version(2).orElseThrow().source()).isEqualTo("api:admin");
    assertThat(reopened.text(PolicyVersions.sha256(text("b")))).hasValue(text("b"));
  }

  @Test
  void aLastLineTornByACrashIsAnActivationThatNeverCompleted() throws Exception {
    var versions = PolicyVersions.open(dir);
    versions.activate(text("a"), "A", "file:x", 10);
    Files.writeString(dir.resolve("versions.jsonl"), "{\"version\":2,\"sha2",
        StandardOpenOption.APPEND);
    var reopened = PolicyVersions.open(dir);
    assertThat(reopened.all()).hasSize(1);
    // and the next activation's line is whole
    assertThat(reopened.activate(text("b"), "B", "file:x", 20).version()).isEqualTo(2);
    assertThat(PolicyVersions.open(dir).all()).extracting(PolicyVersions.Kept::version)
        .containsExactly(1L, 2L);
  }

  @Test
  void aDamagedLineBeforeTheLastIsRefusedNamingIt() throws Exception {
    var versions = PolicyVersions.open(dir);
    versions.activate(text("a"), "A", "file:x", 10);
    versions.activate(text("b"), "B", "file:x", 20);
    Path index = dir.resolve("versions.jsonl");
    Files.writeString(index, Files.readString(index).replaceFirst("\\{", "["));
    assertThatThrownBy(() -> PolicyVersions.open(dir)).isInstanceOf(IOException.class)
        .hasMessageContaining("versions.jsonl line 1");
  }

  @Test
  void aKeptTextAlteredOnDiskIsNotReturned() throws Exception {
    var versions = PolicyVersions.open(dir);
    String sha = versions.activate(text("a"), "A", "file:x", 10).sha256();
    Files.writeString(dir.resolve(sha + ".yaml"), "b");
    assertThat(versions.text(sha)).isEmpty();
    assertThat(versions.text("../../etc/passwd")).isEmpty();
  }

  @Test
  void anActivationThatCannotBeKeptLeavesThePolicyFileAsItWas() throws Exception {
    Path file = dir.resolve("policy.yaml");
    String original = PolicyTest.bundled();
    Files.writeString(file, original);
    Path kept = dir.resolve("policies");
    var live = new LivePolicy(file, 0, PolicyVersions.open(kept),
        Clock.fixed(Instant.parse("2026-12-07T00:00:00Z"), ZoneOffset.UTC), reload -> { });
    String stricter = original.replace("2026-12-07.5", "2026-12-07.9")
        .replace("when: score >= 900", "when: score >= 800");
    // its text cannot be written where the versions are kept
    Files.createDirectories(kept.resolve(PolicyVersions.sha256(text(stricter)) + ".yaml.tmp"));
    assertThatThrownBy(() -> live.activate(stricter, "api:a+b", 1))
        .isInstanceOf(IOException.class);
    // else the file would hold a text never kept, which a watcher would serve as an edit
    assertThat(Files.readString(file)).isEqualTo(original);
    assertThat(live.current().version()).isEqualTo("2026-12-07.5");
    assertThat(live.versions().all()).hasSize(1);
  }
}
