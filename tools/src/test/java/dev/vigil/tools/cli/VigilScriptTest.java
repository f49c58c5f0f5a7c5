package dev.vigil.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.history.cli.BuildVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code vigil} script itself, run by bash with a {@code mvn} on the PATH that records each
 * call and fails: its help lists the commands, {@code --help} and {@code --version} never build,
 * a failed build stops with one line, and arguments reach the Java main as given (a {@code java}
 * that prints its arguments, in a copy of the script with a build in place).
 */
class VigilScriptTest {
  static final Path SCRIPT = Path.of("..", "vigil").toAbsolutePath().normalize();
  static final List<String> COMMANDS = List.of("up", "demo", "job", "audit verify",
      "audit token", "tls init|renew", "simulate", "training-set", "catalogue", "models",
      "models drift", "build", "test", "dist", "bench", "job-bench", "load-bench",
      "catch-up-bench", "chaos", "cluster-check");

  @TempDir Path dir;
  Path bin;
  Path mvnCalls;

  record Run(int code, String out, String err) {}

  @BeforeEach
  void fakeMaven() throws IOException {
    bin = Files.createDirectories(dir.resolve("bin"));
    mvnCalls = dir.resolve("mvn-calls");
    executable(bin.resolve("mvn"), "#!/bin/sh\necho \"mvn $*\" >> '" + mvnCalls + "'\n"
        + "echo '[ERROR] COMPILATION ERROR' >&2\nexit 1\n");
  }

  static void executable(Path file, String text) throws IOException {
    Files.writeString(file, text);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  Run run(Path script, String... args) throws Exception {
    var command = new ArrayList<>(List.of("bash", script.toString()));
    command.addAll(List.of(args));
    var pb = new ProcessBuilder(command).directory(dir.toFile());
    pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
    pb.redirectOutput(dir.resolve("out").toFile()).redirectError(dir.resolve("err").toFile());
    Process p = pb.start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s finished", command).isTrue();
    return new Run(p.exitValue(), Files.readString(dir.resolve("out")),
        Files.readString(dir.resolve("err")));
  }

  @Test
  void helpListsEveryCommandWithoutBuilding() throws Exception {
    for (String[] asked : List.of(new String[] {"--help"}, new String[] {"-h"},
        new String[] {"help"}, new String[0])) {
      Run r = run(SCRIPT, asked);
      assertThat(r.code()).as(String.join(" ", asked)).isZero();
      assertThat(r.out()).startsWith("Usage: ./vigil COMMAND").doesNotContain("#");
      for (String command : COMMANDS) {
        assertThat(r.out()).as("%s lists %s", String.join(" ", asked), command)
            .containsPattern("\n  " + command.replace("|", "\\|") + " +[a-z]");
      }
    }
    Run unknown = run(SCRIPT, "frobnicate", "--help");
    assertThat(unknown.code()).isEqualTo(2);
    assertThat(unknown.err()).isEqualTo("vigil: 'frobnicate' is not a command; ./vigil --help"
        + " lists them\n");
    // two commands' words as one argument are no command either
    Run phrase = run(SCRIPT, "up test");
    assertThat(phrase.code()).isEqualTo(2);
    assertThat(phrase.err()).startsWith("vigil: 'up test' is not a command");
    assertThat(mvnCalls).doesNotExist();
  }

  @Test
  void everyCommandsHelpAndVersionNeverBuild() throws Exception {
    var commands = new ArrayList<>(List.of("up", "test", "build", "dist", "bench", "job-bench",
        "load-bench", "catch-up-bench", "chaos", "cluster-check", "job", "simulate",
        "training-set", "catalogue", "models", "models drift", "models train", "demo",
        "audit verify", "audit token", "tls init", "tls renew"));
    for (String command : commands) {
      var args = new ArrayList<>(List.of(command.split(" ")));
      args.add("--help");
      Run help = run(SCRIPT, args.toArray(new String[0]));
      assertThat(help.code()).as("%s --help: %s", command, help.err()).isZero();
      assertThat(help.out()).as(command).startsWith("Usage: ./vigil " + command);
      args.set(args.size() - 1, "-V");
      Run version = run(SCRIPT, args.toArray(new String[0]));
      assertThat(version.out()).as(command).isEqualTo("vigil " + BuildVersion.version() + "\n");
    }
    // after other arguments, as a user adds it to a command line that failed
    Run late = run(SCRIPT, "models", "train", "--events", "x y.jsonl", "--help");
    assertThat(late.out()).startsWith("Usage: ./vigil models train ");
    assertThat(mvnCalls).as("no command ran Maven").doesNotExist();
  }

  /** A copy of the script in a directory of its own, with only what {@code files} name. */
  Path copy(String... files) throws IOException {
    Path home = Files.createDirectories(dir.resolve("checkout"));
    Files.copy(SCRIPT, home.resolve("vigil"));
    Files.copy(SCRIPT.resolveSibling("pom.xml"), home.resolve("pom.xml"));
    for (String f : files) {
      Files.createDirectories(home.resolve(f).getParent());
      Files.writeString(home.resolve(f), f.endsWith(".txt") ? "/lib/x.jar\n" : "");
    }
    return home;
  }

  @Test
  void aFailedBuildStopsWithOneLine() throws Exception {
    Path home = copy();
    Run r = run(home.resolve("vigil"), "simulate", "--out", "e.jsonl");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err().lines().toList()).containsExactly(
        "vigil: building (sources changed since the last build)...",
        "vigil: build failed (its output: " + home.toRealPath() + "/target/vigil-build.log);"
            + " run ./vigil build to see why");
    assertThat(Files.readString(home.resolve("target/vigil-build.log"))).contains("COMPILATION");
  }

  @Test
  void argumentsReachTheMainAsGiven() throws Exception {
    Path home = copy("tools/target/classpath.txt", "scoring-service/target/classpath.txt",
        "scoring-service/target/test-classpath.txt", "e2e/target/classpath.txt",
        "e2e/target/test-classpath.txt", "tools/target/classes/.keep",
        "scoring-service/target/classes/.keep", "e2e/target/classes/.keep",
        "target/vigil-built");
    // the build is newer than the sources: nothing to build
    try (var files = Files.walk(home)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Files.setLastModifiedTime(f, FileTime.from(Instant.parse(
            f.getFileName().toString().equals("pom.xml") || f.toString().endsWith("vigil")
                ? "2026-01-01T00:00:00Z" : "2026-01-02T00:00:00Z")));
      }
    }
    executable(bin.resolve("java"), "#!/bin/sh\nfor a in \"$@\"; do echo \"[$a]\"; done\n");
    Run tool = run(home.resolve("vigil"), "training-set", "--events", "my events/a b.jsonl",
        "--task", "fraud");
    assertThat(tool.code()).as(tool.err()).isZero();
    assertThat(tool.out()).contains("[dev.vigil.tools.cli.Vigil]\n[training-set]\n[--events]\n"
        + "[my events/a b.jsonl]\n[--task]\n[fraud]\n");
    for (String[] bench : List.of(new String[] {"load-bench", "1000", "a b"},
        new String[] {"chaos", "--soak-minutes", "1", "a b"})) {
      Run r = run(home.resolve("vigil"), bench);
      assertThat(r.code()).as(r.err()).isZero();
      assertThat(r.out()).as(bench[0]).endsWith("[" + bench[1] + "]\n[" + bench[2] + "]\n"
          + (bench.length > 3 ? "[" + bench[3] + "]\n" : ""));
    }
    assertThat(mvnCalls).doesNotExist();
  }
}
