package dev.vigil.scoring.bench;

import com.google.protobuf.Message;
import dev.vigil.features.event.Event;
import dev.vigil.features.event.EventCodec;
import dev.vigil.history.simulator.Simulator;
import dev.vigil.proto.v1.ScoreTransactionRequest;
import dev.vigil.scoring.TestService;
import dev.vigil.scoring.store.ProfileStore;
import dev.vigil.testkit.EmbeddedKafka;
import dev.vigil.testkit.ThreadCpu;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The scoring RPCs under load, each beside a bare gRPC-Java server on the same transport, in the
 * same run and process ({@code ./vigil load-bench [accounts] [seconds]}; defaults 1,000,000 and
 * 12: an estimated 20-25 minutes on 2 cores, several of them filling the store). The lines, in
 * this fixed order ({@link LoadBench#LINES}): ScoreTransaction, ScoreCheckDeposit and
 * ScoreDelinquency in plaintext with the default logistic-regression champions; ScoreTransaction
 * over mutual TLS (both servers); ScoreTransaction with an XGBoost fraud champion trained as
 * {@code ./vigil models train} trains one.
 *
 * <p>For each line: warm-up of both servers (a closed loop for half of {@code seconds}, at least
 * 3 s, longer while the JIT compiler still works, then 2 s at the fixed rate); then two rounds of
 * bare, then Vigil, each a closed loop with 64 calls in flight for {@code seconds} (the maximum
 * rate, and the CPU per call over it) and an open loop at a fixed 2,000 calls/s for {@code
 * seconds} (latency from each call's intended start, so no coordinated omission). CPU per call counts the server's threads: every thread of
 * the process but the load generator's ({@code ld-*}: its driving thread and its own event loop),
 * the embedded broker's and the JIT compiler's (warm-up's, not serving's), each of which is shown
 * apart; the GC threads count (they also collect the generator's garbage, as much beside bare as
 * beside Vigil). The run ends with one line per RPC and transport; a line whose calls had errors,
 * stand-in decisions or answers without a model version says it is not valid.
 */
public final class LoadHarness {
  private static final int IN_FLIGHT = 64;
  private static final int ROUNDS = 2;
  private static final int REQUESTS = 500_000;
  /** The warm-up's open loop at the fixed rate, for each server of a line. */
  private static final int WARM_OPEN_SECONDS = 2;

  public static void main(String[] args) throws Exception {
    int accounts = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 12;
    // the generator's own thread, named so that its CPU is told from the servers'
    var failure = new AtomicReference<Throwable>();
    var generator = new Thread(() -> {
      try {
        run(accounts, seconds);
      } catch (Throwable t) {
        failure.set(t);
      }
    }, LoadBench.GENERATOR_PREFIX + "gen");
    generator.start();
    generator.join();
    if (failure.get() != null) {
      failure.get().printStackTrace();
      System.exit(1);
    }
    System.exit(0);
  }

  /** The fraud history the XGBoost champion learns from (seeded): 1,000 customers, 60 days. */
  static final Simulator.Config FRAUD_HISTORY = new Simulator.Config(20_261_206L, 1_000, 60,
      Instant.parse("2026-01-01T00:00:00Z"), 0);

  private static void run(int accounts, int seconds) throws Exception {
    int warm = Math.max(3, seconds / 2);
    Path dir = Files.createTempDirectory("vigil-load");
    var measured = new ArrayList<Measured>();
    try (var bench = LoadBench.open(dir, accounts, FRAUD_HISTORY, REQUESTS)) {
      LoadBench.Servers servers = null;
      for (LoadBench.Line line : LoadBench.LINES) {
        if (servers == null || servers.variant() != line.variant()) {
          servers = bench.start(line.variant());
        }
        System.out.printf("%n== %s (warm-up: %d-%d s closed loop + %d s at %,.0f/s per server; then"
            + " %d rounds of bare and Vigil, %d s closed loop + %d s at %,.0f/s each)%n",
            line.name(), warm, 3 * warm, WARM_OPEN_SECONDS, LoadBench.FIXED_RATE, ROUNDS,
            seconds, seconds, LoadBench.FIXED_RATE);
        measured.add(measure(bench, servers, line, seconds, warm));
      }
    }
    report(measured, accounts, seconds);
  }

  /** One server's figures over a line's rounds. */
  static final class Side {
    final String name;
    final LoadBench.Tally tally = new LoadBench.Tally();
    final List<Double> rates = new ArrayList<>();
    long calls;
    double serverCpu;
    double generatorCpu;
    double brokerCpu;
    double jitCpu;
    final Map<String, Double> groups = new TreeMap<>();
    final List<long[]> latencies = new ArrayList<>();
    long[] sorted;

    Side(String name) {
      this.name = name;
    }

    double maxRate() {
      return rates.stream().mapToDouble(Double::doubleValue).average().orElse(0);
    }

    double cpuPerCallMicros() {
      return calls == 0 ? 0 : serverCpu * 1e6 / calls;
    }

    /**
     * The whole process's CPU per call but the JIT compiler's: server, load generator and broker,
     * as the load harness counted it before the generator had threads of its own.
     */
    double processCpuPerCallMicros() {
      return calls == 0 ? 0 : (serverCpu + generatorCpu + brokerCpu) * 1e6 / calls;
    }

    long pct(double p) {
      if (sorted == null) {
        sorted = latencies.stream().flatMapToLong(Arrays::stream).sorted().toArray();
      }
      return sorted.length == 0 ? 0
          : sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
    }
  }

  /** A line's two sides. */
  record Measured(LoadBench.Line line, Side bare, Side vigil, LoadBench bench) {}

  static Measured measure(LoadBench bench, LoadBench.Servers servers, LoadBench.Line line,
      int seconds, int warm) throws Exception {
    var bare = new Side("bare");
    var vigil = new Side("Vigil");
    var rpc = line.rpc();
    Message[] requests = bench.requests(rpc);
    ManagedChannel bareChannel = bench.channel(servers.bare());
    ManagedChannel vigilChannel = bench.channel(servers.vigil());
    try {
      // JIT, connections and caches warm for this line's RPC before anything is measured
      for (var side : List.of(bare, vigil)) {
        var channel = side == bare ? bareChannel : vigilChannel;
        double rate = warmUp(side, channel, rpc, requests, warm, side == vigil);
        openLoop(channel, rpc, requests, LoadBench.FIXED_RATE, WARM_OPEN_SECONDS, side.tally,
            side == vigil, drainSeconds(WARM_OPEN_SECONDS, rate));
      }
      for (int round = 1; round <= ROUNDS; round++) {
        for (var side : List.of(bare, vigil)) { // alternating, always in this order
          var channel = side == bare ? bareChannel : vigilChannel;
          bench.awaitAuditDelivered(); // no earlier phase's audit delivery charged to this one
          var before = ThreadCpu.snapshot();
          double cpuBefore = side.serverCpu;
          long t0 = System.nanoTime();
          long calls = closedLoop(channel, rpc, requests, seconds, side.tally, side == vigil);
          double rate = calls / ((System.nanoTime() - t0) / 1e9);
          if (side == vigil) {
            // the delivery of these decisions' audit records is part of their cost: waited for
            // before the closing snapshot, outside the rate's time
            bench.awaitAuditDelivered();
          }
          attribute(bench, before, ThreadCpu.snapshot(), side);
          side.rates.add(rate);
          side.calls += calls;
          long[] latency = openLoop(channel, rpc, requests, LoadBench.FIXED_RATE, seconds,
              side.tally, side == vigil, drainSeconds(seconds, rate));
          side.latencies.add(latency);
          long[] sorted = latency.clone();
          Arrays.sort(sorted);
          System.out.printf("  %-5s round %d: max %,8.0f calls/s, CPU %,5.0f µs per call;"
              + " at %,.0f/s p50 %,d µs p99 %,d µs%n", side.name, round, rate,
              calls == 0 ? 0 : (side.serverCpu - cpuBefore) * 1e6 / calls, LoadBench.FIXED_RATE,
              at(sorted, 0.5), at(sorted, 0.99));
        }
      }
    } finally {
      bareChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      vigilChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    return new Measured(line, bare, vigil, bench);
  }

  /**
   * A closed loop in one-second slices, for at least {@code warm} seconds and until the JIT
   * compiler's threads take under 5% of a core in a slice (at most three times {@code warm});
   * returns the last slice's rate.
   */
  private static double warmUp(Side side, ManagedChannel channel, LoadBench.Rpc rpc,
      Message[] requests, int warm, boolean scored) throws InterruptedException {
    double rate = 0;
    double jit = 0;
    int slices = 0;
    while (slices < 3 * warm) {
      var before = ThreadCpu.snapshot();
      long t0 = System.nanoTime();
      long calls = closedLoop(channel, rpc, requests, 1, side.tally, scored);
      double elapsed = (System.nanoTime() - t0) / 1e9;
      rate = calls / elapsed;
      jit = compilerSeconds(before, ThreadCpu.snapshot()) / elapsed;
      slices++;
      if (slices >= warm && jit < 0.05) {
        break;
      }
    }
    System.out.printf(Locale.ROOT, "  %-5s warm-up: %d s closed loop, last second %,.0f calls/s,"
        + " JIT %.0f%% of a core%n", side.name, slices, rate, 100 * jit);
    return rate;
  }

  private static double compilerSeconds(Map<Integer, ThreadCpu.Sample> before,
      Map<Integer, ThreadCpu.Sample> after) {
    double used = 0;
    for (var e : after.entrySet()) {
      if (e.getValue().group().contains("CompilerThre")) {
        ThreadCpu.Sample b = before.get(e.getKey());
        used += e.getValue().cpuSeconds() - (b == null ? 0 : b.cpuSeconds());
      }
    }
    return used;
  }

  /**
   * How long an open loop waits for its last answers: a minute beyond what a server at its own
   * maximum {@code rate} needs for every call (an XGBoost line may be over capacity at 2,000/s).
   */
  private static long drainSeconds(int seconds, double rate) {
    return 60 + (long) (LoadBench.FIXED_RATE * seconds / Math.max(1, rate));
  }

  private static long at(long[] sorted, double p) {
    return sorted.length == 0 ? 0
        : sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  }

  /** Splits the CPU between two snapshots into the server's, the generator's and the broker's. */
  private static void attribute(LoadBench bench, Map<Integer, ThreadCpu.Sample> before,
      Map<Integer, ThreadCpu.Sample> after, Side side) {
    after.forEach((tid, s) -> {
      ThreadCpu.Sample b = before.get(tid);
      double used = s.cpuSeconds() - (b == null ? 0 : b.cpuSeconds());
      if (used <= 0) {
        return;
      }
      if (s.group().startsWith(LoadBench.GENERATOR_PREFIX)) {
        side.generatorCpu += used;
      } else if (bench.isBroker(tid, s.group())) {
        side.brokerCpu += used;
      } else if (s.group().contains("CompilerThre")) {
        side.jitCpu += used; // warm-up's, not serving's: shown apart, should be near 0

      } else {
        side.serverCpu += used;
        side.groups.merge(s.group(), used, Double::sum);
      }
    });
  }

  private static void report(List<Measured> measured, int accounts, int seconds) {
    System.out.printf("%n%-30s %-5s %19s %9s %9s %9s %9s %8s %8s %8s  %s%n", "line",
        "server", "max calls/s", "CPU µs", "jit µs", "gen µs", "broker µs", "p50 µs",
        "p99 µs", "p99.9 µs", "faults");
    for (Measured m : measured) {
      for (Side side : List.of(m.bare(), m.vigil())) {
        String rates = side.rates.stream().map(r -> String.format(Locale.ROOT, "%,.0f", r))
            .reduce((x, y) -> x + " " + y).orElse("");
        System.out.printf(Locale.ROOT,
            "%-30s %-5s %19s %,9.0f %,9.0f %,9.0f %,9.0f %,8d %,8d %,8d  %s%n",
            m.line().name(), side.name, rates, side.cpuPerCallMicros(),
            side.calls == 0 ? 0 : side.jitCpu * 1e6 / side.calls,
            side.calls == 0 ? 0 : side.generatorCpu * 1e6 / side.calls,
            side.calls == 0 ? 0 : side.brokerCpu * 1e6 / side.calls, side.pct(0.5),
            side.pct(0.99), side.pct(0.999),
            side.tally.faults().isEmpty() ? "none" : side.tally.faults());
      }
      System.out.println("  Vigil's CPU by thread group: " + breakdown(m.vigil()));
    }
    System.out.printf("%n%,d accounts' profiles in the store; %d rounds of %d s per server and"
        + " phase. CPU per call: the server's threads over the closed loops, per call answered"
        + " (every thread of the process but the load generator's ld-*, the embedded broker's and"
        + " the JIT compiler's, each shown apart; GC included); 'whole process' adds the generator's and"
        + " the broker's, as the harness counted before its generator had threads of its own. The"
        + " embedded"
        + " broker runs and receives the audit records; the streaming job does not run (the"
        + " store holds the profiles it would have written).%n", accounts, ROUNDS, seconds);
    for (Measured m : measured) {
      System.out.printf("%s: served by %s%n", m.line().name(), servedBy(m));
    }
    System.out.println();
    for (Measured m : measured) {
      Side bare = m.bare();
      Side vigil = m.vigil();
      String faults = faults(m);
      System.out.printf(Locale.ROOT, "%s: %.2f of bare, CPU per call %.1fx bare, at %.0f/s p99"
          + " %.1f ms p99.9 %.1f ms (bare p99 %.1f ms); whole process %.1fx%s%n",
          m.line().name(),
          vigil.maxRate() / bare.maxRate(), vigil.cpuPerCallMicros() / bare.cpuPerCallMicros(),
          LoadBench.FIXED_RATE, vigil.pct(0.99) / 1000.0, vigil.pct(0.999) / 1000.0,
          bare.pct(0.99) / 1000.0,
          vigil.processCpuPerCallMicros() / bare.processCpuPerCallMicros(),
          (faults.isEmpty() ? "" : " NOT VALID: " + faults)
              + (vigil.maxRate() < LoadBench.FIXED_RATE ? String.format(Locale.ROOT,
                  " (over capacity: max %,.0f/s)", vigil.maxRate()) : ""));
    }
  }

  private static String faults(Measured m) {
    var out = new ArrayList<String>();
    if (!m.bare().tally.faults().isEmpty()) {
      out.add("bare " + m.bare().tally.faults());
    }
    if (!m.vigil().tally.faults().isEmpty()) {
      out.add("Vigil " + m.vigil().tally.faults());
    }
    return String.join("; ", out);
  }

  /** The model versions that answered Vigil's calls of a line, with their algorithm. */
  static String servedBy(Measured m) {
    var task = m.line().rpc().task;
    var out = new ArrayList<String>();
    new TreeMap<>(m.vigil().tally.models).forEach((version, n) -> out.add(String.format(
        Locale.ROOT, "%s %s %s (%,d answers)", task.id(), m.bench().algorithm(task, version),
        version, n.sum())));
    return out.isEmpty() ? "no model" : String.join(", ", out);
  }

  private static String breakdown(Side side) {
    double total = side.serverCpu;
    var sorted = new ArrayList<>(side.groups.entrySet());
    sorted.sort(Map.Entry.<String, Double>comparingByValue().reversed());
    var out = new StringBuilder();
    double other = 0;
    for (var g : sorted) {
      if (g.getValue() >= 0.03 * total) {
        out.append(String.format(Locale.ROOT, "%s %.0f%%, ", g.getKey(),
            100 * g.getValue() / total));
      } else {
        other += g.getValue();
      }
    }
    return out.append(String.format(Locale.ROOT, "other %.0f%%",
        total == 0 ? 0 : 100 * other / total)).toString();
  }

  /**
   * A benchmarked service's environment: no metrics endpoint; the store's block cache and
   * decoded-merchant cache as {@code VIGIL_STORE_BLOCK_CACHE_MB} and {@code
   * VIGIL_STORE_HOT_PROFILES} say (an operator sizes them for the data; defaults 256 MB and
   * 20,000 merchants).
   */
  public static Map<String, String> benchEnv(EmbeddedKafka kafka, Path dir) {
    var env = new HashMap<>(TestService.env(kafka, dir));
    env.put("VIGIL_METRICS_PORT", "-1");
    // plaintext on loopback, as the bare baseline is: the benchmark measures Vigil, not TLS
    env.put("VIGIL_GRPC_TLS", "off");
    try {
      Path roles = Files.writeString(dir.resolve("bench-roles.yaml"),
          "loopback: [scorer, producer]\n");
      env.put("VIGIL_ACCESS_ROLES_FILE", roles.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (String sizing : new String[] {"VIGIL_STORE_BLOCK_CACHE_MB", "VIGIL_STORE_HOT_PROFILES"}) {
      String value = System.getenv(sizing);
      if (value != null) {
        env.put(sizing, value);
      }
    }
    return env;
  }

  /** Writes every profile straight into the store (what the materialiser would have written). */
  public static void fill(Path storeDir, int accounts, long now) throws Exception {
    Files.createDirectories(storeDir);
    try (var store = new ProfileStore(storeDir, ProfileStore.Settings.DEFAULT)) {
      var batch = new ArrayList<ProfileStore.Update>(30_000);
      SyntheticBook.each(accounts, now, (key, record) -> {
        batch.add(new ProfileStore.Update(key, record));
        if (batch.size() >= 30_000) {
          store.apply("vigil.profiles", batch, Map.of());
          batch.clear();
        }
      });
      store.apply("vigil.profiles", batch, Map.of());
      store.compact();
      System.out.printf("  store sizes: %s%n", store.sizes());
    }
  }

  static ScoreTransactionRequest request(SplittableRandom random, int a, long now, long i) {
    return ScoreTransactionRequest.newBuilder().setRequestId("r-" + i).setEvent(
        EventCodec.toProto(new Event("load-" + i, now, "a-" + a, "c-" + a, new Event.Transaction(
            new Event.Money(100 + random.nextInt(50_000), "USD"), Event.Direction.DEBIT,
            Event.Channel.ECOMMERCE, "m-" + random.nextInt(SyntheticBook.MERCHANTS), "5411",
            "US", "d-" + a, "")))).build();
  }

  /** {@code n} transactions on random accounts of the filled store, seeded. */
  public static ScoreTransactionRequest[] requests(int accounts, long now, int n) {
    var random = new SplittableRandom(11);
    var requests = new ScoreTransactionRequest[n];
    for (int i = 0; i < n; i++) {
      requests[i] = request(random, random.nextInt(accounts), now, i);
    }
    return requests;
  }

  /**
   * Where every loop takes its next request: one cursor across phases and servers, so that the
   * run's calls spread over as many of the book's accounts as there are requests, rather than
   * each phase replaying the same first ones (the block cache would hold their profiles).
   */
  private static long cursor;

  private static Message next(Message[] requests) {
    return requests[(int) (cursor++ % requests.length)];
  }

  /** {@link #IN_FLIGHT} calls kept in flight for {@code seconds}; the calls finished. */
  private static long closedLoop(ManagedChannel channel, LoadBench.Rpc rpc, Message[] requests,
      int seconds, LoadBench.Tally tally, boolean scored) throws InterruptedException {
    var permits = new Semaphore(IN_FLIGHT);
    var done = new AtomicLong();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    Runnable finished = () -> {
      done.incrementAndGet();
      permits.release();
    };
    while (System.nanoTime() < end) {
      permits.acquire();
      LoadBench.call(channel, rpc, next(requests), tally, scored, finished);
    }
    permits.acquire(IN_FLIGHT);
    return done.get();
  }

  /**
   * Calls sent at {@code rate} for {@code seconds} whatever the answers do; each call's latency
   * from its intended start, in µs (an unanswered call counts as an error and its wait).
   */
  private static long[] openLoop(ManagedChannel channel, LoadBench.Rpc rpc, Message[] requests,
      double rate, int seconds, LoadBench.Tally tally, boolean scored, long drainSeconds)
      throws InterruptedException {
    int total = (int) (rate * seconds);
    long[] latency = new long[total];
    boolean[] answered = new boolean[total];
    var finished = new CountDownLatch(total);
    long interval = (long) (1e9 / rate);
    long start = System.nanoTime();
    int sent = 0;
    while (sent < total) {
      // every tick, send what is due: the generator sleeps between ticks instead of spinning,
      // so it takes as little of the shared cores as it can
      long due = Math.min(total, (System.nanoTime() - start) / interval + 1);
      for (; sent < due; sent++) {
        long intended = start + sent * interval;
        int slot = sent;
        LoadBench.call(channel, rpc, next(requests), tally, scored, () -> {
          latency[slot] = (System.nanoTime() - intended) / 1000;
          answered[slot] = true;
          finished.countDown();
        });
      }
      LockSupport.parkNanos(200_000);
    }
    if (!finished.await(drainSeconds, TimeUnit.SECONDS)) {
      tally.errors.computeIfAbsent("UNANSWERED", c -> new LongAdder())
          .add(finished.getCount());
      // an unanswered call's latency is at least its wait so far, not 0
      long now = System.nanoTime();
      for (int slot = 0; slot < total; slot++) {
        if (!answered[slot]) {
          latency[slot] = (now - (start + slot * interval)) / 1000;
        }
      }
    }
    return latency;
  }
}
