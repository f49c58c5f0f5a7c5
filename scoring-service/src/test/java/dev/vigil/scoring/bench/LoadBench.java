package dev.vigil.scoring.bench;

import com.google.protobuf.Message;
import dev.vigil.features.event.Event;
import dev.vigil.features.event.EventCodec;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.history.simulator.Simulator;
import dev.vigil.models.training.ModelTrainer;
import dev.vigil.models.training.Split;
import dev.vigil.models.training.TimeSplit;
import dev.vigil.models.training.Workflow;
import dev.vigil.proto.v1.Score;
import dev.vigil.proto.v1.ScoreCheckDepositRequest;
import dev.vigil.proto.v1.ScoreCheckDepositResponse;
import dev.vigil.proto.v1.ScoreDelinquencyRequest;
import dev.vigil.proto.v1.ScoreDelinquencyResponse;
import dev.vigil.proto.v1.ScoreTransactionRequest;
import dev.vigil.proto.v1.ScoreTransactionResponse;
import dev.vigil.proto.v1.ScoringServiceGrpc;
import dev.vigil.registry.ModelRegistry;
import dev.vigil.scoring.ScoringServer;
import dev.vigil.scoring.ServiceConfig;
import dev.vigil.scoring.TestService;
import dev.vigil.scoring.access.ClientTls;
import dev.vigil.scoring.access.ServerTls;
import dev.vigil.testkit.EmbeddedKafka;
import dev.vigil.testkit.ThreadCpu;
import io.grpc.CallOptions;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;

/**
 * What the load harness measures against, set up once: a RocksDB store filled with {@code
 * accounts} accounts of the {@link SyntheticBook}, an embedded broker with the service's topics, a
 * model registry holding the seeded defaults (logistic regression for every task) and an XGBoost
 * fraud model trained as {@code ./vigil models train --task fraud} trains one (its default
 * algorithm, hyper-parameters and time split) on a simulated history, published but not
 * active; two bare gRPC servers (plaintext, and mutual TLS with the service's own TLS layer), each
 * answering the three unary scoring RPCs with an empty response of the right type; and one Vigil
 * at a time, started for a {@link Variant} on the same store ({@link #start}). No streaming job
 * runs: the store holds what it would have written.
 *
 * <p>The load generator's client channels run on their own event loop ({@code ld-net} threads),
 * so that the CPU of the generator's threads can be told from the servers'; the thread ids the
 * broker started with are kept ({@link #brokerThreads}) for the same reason.
 */
final class LoadBench implements AutoCloseable {
  /** The rate the latency of every line is measured at. */
  static final double FIXED_RATE = 2_000;
  /** Thread names of the load generator (its event loop and its driving thread) start so. */
  static final String GENERATOR_PREFIX = "ld-";
  private static final Pattern BROKER_THREADS = Pattern.compile(
      "(data-plane|kafka-request|kafka-network|kafka-scheduler|ExpirationReaper|raft-|broker-|"
          + "controller-|kafka-log|LogDirFailure|group-coordinator|transaction-|"
          + "quorum-controller|kafka-\\d|metadata-loader|ReplicaFetcher).*");

  /** What differs from the plaintext, logistic-regression line. */
  enum Variant {
    PLAINTEXT("plaintext"),
    MUTUAL_TLS("mutual-tls"),
    XGBOOST("xgboost");

    final String id;

    Variant(String id) {
      this.id = id;
    }

    boolean tls() {
      return this == MUTUAL_TLS;
    }
  }

  /** A unary scoring RPC, its task and the score its response carries. */
  enum Rpc {
    TRANSACTION("ScoreTransaction", Task.FRAUD, ScoringServiceGrpc.getScoreTransactionMethod()),
    DEPOSIT("ScoreCheckDeposit", Task.DEPOSIT, ScoringServiceGrpc.getScoreCheckDepositMethod()),
    DELINQUENCY("ScoreDelinquency", Task.DELINQUENCY,
        ScoringServiceGrpc.getScoreDelinquencyMethod());

    final String rpcName;
    final Task task;
    final MethodDescriptor<Message, Message> method;

    @SuppressWarnings("unchecked")
    Rpc(String rpcName, Task task, MethodDescriptor<?, ?> method) {
      this.rpcName = rpcName;
      this.task = task;
      this.method = (MethodDescriptor<Message, Message>) method;
    }

    /** The score a response carries; absent (default) in the bare server's empty answers. */
    Score score(Message response) {
      return switch (this) {
        case TRANSACTION -> ((ScoreTransactionResponse) response).getScore();
        case DEPOSIT -> ((ScoreCheckDepositResponse) response).getScore();
        case DELINQUENCY -> ((ScoreDelinquencyResponse) response).getScore();
      };
    }
  }

  /** One line of the report: an RPC under a variant. */
  record Line(Rpc rpc, Variant variant) {
    String name() {
      return rpc.rpcName + " " + variant.id;
    }
  }

  /** Every line, in the fixed order they are measured and reported. */
  static final List<Line> LINES = List.of(
      new Line(Rpc.TRANSACTION, Variant.PLAINTEXT),
      new Line(Rpc.DEPOSIT, Variant.PLAINTEXT),
      new Line(Rpc.DELINQUENCY, Variant.PLAINTEXT),
      new Line(Rpc.TRANSACTION, Variant.MUTUAL_TLS),
      new Line(Rpc.TRANSACTION, Variant.XGBOOST));

  final int accounts;
  final long now = TestService.NOW.toEpochMilli(); // a weekday afternoon, whenever it runs
  private final EmbeddedKafka kafka;
  private final Set<Integer> brokerThreads;
  private final Path registryDir;
  private final ModelRegistry registry;
  private final String xgboostVersion;
  private final String logisticVersion;
  private final Server barePlain;
  private final Server bareTls;
  private final ServerTls bareTlsLayer;
  private final ScheduledExecutorService tlsReload;
  private final NioEventLoopGroup clientLoop;
  private final Map<Rpc, Message[]> requests = new HashMap<>();
  private final Map<String, String> baseEnv;
  private ScoringServer vigil;
  private Variant running;

  private LoadBench(int accounts, Path dir, Simulator.Config fraudHistory, int requestCount)
      throws Exception {
    this.accounts = accounts;
    System.out.printf("filling the store with %,d accounts (+ customers, devices) and %,d"
        + " merchants...%n", accounts, SyntheticBook.MERCHANTS);
    long t0 = System.nanoTime();
    LoadHarness.fill(dir.resolve("state/profiles"), accounts, now);
    System.out.printf("  filled in %.0f s%n", (System.nanoTime() - t0) / 1e9);
    Set<Integer> before = ThreadCpu.snapshot().keySet();
    kafka = new EmbeddedKafka();
    try {
      kafka.createTopic("vigil.events", 1, false);
      kafka.createTopic("vigil.profiles", 1, true);
      kafka.createTopic("vigil.decisions", 1, false);
      brokerThreads = new HashSet<>(ThreadCpu.snapshot().keySet());
      brokerThreads.removeAll(before);
      baseEnv = LoadHarness.benchEnv(kafka, dir); // copies the default models into dir/models
      registryDir = Path.of(baseEnv.get("VIGIL_MODELS_REGISTRY"));
      registry = new ModelRegistry(registryDir);
      logisticVersion = registry.roles(Task.FRAUD).champion(); // the seeded default
      xgboostVersion = trainXgboost(registry, fraudHistory);
      tlsReload = Executors.newSingleThreadScheduledExecutor();
      Path tls = TestService.tls();
      bareTlsLayer = new ServerTls(new ServerTls.PemFiles(tls.resolve("server.pem"),
          tls.resolve("server.key"), tls.resolve("ca.pem"), Duration.ofMinutes(10)), tlsReload,
          new ServerTls.Events() {
            @Override
            public void rejected() {}

            @Override
            public void reloaded(String what, boolean taken) {}
          });
      barePlain = bare(InsecureServerCredentials.create());
      bareTls = bare(bareTlsLayer.credentials());
      clientLoop = new NioEventLoopGroup(2, new DefaultThreadFactory(GENERATOR_PREFIX + "net",
          true));
      var random = new SplittableRandom(11);
      for (Rpc rpc : Rpc.values()) {
        var built = new Message[requestCount];
        for (int i = 0; i < requestCount; i++) {
          built[i] = request(rpc, random, i);
        }
        requests.put(rpc, built);
      }
    } catch (Exception | Error e) {
      kafka.close();
      throw e;
    }
  }

  /**
   * Fills the store, starts the broker and the bare servers, and trains the XGBoost fraud model on
   * a simulation of {@code fraudHistory}.
   *
   * @param requestCount requests built per RPC, sent round-robin (seeded)
   */
  static LoadBench open(Path dir, int accounts, Simulator.Config fraudHistory, int requestCount)
      throws Exception {
    return new LoadBench(accounts, dir, fraudHistory, requestCount);
  }

  /**
   * Trains fraud's default algorithm ({@code ./vigil models train}'s: XGBoost) with its default
   * hyper-parameters on {@code models train}'s default time split (7 days of training from the
   * history's start plus a 37-day burn-in, a 7-day gap, 7 days of test); publishes it.
   */
  private static String trainXgboost(ModelRegistry registry, Simulator.Config simulation)
      throws IOException {
    long t0 = System.nanoTime();
    var history = new ArrayList<Event>();
    new Simulator(simulation).run(history::add);
    var split = new TimeSplit(simulation.start().plus(Duration.ofDays(37)), Duration.ofDays(7),
        Duration.ofDays(7), Duration.ofDays(7));
    var set = Workflow.trainingSet(Task.FRAUD, history, split, Duration.ofDays(90));
    var algorithm = ModelTrainer.defaultAlgorithm(Task.FRAUD);
    var result = Workflow.train(algorithm, Task.FRAUD, set, Split.byTime(split), false,
        ModelTrainer.DEFAULT_SCALING, null, 0);
    String version = registry.publish(Task.FRAUD, result.model(), result.card());
    System.out.printf("trained fraud %s %s on %,d rows of a %d-customer, %d-day simulation"
        + " (%.0f s), published, not active%n", algorithm.id, version,
        result.card().trainingRows(), simulation.customers(), simulation.days(),
        (System.nanoTime() - t0) / 1e9);
    return version;
  }

  /** A bare server: the same executor kind as Vigil's, empty answers of the right type. */
  private static Server bare(ServerCredentials credentials) throws IOException {
    return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0), credentials)
        .executor(ScoringServer.callExecutor(0))
        .addService(new ScoringServiceGrpc.ScoringServiceImplBase() {
          @Override
          public void scoreTransaction(ScoreTransactionRequest request,
              StreamObserver<ScoreTransactionResponse> response) {
            response.onNext(ScoreTransactionResponse.newBuilder()
                .setRequestId(request.getRequestId()).build());
            response.onCompleted();
          }

          @Override
          public void scoreCheckDeposit(ScoreCheckDepositRequest request,
              StreamObserver<ScoreCheckDepositResponse> response) {
            response.onNext(ScoreCheckDepositResponse.newBuilder()
                .setRequestId(request.getRequestId()).build());
            response.onCompleted();
          }

          @Override
          public void scoreDelinquency(ScoreDelinquencyRequest request,
              StreamObserver<ScoreDelinquencyResponse> response) {
            response.onNext(ScoreDelinquencyResponse.newBuilder()
                .setRequestId(request.getRequestId()).build());
            response.onCompleted();
          }
        }).build().start();
  }

  /** A request of {@code rpc} on a random account of the book, as a core system would send it. */
  private Message request(Rpc rpc, SplittableRandom random, int i) {
    int a = random.nextInt(accounts);
    String account = "a-" + a;
    return switch (rpc) {
      case TRANSACTION -> LoadHarness.request(random, a, now, i);
      case DEPOSIT -> ScoreCheckDepositRequest.newBuilder().setRequestId("d-" + i).setEvent(
          EventCodec.toProto(new Event("load-dep-" + i, now, account, "c-" + a,
              new Event.CheckDeposit("dep-" + i,
                  new Event.Money(2_000 + random.nextInt(300_000), "USD"),
                  String.format(Locale.ROOT, "0%08d", 21_000_021 + random.nextInt(1_000)),
                  "payer-" + random.nextInt(50_000),
                  Integer.toString(1_000 + random.nextInt(9_000)),
                  "img-" + i, random.nextInt(10) == 0 ? Event.Endorsement.SIGNATURE_ONLY
                      : Event.Endorsement.RESTRICTIVE, "d-" + a)))).build();
      case DELINQUENCY -> ScoreDelinquencyRequest.newBuilder().setRequestId("q-" + i)
          .setAccountId(account).setCustomerId("c-" + a)
          .setAsOf(EventCodec.timestamp(now))
          // the book has no CustomerDetails events: the collections system names the zone
          .setTimeZone("America/New_York").build();
    };
  }

  /** The requests of {@code rpc}, sent round-robin. */
  Message[] requests(Rpc rpc) {
    return requests.get(rpc);
  }

  /** The servers of one variant: the bare server and Vigil, both on its transport. */
  record Servers(Variant variant, Target bare, Target vigil) {}

  /** A server the generator calls: its port and transport. */
  record Target(String name, int port, boolean tls) {}

  /**
   * Starts Vigil for {@code variant} on the store (closing the one running), with the XGBoost
   * model as fraud champion for {@link Variant#XGBOOST} and the logistic regression otherwise;
   * reads the whole store once so that every line measures a warm block cache.
   */
  Servers start(Variant variant) throws Exception {
    closeVigil();
    String fraudChampion = variant == Variant.XGBOOST ? xgboostVersion : logisticVersion;
    if (!fraudChampion.equals(registry.roles(Task.FRAUD).champion())) {
      registry.activate(Task.FRAUD, fraudChampion);
    }
    var env = new HashMap<>(baseEnv);
    if (variant.tls()) {
      // as the tests' services run: TestService.useTls, the client CA and roles of the
      // LocalAuthority the scorer certificate was issued by
      env.remove("VIGIL_GRPC_TLS");
      TestService.useTls(env, TestService.tls());
    }
    vigil = ScoringServer.start(ServiceConfig.load(null, env), TestService.CLOCK);
    running = variant;
    long w0 = System.nanoTime();
    long warmed = vigil.store().warm();
    System.out.printf("Vigil %s started; store: read all %,d MB once to warm the block cache"
        + " (%.0f s)%n", variant.id, warmed >> 20, (System.nanoTime() - w0) / 1e9);
    Server bare = variant.tls() ? bareTls : barePlain;
    return new Servers(variant, new Target("bare", bare.getPort(), variant.tls()),
        new Target("Vigil", vigil.port(), variant.tls()));
  }

  /**
   * Waits until the running Vigil has delivered every audit record it has recorded (at most a
   * minute), so that the drainer's, producer's and broker's work for one phase's decisions is
   * counted in that phase, not in the next one's (bare's, perhaps).
   */
  void awaitAuditDelivered() throws InterruptedException {
    if (vigil == null) {
      return;
    }
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    while (vigil.auditPending() > 0) {
      if (System.nanoTime() > deadline) {
        System.out.printf("  (audit spool still holds %,d records after a minute)%n",
            vigil.auditPending());
        return;
      }
      Thread.sleep(10);
    }
  }

  private void closeVigil() throws InterruptedException {
    if (vigil != null) {
      vigil.close();
      vigil = null;
      running = null;
    }
  }

  /**
   * A channel of the load generator to {@code target}: its own event loop, callbacks run on it;
   * over mutual TLS it presents the LocalAuthority's scorer certificate.
   */
  ManagedChannel channel(Target target) {
    ChannelCredentials credentials;
    try {
      credentials = target.tls() ? ClientTls.credentials(TestService.tls(), "scorer")
          : InsecureChannelCredentials.create();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return NettyChannelBuilder.forAddress("127.0.0.1", target.port(), credentials)
        .eventLoopGroup(clientLoop).channelType(NioSocketChannel.class).directExecutor()
        .build();
  }

  /** Thread ids the broker started with (its own CPU is not the servers'). */
  boolean isBroker(int tid, String group) {
    // the JVM's own threads (named with a space: "C2 CompilerThread", "GC Thread") and the
    // common pool may start while the broker does; they are not the broker's
    boolean jvm = group.contains(" ") || group.startsWith("ForkJoinPool.commonPool");
    return (brokerThreads.contains(tid) && !jvm) || BROKER_THREADS.matcher(group).matches();
  }

  /** The algorithm of the published model {@code version} of {@code task}. */
  String algorithm(Task task, String version) {
    try {
      return registry.card(task, version).algorithm();
    } catch (IOException | RuntimeException e) {
      return "unknown (" + e.getMessage() + ")";
    }
  }

  /**
   * What came back from a server: answers, errors by status code, and for Vigil's answers the
   * stand-in decisions, those without a model version, and the model versions that served.
   */
  static final class Tally {
    final LongAdder ok = new LongAdder();
    final LongAdder standIns = new LongAdder();
    final LongAdder withoutModel = new LongAdder();
    final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    final Map<String, LongAdder> models = new ConcurrentHashMap<>();

    void answered(Rpc rpc, Message response, boolean scored) {
      ok.increment();
      if (scored) {
        Score score = rpc.score(response);
        if (score.getStandIn()) {
          standIns.increment();
        }
        if (score.getModelVersion().isEmpty()) {
          withoutModel.increment();
        } else {
          models.computeIfAbsent(score.getModelVersion(), v -> new LongAdder()).increment();
        }
      }
    }

    void failed(Throwable t) {
      errors.computeIfAbsent(Status.fromThrowable(t).getCode().name(), c -> new LongAdder())
          .increment();
    }

    long errorCount() {
      return errors.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** Errors, stand-ins and answers without a model: none, or what makes a line not valid. */
    String faults() {
      var out = new ArrayList<String>();
      if (errorCount() > 0) {
        out.add(errorCount() + " errors " + new TreeMap<>(errors));
      }
      if (standIns.sum() > 0) {
        out.add(standIns.sum() + " stand-in decisions");
      }
      if (withoutModel.sum() > 0) {
        out.add(withoutModel.sum() + " answers without a model version");
      }
      return String.join(", ", out);
    }
  }

  /** Sends one call; the answer or error goes to {@code tally}, then {@code done} runs. */
  static void call(ManagedChannel channel, Rpc rpc, Message request, Tally tally, boolean scored,
      Runnable done) {
    ClientCalls.asyncUnaryCall(channel.newCall(rpc.method, CallOptions.DEFAULT), request,
        new StreamObserver<>() {
          @Override
          public void onNext(Message value) {
            tally.answered(rpc, value, scored);
          }

          @Override
          public void onError(Throwable t) {
            tally.failed(t);
            done.run();
          }

          @Override
          public void onCompleted() {
            done.run();
          }
        });
  }

  /** Sends the first {@code n} requests of {@code rpc} to {@code target}, 16 at a time. */
  Tally check(Target target, Rpc rpc, int n) throws InterruptedException {
    var tally = new Tally();
    ManagedChannel channel = channel(target);
    try {
      Message[] all = requests(rpc);
      for (int from = 0; from < n; from += 16) {
        int to = Math.min(n, from + 16);
        var finished = new CountDownLatch(to - from);
        for (int i = from; i < to; i++) {
          call(channel, rpc, all[i % all.length], tally, target.name().equals("Vigil"),
              finished::countDown);
        }
        if (!finished.await(60, TimeUnit.SECONDS)) {
          throw new AssertionError(rpc.rpcName + " to " + target.name() + ": no answer in 60 s");
        }
      }
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    return tally;
  }

  /** The variant Vigil runs now, or null. */
  Variant running() {
    return running;
  }

  @Override
  public void close() throws Exception {
    try {
      closeVigil();
      barePlain.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      bareTls.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      bareTlsLayer.close();
      tlsReload.shutdownNow();
      clientLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    } finally {
      kafka.close();
    }
  }
}
