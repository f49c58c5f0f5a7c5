package dev.vigil.e2e.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.features.event.Event;
import dev.vigil.history.simulator.Simulator;
import dev.vigil.testkit.EmbeddedKafka;
import io.grpc.ManagedChannel;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;

/**
 * {@code ./vigil cluster-check}: Vigil as a bank runs it, from the release artifacts, each part a
 * process of its own on this machine: three KRaft brokers, a Flink standalone session cluster
 * (a JobManager, two TaskManagers) running the profile job at parallelism 4 on RocksDB, and two
 * scoring-service replicas behind a round-robin client with a retry policy. Then four faults,
 * each while events are published and transactions scored, each a named check with its figures:
 * a TaskManager killed -9, a broker killed -9, a replica killed -9, stop-with-savepoint and
 * restarts at parallelism 2 and 4. The last line is {@code cluster-check: N passed, M failed}.
 *
 * <p>Options: {@code --accounts N} (the simulated book's customers, default 60), {@code --days D}
 * (history, default 20), {@code --dist DIR} (default dist/ of the checkout), {@code
 * --events-per-second R} (publication rate, default 100), {@code --calls-per-second C} (scoring
 * rate, default 10). The processes' directories stay under var/cluster-check/ for inspection.
 */
public final class ClusterCheck {
  private static final String EVENTS = "vigil.events";
  private static final String PROFILES = "vigil.profiles";
  private static final String DECISIONS = "vigil.decisions";

  /** A check's outcome: its name, whether it held, its figures and, if it failed, why. */
  record Outcome(String name, boolean passed, Map<String, Object> figures, String why) {}

  private final Map<String, String> options;
  private final Path root;
  private final Path work;
  private final Path logs;
  private final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
  private final List<AutoCloseable> opened = new ArrayList<>();
  private final List<Outcome> outcomes = new ArrayList<>();

  private Release release;
  private KafkaQuorum kafka;
  private FlinkCluster flink;
  private ServiceReplicas replicas;
  private Publisher publisher;
  private Scorer scorer;
  private String job;
  private List<String> jobArgs;

  private ClusterCheck(Map<String, String> options) throws Exception {
    this.options = options;
    String home = System.getenv("VIGIL_HOME");
    root = home != null ? Path.of(home) : Path.of("").toAbsolutePath().getParent();
    work = root.resolve("var/cluster-check").resolve(DateTimeFormatter
        .ofPattern("yyyyMMdd-HHmmss", Locale.ROOT).withZone(ZoneOffset.UTC).format(Instant.now()));
    logs = work.resolve("logs");
    Files.createDirectories(logs);
  }

  public static void main(String[] args) throws Exception {
    var options = new LinkedHashMap<String, String>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--")) {
        System.err.println("cluster-check: " + args[i] + ": not an option (--accounts N, --days D,"
            + " --dist DIR, --events-per-second R, --calls-per-second C)");
        System.exit(2);
      }
      String key = args[i].substring(2);
      int eq = key.indexOf('=');
      if (eq > 0) {
        options.put(key.substring(0, eq), key.substring(eq + 1));
      } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
        options.put(key, args[++i]);
      } else {
        options.put(key, "true");
      }
    }
    var check = new ClusterCheck(options);
    Runtime.getRuntime().addShutdownHook(new Thread(check::stopAll, "cluster-check-stop"));
    int failed = check.run();
    System.exit(failed > 0 ? 1 : 0);
  }

  private int intOption(String key, int fallback) {
    String v = options.get(key);
    try {
      return v == null ? fallback : Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + key + ": \"" + v + "\" is not a whole number", e);
    }
  }

  private int run() {
    long started = System.nanoTime();
    System.out.println("cluster-check: every process's log is in " + logs);
    try {
      setUp();
      check("taskmanager-kill", this::taskManagerKill);
      check("broker-kill", this::brokerKill);
      check("replica-kill", this::replicaKill);
      check("savepoint-rescale", this::savepointRescale);
      bookFigures();
    } catch (Throwable t) {
      outcomes.add(new Outcome("set-up", false, Map.of(), String.valueOf(t)));
      t.printStackTrace(System.out);
    } finally {
      stopAll();
    }
    long passed = outcomes.stream().filter(Outcome::passed).count();
    long failed = outcomes.size() - passed;
    // the four checks are always counted: one that never ran failed
    for (String name : List.of("taskmanager-kill", "broker-kill", "replica-kill",
        "savepoint-rescale")) {
      if (outcomes.stream().noneMatch(o -> o.name().equals(name))) {
        failed++;
        System.out.println("cluster-check: " + name + ": FAILED (did not run)");
      }
    }
    System.out.printf(Locale.ROOT, "cluster-check: took %d s on this machine (logs in %s)%n",
        TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started), logs);
    System.out.println("cluster-check: " + passed + " passed, " + failed + " failed");
    return (int) failed;
  }

  // ---- set-up -------------------------------------------------------------------------------

  private List<Event> book;
  private List<List<Event>> slices;
  private int rate;

  private void setUp() throws Exception {
    long t0 = System.nanoTime();
    Path dist = Path.of(options.getOrDefault("dist", root.resolve("dist").toString()));
    String version = System.getProperty("vigil.version", "0.1.0-SNAPSHOT");
    release = Release.unpack(dist, version, work.resolve("release"), logs);
    say("release %s unpacked from %s", version, dist);

    String brokerClasspath = Files.readString(root.resolve("testkit/target/classpath.txt")).trim()
        + File.pathSeparator + own("slf4j-simple");
    kafka = KafkaQuorum.start(work.resolve("kafka"), brokerClasspath, logs, java);
    opened.add(kafka);
    kafka.createTopics();
    say("Kafka: 3 KRaft brokers (broker+controller, one quorum) at %s", kafka.bootstrapServers());
    for (KafkaQuorum.Topic t : KafkaQuorum.TOPICS) {
      say("  topic %s", t.describe());
    }

    flink = FlinkCluster.start(work.resolve("flink"), root.resolve("flink-lib/target/lib"), logs,
        java, 2);
    opened.add(flink);
    flink.awaitTaskManagers(2, Duration.ofMinutes(3));
    say("Flink: JobManager and 2 TaskManagers (%d slots each); Prometheus on ports %s",
        FlinkCluster.SLOTS_PER_TASK_MANAGER, flink.metricsPorts());

    int accounts = intOption("accounts", 60);
    int days = intOption("days", 20);
    book = simulate(accounts, days);
    int sliceSize = (book.size() + 4) / 5;
    slices = new ArrayList<>();
    for (int i = 0; i < book.size(); i += sliceSize) {
      slices.add(book.subList(i, Math.min(book.size(), i + sliceSize)));
    }
    rate = intOption("events-per-second", 100);
    say("book: %d customers, %d days, %d events in %d slices of %d, published at %d/s",
        accounts, days, book.size(), slices.size(), sliceSize, rate);

    jobArgs = List.of("--bootstrap-servers", kafka.bootstrapServers(), "--checkpoints",
        work.resolve("flink/checkpoints").toUri().toString(), "--checkpoint-interval-seconds",
        "5");
    job = flink.submit(release.jobJar(), 4, null, jobArgs);
    Deadline.await("the job's subtasks all running", Duration.ofMinutes(5), 500,
        () -> flink.allRunning(job));
    say("job %s running at parallelism %d", job, parallelism(job));

    replicas = ServiceReplicas.start(release, work.resolve("service"), logs,
        kafka.bootstrapServers(), 2);
    opened.add(replicas);
    replicas.awaitServing(Duration.ofMinutes(5));
    say("service: 2 replicas at %s (mutual TLS), metrics on %s, sharing the model registry and"
        + " the audit token key", replicas.addresses(), replicas.metricsPorts());

    publisher = new Publisher(kafka.bootstrapServers(), EVENTS);
    opened.add(publisher);
    publisher.publish(slices.get(0), rate, null);
    ManagedChannel channel = BalancedChannel.of("vigil", replicas.addresses(),
        replicas.credentials("admin"));
    opened.add(() -> channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    List<Event> debits = book.stream().filter(e -> e.kind() instanceof Event.Transaction t
        && t.direction() == Event.Direction.DEBIT).limit(500).toList();
    scorer = new Scorer(channel, debits, intOption("calls-per-second", 10)).start();
    opened.add(scorer);
    say("set up in %d s; %d events published before the first fault",
        TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0), slices.get(0).size());
    checkProducerSettings();
    checkPrometheus();
  }

  /** The job's metrics reach Prometheus: each TaskManager's reporter serves the job's tasks. */
  private void checkPrometheus() {
    var http = HttpClient.newHttpClient();
    List<Integer> ports = flink.metricsPorts();
    for (int i = 1; i < ports.size(); i++) {
      try {
        String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
            + ports.get(i) + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString()).body();
        say("  %s's Prometheus endpoint :%d: %d job task series (e.g. %s)",
            flink.taskManagers().get(i - 1).name(), ports.get(i),
            body.lines().filter(l -> l.startsWith("flink_taskmanager_job_task_")).count(),
            "flink_taskmanager_job_task_numRecordsInPerSecond");
      } catch (Exception e) {
        say("  Prometheus endpoint :%d not read: %s", ports.get(i), e);
      }
    }
  }

  /** The job's producers are acks=all and idempotent: what Kafka's client logged for them. */
  private void checkProducerSettings() {
    for (Node tm : flink.taskManagers()) {
      String log = tm.log();
      if (log.contains("ProducerConfig values")) {
        say("  %s: the job's producers log acks = %s, enable.idempotence = %s", tm.name(),
            logged(log, "acks = "), logged(log, "enable.idempotence = "));
      }
    }
  }

  private static String logged(String log, String key) {
    var values = new TreeSet<String>();
    int i = 0;
    while ((i = log.indexOf(key, i)) >= 0) {
      int end = log.indexOf('\n', i);
      values.add(log.substring(i + key.length(), end < 0 ? log.length() : end).trim());
      i += key.length();
    }
    return String.join("|", values);
  }

  /** A jar of this program's own classpath whose name starts with {@code prefix}. */
  private static String own(String prefix) {
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (Path.of(entry).getFileName().toString().startsWith(prefix)) {
        return entry;
      }
    }
    throw new IllegalStateException("no " + prefix + " jar on the classpath");
  }

  /**
   * A simulated history: {@code customers} customers over {@code days} days ending 70 days ago
   * (every event in the past whatever day it runs, all within the horizon), arriving up to ten
   * minutes out of order.
   */
  private static List<Event> simulate(int customers, int days) {
    Instant start = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(Duration.ofDays(days + 70));
    var events = new ArrayList<Event>();
    new Simulator(new Simulator.Config(27, customers, days, start, 600_000L)).run(events::add);
    return events;
  }

  // ---- the checks -----------------------------------------------------------------------------

  private interface CheckBody {
    Outcome run(String name) throws Exception;
  }

  private void check(String name, CheckBody body) {
    say("%s: starting", name);
    Outcome outcome;
    try {
      outcome = body.run(name);
    } catch (Throwable t) {
      t.printStackTrace(System.out);
      outcome = new Outcome(name, false, Map.of(), String.valueOf(t));
    }
    outcomes.add(outcome);
    var figures = new StringBuilder();
    outcome.figures().forEach((k, v) -> figures.append(k).append('=').append(v).append(' '));
    System.out.println("cluster-check: " + name + ": " + (outcome.passed() ? "PASSED" : "FAILED")
        + " " + figures.toString().trim() + (outcome.passed() ? "" : "\n  why: " + outcome.why()));
  }

  /** 1: a TaskManager killed -9 mid-publication; the job restores from its checkpoint. */
  private Outcome taskManagerKill(String name) throws Exception {
    long before = flink.completedCheckpoints(job);
    Deadline.await("a checkpoint after the first slice", Duration.ofMinutes(3), 500,
        () -> flink.completedCheckpoints(job) >= before + 2);
    long restoredBefore = flink.checkpoints(job).path("counts").path("restored").asLong();
    String victim = flink.busiestTaskManager();
    Node tm = flink.taskManager(victim);
    var restore = new CompletableFuture<Double>();
    publisher.publish(slices.get(1), rate, () -> {
      try {
        long killed = System.nanoTime();
        tm.killHard();
        say("%s: %s killed -9", name, victim);
        CompletableFuture.runAsync(() -> {
          try {
            Deadline.await("the job restored and running", Duration.ofMinutes(5), 250,
                () -> flink.checkpoints(job).path("counts").path("restored").asLong()
                    > restoredBefore && flink.allRunning(job));
            restore.complete((System.nanoTime() - killed) / 1e9);
          } catch (Exception e) {
            restore.completeExceptionally(e);
          }
        });
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    double restoreSeconds = restore.get(6, TimeUnit.MINUTES);
    JsonNode restored = flink.checkpoints(job).path("latest").path("restored");
    flink.addTaskManager();
    flink.awaitTaskManagers(2, Duration.ofMinutes(3));
    var reference = new ReferenceFold(publisher.acknowledged());
    List<String> differences = reference.await(kafka.bootstrapServers(), PROFILES,
        Duration.ofMinutes(5));
    var figures = new LinkedHashMap<String, Object>();
    figures.put("events", publisher.acknowledged().size());
    figures.put("killed", victim);
    figures.put("restore_s", String.format(Locale.ROOT, "%.1f", restoreSeconds));
    figures.put("restored_checkpoint", restored.path("id").asText());
    figures.put("entities_compared", reference.entities());
    figures.put("differences", differences.size());
    return new Outcome(name, differences.isEmpty(), figures, first(differences));
  }

  /** 2: one broker killed -9 mid-publication: nothing acknowledged or audited is lost. */
  private Outcome brokerKill(String name) throws Exception {
    Node broker = kafka.broker(2);
    long[] killed = new long[1];
    long callsFrom = System.nanoTime();
    publisher.publish(slices.get(2), rate, () -> {
      try {
        killed[0] = System.nanoTime();
        broker.killHard();
        say("%s: %s killed -9", name, broker.name());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    long ackedAfterKill = publisher.acknowledgedAfter(killed[0]);
    List<Scorer.Call> calls = scorer.since(callsFrom);
    // every acknowledged event is on the events topic
    Set<String> onTopic = new HashSet<>();
    for (var r : EmbeddedKafka.readAll(kafka.bootstrapServers(), EVENTS)) {
      // the wire's Event (the features' Event has the simple name here)
      onTopic.add(dev.vigil.proto.v1.Event.parseFrom(r.value()).getEventId());
    }
    long lost = publisher.acknowledged().stream().filter(e -> !onTopic.contains(e.eventId()))
        .count();
    // every answered decision's audit record reaches the decisions topic
    List<String> answered = scorer.auditIds();
    Set<String> audited = new HashSet<>();
    List<String> missing = new ArrayList<>(answered);
    long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (!missing.isEmpty() && System.nanoTime() < end) {
      for (var r : EmbeddedKafka.readAll(kafka.bootstrapServers(), DECISIONS)) {
        audited.add(new String(r.key(), StandardCharsets.UTF_8));
      }
      missing.removeIf(audited::contains);
      if (!missing.isEmpty()) {
        Thread.sleep(2_000);
      }
    }
    var verify = ServiceReplicas.tool(release, logs, "audit-verify", 300, "audit", "verify",
        "--bootstrap-servers", kafka.bootstrapServers());
    String verdict = String.join("; ", verify.log().lines()
        .filter(l -> l.startsWith("writer ")).toList());
    long restart = System.nanoTime();
    broker.start();
    kafka.awaitFullySynced(Duration.ofMinutes(5));
    var figures = new LinkedHashMap<String, Object>();
    figures.put("events_acknowledged", publisher.acknowledged().size());
    figures.put("acknowledged_after_kill", ackedAfterKill);
    figures.put("lost", lost);
    figures.put("resent", publisher.resent());
    figures.put("calls", calls.size());
    figures.put("call_failures", Scorer.failures(calls));
    figures.put("audit_records_checked", answered.size());
    figures.put("audit_missing", missing.size());
    figures.put("resync_s", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - restart));
    figures.put("audit_verify", "\"" + verdict + "\"");
    boolean passed = lost == 0 && ackedAfterKill > 0 && missing.isEmpty();
    return new Outcome(name, passed, figures, lost + " acknowledged events lost, "
        + ackedAfterKill + " acknowledged after the kill, " + missing.size()
        + " audit records missing");
  }

  /** 3: one replica killed -9 while scoring: no call fails beyond the retry policy. */
  private Outcome replicaKill(String name) throws Exception {
    Node victim = replicas.replica(0);
    long[] killed = new long[1];
    publisher.publish(slices.get(3), rate, () -> {
      try {
        killed[0] = System.nanoTime();
        victim.killHard();
        say("%s: %s killed -9", name, victim.name());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    Deadline.await("100 calls answered after the kill", Duration.ofMinutes(3), 200,
        () -> scorer.since(killed[0]).size() >= 100);
    List<Scorer.Call> after = scorer.since(killed[0]);
    Map<String, Integer> failures = Scorer.failures(after);
    long answered = after.stream().filter(c -> c.auditId() != null).count();
    // the killed replica comes back and catches up with the profiles topic
    long restart = System.nanoTime();
    victim.start();
    replicas.awaitServing(Duration.ofMinutes(5));
    var figures = new LinkedHashMap<String, Object>();
    figures.put("calls_after_kill", after.size());
    figures.put("answered", answered);
    figures.put("failures", failures);
    figures.put("max_attempts", BalancedChannel.MAX_ATTEMPTS);
    figures.put("replica_back_serving_s", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime()
        - restart));
    return new Outcome(name, failures.isEmpty() && answered >= 100, figures,
        "failures after the kill: " + failures);
  }

  /** 4: stop-with-savepoint, restart at parallelism 2, again, restart at 4. */
  private Outcome savepointRescale(String name) throws Exception {
    List<Event> slice = slices.size() > 4 ? slices.get(4) : List.of();
    var figures = new LinkedHashMap<String, Object>();
    List<Integer> parallelisms = new ArrayList<>();
    for (int step = 0; step < 2; step++) {
      int p = step == 0 ? 2 : 4;
      List<Event> part = step == 0 ? slice.subList(0, slice.size() / 2)
          : slice.subList(slice.size() / 2, slice.size());
      var rescaled = new CompletableFuture<Void>();
      publisher.publish(part, rate, () -> CompletableFuture.runAsync(() -> {
        try {
          long t = System.nanoTime();
          String savepoint = flink.stopWithSavepoint(job, work.resolve("flink/savepoints"),
              Duration.ofMinutes(5));
          double stopped = (System.nanoTime() - t) / 1e9;
          job = flink.submit(release.jobJar(), p, savepoint, jobArgs);
          Deadline.await("the job at parallelism " + p + " running", Duration.ofMinutes(5),
              250, () -> flink.allRunning(job));
          figures.put("savepoint_" + p + "_s", String.format(Locale.ROOT, "%.1f", stopped));
          figures.put("restart_" + p + "_s", String.format(Locale.ROOT, "%.1f",
              (System.nanoTime() - t) / 1e9 - stopped));
          parallelisms.add(parallelism(job));
          say("%s: restarted from %s at parallelism %d (job %s)", name, savepoint, p, job);
          rescaled.complete(null);
        } catch (Exception e) {
          rescaled.completeExceptionally(e);
        }
      }));
      rescaled.get(15, TimeUnit.MINUTES);
    }
    var reference = new ReferenceFold(publisher.acknowledged());
    List<String> differences = reference.await(kafka.bootstrapServers(), PROFILES,
        Duration.ofMinutes(5));
    figures.put("parallelism", parallelisms);
    figures.put("events", publisher.acknowledged().size());
    figures.put("entities_compared", reference.entities());
    figures.put("differences", differences.size());
    JsonNode latest = flink.checkpoints(job).path("latest").path("completed");
    figures.put("checkpoint_size_bytes", latest.path("checkpointed_size").asLong());
    figures.put("checkpoint_duration_ms", latest.path("end_to_end_duration").asLong());
    boolean passed = differences.isEmpty() && parallelisms.equals(List.of(2, 4));
    return new Outcome(name, passed, figures, parallelisms + " " + first(differences));
  }

  /**
   * Figures of the book beside the checks: the profiles topic's size, and a replica started
   * with an empty state directory filling its store from it (time to SERVING, records/s).
   */
  private void bookFigures() throws Exception {
    long records = 0;
    var keys = new HashSet<String>();
    for (var r : EmbeddedKafka.readAll(kafka.bootstrapServers(), PROFILES)) {
      records++;
      keys.add(new String(r.key(), StandardCharsets.UTF_8));
    }
    long bytes = 0;
    try (var admin = Admin.create(kafka.client())) {
      var dirs = admin.describeLogDirs(List.of(1)).allDescriptions().get(1, TimeUnit.MINUTES);
      for (var brokerDirs : dirs.values()) {
        for (var d : brokerDirs.values()) {
          for (var replica : d.replicaInfos().entrySet()) {
            if (replica.getKey().topic().equals(PROFILES)) {
              bytes += replica.getValue().size();
            }
          }
        }
      }
    }
    say("figures: profiles topic %d records, %d keys, %d bytes on one broker", records,
        keys.size(), bytes);
    long t = System.nanoTime();
    replicas.add();
    replicas.awaitServing(2, Duration.ofMinutes(10));
    double seconds = (System.nanoTime() - t) / 1e9;
    say("figures: a replica from an empty state directory: SERVING after %.1f s (start-up and"
        + " %d profile records, %.0f records/s including the JVM's start)", seconds, records,
        records / seconds);
  }

  /** The highest parallelism of the job's vertices. */
  private int parallelism(String jobId) {
    int p = 0;
    for (JsonNode v : flink.get("/jobs/" + jobId).path("vertices")) {
      p = Math.max(p, v.path("parallelism").asInt());
    }
    return p;
  }

  private static String first(List<String> differences) {
    return differences.isEmpty() ? "" : differences.size() + " differences, first: "
        + differences.subList(0, Math.min(5, differences.size()));
  }

  private static void say(String format, Object... args) {
    System.out.println("cluster-check: " + String.format(Locale.ROOT, format, args));
  }

  /** Stops every process, newest first; kill -9 of whatever does not stop. */
  private synchronized void stopAll() {
    for (int i = opened.size() - 1; i >= 0; i--) {
      try {
        opened.get(i).close();
      } catch (Exception e) {
        System.out.println("cluster-check: stopping: " + e);
      }
    }
    opened.clear();
  }
}
