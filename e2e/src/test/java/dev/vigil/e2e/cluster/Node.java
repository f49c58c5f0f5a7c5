package dev.vigil.e2e.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One process of the cluster (a broker, a JobManager, a TaskManager, a replica), its log a file. */
final class Node implements AutoCloseable {
  private final String name;
  private final List<String> command;
  private final Map<String, String> env;
  private final Path log;
  private Process process;

  Node(String name, List<String> command, Map<String, String> env, Path logDir) {
    this.name = name;
    this.command = List.copyOf(command);
    this.env = Map.copyOf(env);
    this.log = logDir.resolve(name + ".log");
  }

  String name() {
    return name;
  }

  /** Starts the process (again, after a kill), appending to its log. */
  Node start() throws IOException {
    if (alive()) {
      throw new IllegalStateException(name + " is running already (pid " + process.pid() + ")");
    }
    var builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().putAll(env);
    process = builder.start();
    return this;
  }

  /** kill -9 of the process and of any process it started (a launcher script's JVM). */
  void killHard() throws InterruptedException {
    if (process == null) {
      return;
    }
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    process.waitFor();
  }

  boolean alive() {
    return process != null && process.isAlive();
  }

  /** Waits for the process to exit (a command, not a server); its exit code. */
  int waitFor(long seconds) throws InterruptedException, IOException {
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      killHard();
      throw new IOException(name + " did not exit within " + seconds + " s\n" + tail());
    }
    return process.exitValue();
  }

  String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "";
    }
  }

  /** The last lines of the log, for a failure message. */
  String tail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return name + " (" + log + ", last 30 lines):\n"
          + String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return name + ": log unreadable: " + e;
    }
  }

  /** SIGTERM, then kill -9 after 20 s. */
  @Override
  public void close() throws InterruptedException {
    if (alive()) {
      process.destroy();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        killHard();
      }
    }
    if (process != null) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
    }
  }
}
