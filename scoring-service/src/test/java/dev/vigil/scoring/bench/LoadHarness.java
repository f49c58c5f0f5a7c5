package dev.vigil.scoring.bench;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.EventCodec;
import dev.vigil.proto.v1.ScoreTransactionRequest;
import dev.vigil.proto.v1.ScoreTransactionResponse;
import dev.vigil.proto.v1.ScoringServiceGrpc;
import dev.vigil.scoring.ScoringServer;
import dev.vigil.scoring.ServiceConfig;
import dev.vigil.scoring.TestService;
import dev.vigil.scoring.store.ProfileStore;
import dev.vigil.testkit.EmbeddedKafka;
import dev.vigil.testkit.ThreadCpu;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * ScoreTransaction under load, beside a bare gRPC-Java unary server answering the same request
 * with an empty response, in the same run and process (`./vigil load-bench [accounts] [seconds]`).
 *
 * <p>Vigil's store is first filled with {@code accounts} account, customer and device profiles
 * (each account with 30 days of card history) and 10,000 merchants, written straight into the
 * RocksDB store the service then opens. For each server: a closed loop with 64 calls in flight
 * gives the maximum rate; then an open loop at half that rate gives the latency percentiles,
 * measured from each call's intended start (no coordinated omission). The load generator shares
 * the machine's cores with the server, for the baseline and for Vigil alike.
 */
public final class LoadHarness {
  private static final int MERCHANTS = SyntheticBook.MERCHANTS;
  private static final int IN_FLIGHT = 64;

  record Result(String name, double maxRate, long[] latencyMicros, long errors) {
    long pct(double p) {
      return latencyMicros.length == 0 ? 0
          : latencyMicros[(int) Math.min(latencyMicros.length - 1,
              Math.floor(p * latencyMicros.length))];
    }
  }

  public static void main(String[] args) throws Exception {
    int accounts = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    Path dir = Files.createTempDirectory("vigil-load");
    long now = TestService.NOW.toEpochMilli(); // a weekday afternoon, whenever it runs
    System.out.printf("filling the store with %,d accounts (+ customers, devices) and %,d"
        + " merchants...%n", accounts, MERCHANTS);
    long t0 = System.nanoTime();
    fill(dir.resolve("state/profiles"), accounts, now);
    System.out.printf("  filled in %.0f s%n", (System.nanoTime() - t0) / 1e9);

    try (var kafka = new EmbeddedKafka()) {
      kafka.createTopic("vigil.events", 1, false);
      kafka.createTopic("vigil.profiles", 1, true);
      kafka.createTopic("vigil.decisions", 1, false);
      var env = benchEnv(kafka, dir);
      // the baseline runs calls on the same kind of executor as Vigil
      Server bare = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
          .executor(ScoringServer.callExecutor(0))
          .addService(new ScoringServiceGrpc.ScoringServiceImplBase() {
            @Override
            public void scoreTransaction(ScoreTransactionRequest request,
                StreamObserver<ScoreTransactionResponse> response) {
              response.onNext(ScoreTransactionResponse.newBuilder()
                  .setRequestId(request.getRequestId()).build());
              response.onCompleted();
            }
          }).build().start();
      var vigil = ScoringServer.start(ServiceConfig.load(null, env), TestService.CLOCK);
      long w0 = System.nanoTime();
      long warmed = vigil.store().warm();
      System.out.printf("store: read all %,d MB once to warm the block cache (%.0f s)%n",
          warmed >> 20, (System.nanoTime() - w0) / 1e9);
      var results = new ArrayList<Result>();
      // warm both up (JIT, connection, caches) before anything is measured, then alternate
      run("warm-up bare", bare.getPort(), accounts, now, seconds);
      run("warm-up Vigil", vigil.port(), accounts, now, seconds);
      results.add(run("bare gRPC unary", bare.getPort(), accounts, now, seconds));
      results.add(run("Vigil ScoreTransaction", vigil.port(), accounts, now, seconds));
      results.add(run("bare gRPC unary (again)", bare.getPort(), accounts, now, seconds));
      results.add(run("Vigil ScoreTransaction (again)", vigil.port(), accounts, now, seconds));
      vigil.close();
      bare.shutdownNow();
      double baseline = (results.get(0).maxRate() + results.get(2).maxRate()) / 2;
      System.out.printf("%n%-26s %12s %8s %9s %9s %9s %7s%n", "server", "max calls/s", "ratio",
          "p50 µs", "p99 µs", "p99.9 µs", "errors");
      for (Result r : results) {
        System.out.printf("%-30s %,12.0f %8.2f %,9d %,9d %,9d %7d%n", r.name(), r.maxRate(),
            r.maxRate() / baseline, r.pct(0.50), r.pct(0.99), r.pct(0.999), r.errors());
      }
      double vigilRate = (results.get(1).maxRate() + results.get(3).maxRate()) / 2;
      System.out.printf("(latency at half of each server's own maximum rate; %,d accounts'"
          + " profiles in the store; ratio against the mean of the two baseline runs)%n"
          + "Vigil / bare gRPC throughput: %.2f%n", accounts, vigilRate / baseline);
    }
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
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
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

  private static ScoreTransactionRequest request(SplittableRandom random, int accounts, long now,
      long i) {
    int a = random.nextInt(accounts);
    return ScoreTransactionRequest.newBuilder().setRequestId("r-" + i).setEvent(
        EventCodec.toProto(new Event("load-" + i, now, "a-" + a, "c-" + a, new Event.Transaction(
            new Event.Money(100 + random.nextInt(50_000), "USD"), Event.Direction.DEBIT,
            Event.Channel.ECOMMERCE, "m-" + random.nextInt(MERCHANTS), "5411", "US", "d-" + a,
            "")))).build();
  }

  /** {@code n} transactions on random accounts of the filled store, seeded. */
  public static ScoreTransactionRequest[] requests(int accounts, long now, int n) {
    var random = new SplittableRandom(11);
    var requests = new ScoreTransactionRequest[n];
    for (int i = 0; i < n; i++) {
      requests[i] = request(random, accounts, now, i);
    }
    return requests;
  }

  static Result run(String name, int port, int accounts, long now, int seconds)
      throws Exception {
    ManagedChannel channel = Grpc.newChannelBuilderForAddress("127.0.0.1", port,
        InsecureChannelCredentials.create()).build();
    var stub = ScoringServiceGrpc.newStub(channel);
    // pre-built requests: the generator's own cost stays small and equal for both servers
    var requests = requests(accounts, now, 100_000);
    closedLoop(stub, requests, 5); // warm-up
    var cpu = ThreadCpu.snapshot();
    double max = closedLoop(stub, requests, seconds);
    System.out.println(ThreadCpu.report(cpu, (long) (max * seconds), "call", 0.03));
    var open = openLoop(stub, requests, max / 2, seconds);
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    System.out.printf("%s: max %,.0f calls/s; at %,.0f/s p50 %,d µs p99 %,d µs%n", name, max,
        max / 2, open.pct(0.5), open.pct(0.99));
    return new Result(name, max, open.latencyMicros(), open.errors());
  }

  private static double closedLoop(ScoringServiceGrpc.ScoringServiceStub stub,
      ScoreTransactionRequest[] requests, int seconds) throws InterruptedException {
    var permits = new Semaphore(IN_FLIGHT);
    var done = new AtomicLong();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    long start = System.nanoTime();
    long i = 0;
    while (System.nanoTime() < end) {
      permits.acquire();
      stub.scoreTransaction(requests[(int) (i++ % requests.length)], new StreamObserver<>() {
        @Override
        public void onNext(ScoreTransactionResponse value) {}

        @Override
        public void onError(Throwable t) {
          permits.release();
        }

        @Override
        public void onCompleted() {
          done.incrementAndGet();
          permits.release();
        }
      });
    }
    permits.acquire(IN_FLIGHT);
    double rate = done.get() / ((System.nanoTime() - start) / 1e9);
    return rate;
  }

  private static Result openLoop(ScoringServiceGrpc.ScoringServiceStub stub,
      ScoreTransactionRequest[] requests, double rate, int seconds) throws InterruptedException {
    int total = (int) (rate * seconds);
    long[] latency = new long[total];
    var errors = new AtomicLong();
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
        stub.scoreTransaction(requests[sent % requests.length], new StreamObserver<>() {
          @Override
          public void onNext(ScoreTransactionResponse value) {}

          @Override
          public void onError(Throwable t) {
            errors.incrementAndGet();
            latency[slot] = (System.nanoTime() - intended) / 1000;
            finished.countDown();
          }

          @Override
          public void onCompleted() {
            latency[slot] = (System.nanoTime() - intended) / 1000;
            finished.countDown();
          }
        });
      }
      java.util.concurrent.locks.LockSupport.parkNanos(200_000);
    }
    finished.await(60, TimeUnit.SECONDS);
    Arrays.sort(latency);
    return new Result("open", rate, latency, errors.get());
  }
}
