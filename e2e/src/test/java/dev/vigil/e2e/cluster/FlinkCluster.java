package dev.vigil.e2e.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Flink standalone session cluster from Flink's own entry points: one JobManager
 * (StandaloneSessionClusterEntrypoint) and TaskManagers (TaskManagerRunner), each its own JVM
 * with its own configuration directory (they differ only in the metrics port and the
 * TaskManager's id and directories), on the lib directory flink-lib/ assembles. The JVM options
 * are Flink's own, from BashJavaUtils, as flink's launch scripts compute them.
 */
final class FlinkCluster implements AutoCloseable {
  static final int SLOTS_PER_TASK_MANAGER = 4;
  /** What Flink's launch scripts open on Java 17 (flink-dist's config.yaml, env.java.opts.all). */
  private static final List<String> JAVA_OPENS = List.of(
      "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
      "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
      "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.net=ALL-UNNAMED",
      "--add-opens=java.base/java.io=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
      "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
      "--add-opens=java.base/java.text=ALL-UNNAMED", "--add-opens=java.base/java.time=ALL-UNNAMED",
      "--add-opens=java.base/java.util=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;
  private final Path lib;
  private final Path logs;
  private final String java;
  private final Map<String, String> common;
  private final int restPort;
  private final Node jobManager;
  private final List<Node> taskManagers = new ArrayList<>();
  private final List<Integer> metricsPorts = new ArrayList<>();
  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();

  private FlinkCluster(Path dir, Path lib, Path logs, String java) throws IOException,
      InterruptedException {
    this.dir = dir;
    this.lib = lib;
    this.logs = logs;
    this.java = java;
    this.restPort = Ports.free();
    common = new LinkedHashMap<>();
    common.put("jobmanager.rpc.address", "127.0.0.1");
    common.put("jobmanager.rpc.port", Integer.toString(Ports.free()));
    common.put("jobmanager.bind-host", "127.0.0.1");
    common.put("jobmanager.memory.process.size", "1024m");
    common.put("rest.address", "127.0.0.1");
    common.put("rest.bind-address", "127.0.0.1");
    common.put("rest.port", Integer.toString(restPort));
    common.put("blob.server.port", Integer.toString(Ports.free()));
    common.put("taskmanager.host", "127.0.0.1");
    common.put("taskmanager.bind-host", "127.0.0.1");
    common.put("taskmanager.numberOfTaskSlots", Integer.toString(SLOTS_PER_TASK_MANAGER));
    // 2 cores, modest heaps: RocksDB's managed memory is 40% of Flink's memory (about 480 MB per
    // TaskManager, shared by the slots' keyed stages)
    common.put("taskmanager.memory.process.size", "1600m");
    common.put("taskmanager.memory.managed.fraction", "0.4");
    common.put("taskmanager.load-balance.mode", "slots");
    common.put("state.backend.type", "rocksdb");
    common.put("execution.checkpointing.dir", dir.resolve("checkpoints").toUri().toString());
    common.put("execution.checkpointing.savepoint-dir",
        dir.resolve("savepoints").toUri().toString());
    common.put("execution.checkpointing.interval", "5 s");
    // a TaskManager killed -9 is noticed within seconds, not the default 50
    common.put("heartbeat.interval", "2000");
    common.put("heartbeat.timeout", "20000");
    common.put("metrics.reporter.prom.factory.class",
        "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
    jobManager = new Node("flink-jobmanager", command(conf("jobmanager", Map.of()),
        "GET_JM_RESOURCE_PARAMS", "org.apache.flink.runtime.entrypoint"
            + ".StandaloneSessionClusterEntrypoint"), Map.of(), logs);
  }

  /** Starts the JobManager and {@code taskManagers} TaskManagers. */
  static FlinkCluster start(Path dir, Path lib, Path logs, String java, int taskManagers)
      throws IOException, InterruptedException {
    var cluster = new FlinkCluster(dir, lib, logs, java);
    cluster.jobManager.start();
    for (int i = 0; i < taskManagers; i++) {
      cluster.addTaskManager();
    }
    return cluster;
  }

  /** Starts one more TaskManager (a replacement after a kill). */
  Node addTaskManager() throws IOException, InterruptedException {
    String id = "taskmanager-" + (taskManagers.size() + 1);
    Path work = dir.resolve(id);
    Files.createDirectories(work.resolve("tmp"));
    var node = new Node("flink-" + id, command(conf(id, Map.of(
        "taskmanager.resource-id", id,
        "io.tmp.dirs", work.resolve("tmp").toString(),
        "state.backend.rocksdb.localdir", work.resolve("rocksdb").toString())),
        "GET_TM_RESOURCE_PARAMS", "org.apache.flink.runtime.taskexecutor.TaskManagerRunner"),
        Map.of(), logs);
    taskManagers.add(node);
    return node.start();
  }

  List<Node> taskManagers() {
    return taskManagers;
  }

  Node jobManager() {
    return jobManager;
  }

  /** The Prometheus ports of the JobManager and the TaskManagers, in start order. */
  List<Integer> metricsPorts() {
    return metricsPorts;
  }

  Path jobManagerConf() {
    return dir.resolve("conf-jobmanager");
  }

  private Path conf(String name, Map<String, String> own) throws IOException {
    Path conf = dir.resolve("conf-" + name);
    Files.createDirectories(conf);
    var all = new LinkedHashMap<>(common);
    int metrics = Ports.free();
    metricsPorts.add(metrics);
    all.put("metrics.reporter.prom.port", Integer.toString(metrics));
    all.putAll(own);
    var yaml = new StringBuilder();
    all.forEach((k, v) -> yaml.append(k).append(": ").append(quote(v)).append('\n'));
    Files.writeString(conf.resolve("config.yaml"), yaml);
    return conf;
  }

  private static String quote(String v) {
    return v.matches("[A-Za-z0-9._/:-]+") && !v.contains(": ") ? v : "\"" + v + "\"";
  }

  /** The JVM options and dynamic settings BashJavaUtils computes, then the entry point. */
  private List<String> command(Path conf, String resources, String mainClass)
      throws IOException, InterruptedException {
    String classpath = lib + "/*";
    var utils = new ProcessBuilder(java, "-cp", classpath,
        "org.apache.flink.runtime.util.bash.BashJavaUtils", resources, "--configDir",
        conf.toString()).redirectErrorStream(true).start();
    String out = new String(utils.getInputStream().readAllBytes());
    if (utils.waitFor() != 0) {
      throw new IOException("BashJavaUtils " + resources + " failed:\n" + out);
    }
    List<String> results = new ArrayList<>();
    for (String line : out.split("\n")) {
      if (line.startsWith("BASH_JAVA_UTILS_EXEC_RESULT:")) {
        results.add(line.substring("BASH_JAVA_UTILS_EXEC_RESULT:".length()).trim());
      }
    }
    if (results.size() < 2) {
      throw new IOException("BashJavaUtils " + resources + " printed no result:\n" + out);
    }
    var command = new ArrayList<String>();
    command.add(java);
    command.addAll(List.of(results.get(0).split(" ")));
    command.addAll(JAVA_OPENS);
    command.addAll(List.of("-cp", classpath, mainClass, "--configDir", conf.toString()));
    command.addAll(List.of(results.get(1).split(" ")));
    return command;
  }

  /** A GET of the REST API, as JSON. */
  JsonNode get(String path) {
    try {
      var response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + restPort
          + path)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() / 100 != 2) {
        throw new IllegalStateException("GET " + path + ": " + response.statusCode() + " "
            + response.body());
      }
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new IllegalStateException("GET " + path + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private JsonNode post(String path, String body) throws IOException, InterruptedException {
    var response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + restPort
            + path)).timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() / 100 != 2) {
      throw new IOException("POST " + path + ": " + response.statusCode() + " " + response.body());
    }
    return JSON.readTree(response.body());
  }

  /** Waits until {@code count} TaskManagers have registered with the JobManager. */
  void awaitTaskManagers(int count, Duration limit) throws InterruptedException {
    Deadline.await(count + " TaskManagers registered", limit, 500,
        () -> get("/overview").path("taskmanagers").asInt() == count);
  }

  /**
   * Submits the job as {@code flink run -d -p parallelism [-s savepoint -cm claim] jar args}
   * would: Flink's CliFrontend, with the JobManager's configuration directory. Returns the job id
   * the job's main printed once it ran.
   */
  String submit(Path jar, int parallelism, String savepoint, List<String> args)
      throws IOException, InterruptedException {
    var command = new ArrayList<>(List.of(java, "-Xmx512m"));
    command.addAll(JAVA_OPENS);
    command.addAll(List.of("-cp", lib + "/*", "org.apache.flink.client.cli.CliFrontend", "run",
        "-d", "-p", Integer.toString(parallelism)));
    if (savepoint != null) {
      // claimed: the restored job owns the savepoint's files (the state changelog cannot take
      // the full first checkpoint a NO_CLAIM restore demands)
      command.addAll(List.of("-s", savepoint, "-cm", "claim"));
    }
    command.add(jar.toString());
    command.addAll(args);
    var client = new Node("flink-run-" + System.currentTimeMillis(), command,
        Map.of("FLINK_CONF_DIR", jobManagerConf().toString()), logs).start();
    int code = client.waitFor(600);
    Matcher m = Pattern.compile("profile job running \\(job ([0-9a-f]{32})\\)")
        .matcher(client.log());
    if (code != 0 || !m.find()) {
      throw new IOException("flink run exited with " + code + "\n" + client.tail());
    }
    return m.group(1);
  }

  /** Whether the job runs with every subtask of every vertex running. */
  boolean allRunning(String job) {
    JsonNode j = get("/jobs/" + job);
    if (!"RUNNING".equals(j.path("state").asText())) {
      return false;
    }
    for (JsonNode v : j.path("vertices")) {
      // a vertex reads RUNNING once one subtask runs: count the subtasks in every other state
      var states = v.path("tasks").fields();
      while (states.hasNext()) {
        var state = states.next();
        if (!state.getKey().equals("RUNNING") && state.getValue().asInt() > 0) {
          return false;
        }
      }
      if (v.path("tasks").path("RUNNING").asInt() != v.path("parallelism").asInt()) {
        return false;
      }
    }
    return true;
  }

  /** The job's checkpoint statistics (counts, latest completed and restored). */
  JsonNode checkpoints(String job) {
    return get("/jobs/" + job + "/checkpoints");
  }

  /** Completed checkpoints of the job so far. */
  long completedCheckpoints(String job) {
    return checkpoints(job).path("counts").path("completed").asLong();
  }

  /** The TaskManager whose slots the job fills most (the one to kill). */
  String busiestTaskManager() {
    String busiest = null;
    int least = Integer.MAX_VALUE;
    for (JsonNode tm : get("/taskmanagers").path("taskmanagers")) {
      int free = tm.path("freeSlots").asInt();
      if (free < least) {
        least = free;
        busiest = tm.path("id").asText();
      }
    }
    return busiest;
  }

  /** The node of the TaskManager with resource id {@code id}. */
  Node taskManager(String id) {
    return taskManagers.stream().filter(n -> n.name().equals("flink-" + id)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no TaskManager " + id));
  }

  /**
   * Stop-with-savepoint ({@code flink stop}): the job takes a savepoint into {@code target} and
   * finishes; the savepoint's path. A savepoint that fails (a checkpoint declined) is asked for
   * again, up to three times.
   */
  String stopWithSavepoint(String job, Path target, Duration limit) throws Exception {
    String failure = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      String trigger = post("/jobs/" + job + "/stop", "{\"targetDirectory\":\""
          + target.toUri() + "\",\"drain\":false}").path("request-id").asText();
      JsonNode[] done = new JsonNode[1];
      int[] unknown = new int[1];
      Deadline.await("the savepoint of job " + job, limit, 500, () -> {
        JsonNode status;
        try {
          status = get("/jobs/" + job + "/savepoints/" + trigger);
        } catch (IllegalStateException e) {
          // an operation the JobManager no longer knows (refused as it began): ask again
          if (++unknown[0] < 20) {
            return false;
          }
          done[0] = JSON.createObjectNode().put("failure-cause", String.valueOf(e));
          return true;
        }
        done[0] = status.path("operation");
        return "COMPLETED".equals(status.path("status").path("id").asText());
      });
      if (!done[0].has("failure-cause")) {
        Deadline.await("job " + job + " finished", limit, 500,
            () -> get("/jobs/" + job).path("state").asText().equals("FINISHED"));
        return done[0].path("location").asText();
      }
      failure = done[0].path("failure-cause").toString().lines().findFirst().orElse("");
      if (failure.length() > 300) {
        failure = failure.substring(0, 300);
      }
      Deadline.await("job " + job + " running again", limit, 500, () -> allRunning(job));
    }
    throw new IOException("stop-with-savepoint of job " + job + " failed 3 times: " + failure);
  }

  @Override
  public void close() throws InterruptedException {
    for (Node tm : taskManagers) {
      tm.close();
    }
    jobManager.close();
  }
}
