package dev.vigil.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One of Vigil's processes (the streaming job, the scoring service) in its own JVM, started from
 * its module's classes and the runtime classpath the build wrote to target/classpath.txt, with its
 * output in a log file.
 */
final class VigilProcess implements AutoCloseable {
  private final String name;
  private final List<String> command;
  private final Map<String, String> env;
  private final Path log;
  private Process process;

  VigilProcess(String name, String module, String mainClass, String heap, List<String> args,
      Map<String, String> env, Path logDir) throws IOException {
    Path root = Path.of("").toAbsolutePath().getParent();
    Path moduleDir = root.resolve(module);
    String classpath = moduleDir.resolve("target/classes") + java.io.File.pathSeparator
        + Files.readString(moduleDir.resolve("target/classpath.txt")).trim();
    this.name = name;
    this.command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
        .toString(), "-Xmx" + heap, "-cp", classpath, mainClass));
    this.command.addAll(args);
    this.env = env;
    this.log = logDir.resolve(name + ".log");
  }

  VigilProcess start() throws IOException {
    var builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().putAll(env);
    process = builder.start();
    return this;
  }

  /** kill -9: no shutdown hook, no flush, no goodbye. */
  void killHard() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  /** Sends a signal by name ({@code STOP}, {@code CONT}): a pause, not an exit. */
  void signal(String name) throws IOException, InterruptedException {
    // bash's own kill: a minimal machine may have no kill binary
    int code = new ProcessBuilder("bash", "-c", "kill -" + name + " " + process.pid())
        .inheritIO().start().waitFor();
    if (code != 0) {
      throw new IOException("kill -" + name + " " + process.pid() + " exited with " + code);
    }
  }

  /** Waits for the process to exit; its exit code. */
  int waitFor(java.time.Duration timeout) throws InterruptedException, IOException {
    if (!process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new IOException(name + " did not exit within " + timeout + "\n" + tail());
    }
    return process.exitValue();
  }

  long pid() {
    return process.pid();
  }

  boolean alive() {
    return process != null && process.isAlive();
  }

  String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "";
    }
  }

  /**
   * The last lines of the log, for a failure message, after the earlier lines that report a
   * failure (an error, an exception, a task failing or restarting), which a busy tail can push out.
   */
  String tail() {
    try {
      List<String> lines = Files.readAllLines(log);
      int from = Math.max(0, lines.size() - 40);
      List<String> failures = lines.subList(0, from).stream()
          .filter(l -> l.contains("ERROR") || l.contains("Exception") || l.contains("FAILED")
              || l.contains("RESTARTING"))
          .toList();
      var out = new StringBuilder();
      if (!failures.isEmpty()) {
        out.append(name).append(" log, lines reporting failures before the last 40 (")
            .append(failures.size()).append(", the first 20):\n")
            .append(String.join("\n", failures.subList(0, Math.min(20, failures.size()))))
            .append('\n');
      }
      return out.append(name).append(" log (last 40 lines):\n")
          .append(String.join("\n", lines.subList(from, lines.size()))).toString();
    } catch (IOException e) {
      return name + " log unreadable: " + e;
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    }
  }
}
