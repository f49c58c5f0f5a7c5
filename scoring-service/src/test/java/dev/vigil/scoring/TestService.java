package dev.vigil.scoring;

import com.google.protobuf.ByteString;
import dev.vigil.features.event.EventCodec;
import dev.vigil.features.profile.EntityKey;
import dev.vigil.features.profile.Profile;
import dev.vigil.features.profile.ProfileBook;
import dev.vigil.features.profile.ProfileCodec;
import dev.vigil.features.profile.ProfileSettings;
import dev.vigil.registry.ModelRegistry;
import dev.vigil.models.training.DefaultModels;
import dev.vigil.proto.v1.ProfileRecord;
import dev.vigil.scoring.access.ClientTls;
import dev.vigil.scoring.access.LocalAuthority;
import dev.vigil.testkit.EmbeddedKafka;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.ProducerRecord;

/** What the service tests share: one trained default registry per JVM, and a profile feed. */
public final class TestService {
  /**
   * The service tests' "now": a weekday afternoon, Tuesday 2026-11-24 15:00 UTC (10:00 in New
   * York, 07:00 in Los Angeles), chosen so that no calendar feature depends on when the suite runs.
   * A test about night or the weekend chooses its own instants.
   */
  public static final Instant NOW = Instant.parse("2026-11-24T15:00:00Z");
  /** The clock the tests' services run on: stopped at {@link #NOW}. */
  public static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  private static Path trained;
  private static Path tls;

  /**
   * The tests' certificate authority, made once per JVM by {@link LocalAuthority}: ca.pem, the
   * server's certificate, and scorer, producer, analyst and admin client certificates with the
   * roles.yaml that grants their roles, and an approver (policy-approver, viewer). Its
   * certificates are valid from an hour before the real time of the run (TLS checks validity
   * against the real clock, so they cannot be made on the tests' fixed clock; relative to the run
   * they are always valid).
   */
  public static synchronized Path tls() {
    if (tls == null) {
      try {
        tls = Files.createTempDirectory("vigil-tls");
        LocalAuthority.init(tls, Clock.systemUTC()).issueClient("approver");
        // a second identity to approve what admin proposes (a policy serves by two identities)
        Files.writeString(tls.resolve("roles.yaml"), "approver: [policy-approver, viewer]\n",
            StandardOpenOption.APPEND);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return tls;
  }

  /**
   * Names in a service's environment the TLS files and roles file {@link LocalAuthority#init}
   * wrote under {@code dir}: server.pem and .key, ca.pem as the client CA, roles.yaml.
   */
  public static void useTls(Map<String, String> env, Path dir) {
    env.put("VIGIL_TLS_CERT_FILE", dir.resolve("server.pem").toString());
    env.put("VIGIL_TLS_KEY_FILE", dir.resolve("server.key").toString());
    env.put("VIGIL_TLS_CLIENT_CA_FILE", dir.resolve("ca.pem").toString());
    env.put("VIGIL_ACCESS_ROLES_FILE", dir.resolve("roles.yaml").toString());
  }

  /** A mutual-TLS channel to a service on {@code port} as client {@code name} (admin...). */
  public static io.grpc.ManagedChannel channel(int port, String name) {
    try {
      return io.grpc.Grpc.newChannelBuilderForAddress("127.0.0.1", port,
          ClientTls.credentials(tls(), name)).build();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private TestService() {}

  /**
   * Publishes a fraud model that fails on every request: a Tribuo model that knows none of the
   * catalogue's features, filed under the current schema's fingerprint (as a mislabelled registry
   * entry would be). Returns its version; it is given no role.
   */
  public static String publishModelThatFails(ModelRegistry registry) throws IOException {
    return publishModelThatFails(registry, dev.vigil.features.profile.FeatureCatalogue.Task.FRAUD);
  }

  /** As above, filed under {@code task} (with its v1's card). */
  public static String publishModelThatFails(ModelRegistry registry,
      dev.vigil.features.profile.FeatureCatalogue.Task task) throws IOException {
    var factory = new org.tribuo.classification.LabelFactory();
    var data = new org.tribuo.MutableDataset<org.tribuo.classification.Label>(
        new org.tribuo.provenance.SimpleDataSourceProvenance("test", factory), factory);
    String[] unknown = {"not_a_feature_a", "not_a_feature_b"};
    data.add(new org.tribuo.impl.ArrayExample<>(new org.tribuo.classification.Label("0"),
        unknown, new double[] {0, 1}));
    data.add(new org.tribuo.impl.ArrayExample<>(new org.tribuo.classification.Label("1"),
        unknown, new double[] {1, 0}));
    var model = new org.tribuo.classification.sgd.linear.LogisticRegressionTrainer().train(data);
    return registry.publish(task, model, registry.load(task, "v1").card());
  }

  /** A fresh copy of a registry holding the seeded default models (trained once per JVM). */
  public static synchronized Path registryCopy(Path into) throws IOException {
    if (trained == null) {
      trained = Files.createTempDirectory("vigil-default-models");
      DefaultModels.ensure(new ModelRegistry(trained), m -> { });
    }
    try (Stream<Path> files = Files.walk(trained)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Path target = into.resolve(trained.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
    return into;
  }

  /**
   * What the over-the-port suites start once per class: a real broker with the service's three
   * topics, the server on a free port, and a channel to it; closed in the reverse order.
   */
  public static final class Stack implements AutoCloseable {
    public final EmbeddedKafka kafka;
    public final ScoringServer server;
    public final io.grpc.ManagedChannel channel;

    private Stack(EmbeddedKafka kafka, ScoringServer server) {
      this.kafka = kafka;
      this.server = server;
      this.channel = channel(server.port(), "admin");
    }

    public static Stack start(Path dir, int partitions) throws Exception {
      return start(dir, partitions, env -> { });
    }

    /**
     * @param partitions of each topic
     * @param beforeStart sees the service's environment (its registry, say) before it starts
     */
    public static Stack start(Path dir, int partitions, BeforeStart beforeStart)
        throws Exception {
      var kafka = new EmbeddedKafka();
      try {
        kafka.createTopic("vigil.events", partitions, false);
        kafka.createTopic("vigil.profiles", partitions, true);
        kafka.createTopic("vigil.decisions", partitions, false);
        var env = env(kafka, dir);
        beforeStart.accept(env);
        return new Stack(kafka, ScoringServer.start(ServiceConfig.load(null, env), CLOCK));
      } catch (Exception | Error e) {
        kafka.close();
        throw e;
      }
    }

    /** What a suite does to the service's environment before the service starts. */
    @FunctionalInterface
    public interface BeforeStart {
      void accept(Map<String, String> env) throws Exception;
    }

    @Override
    public void close() throws Exception {
      channel.shutdownNow().awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
      server.close();
      kafka.close();
    }
  }

  /** The environment of a service on a free port with its own state, registry and metrics. */
  public static Map<String, String> env(EmbeddedKafka kafka, Path dir) {
    try {
      var env = new HashMap<String, String>();
      env.put("VIGIL_PORT", "0");
      env.put("VIGIL_METRICS_PORT", "0");
      env.put("VIGIL_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
      env.put("VIGIL_STATE_DIR", dir.resolve("state").toString());
      env.put("VIGIL_MODELS_REGISTRY",
          registryCopy(Files.createDirectories(dir.resolve("models"))).toString());
      env.put("VIGIL_POLICY_POLL_MS", "100");
      useTls(env, tls());
      return env;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The client side of a streaming call: every response kept in order, and a wait for the stream
   * to end that rethrows its error.
   */
  public static final class Responses<T> implements io.grpc.stub.StreamObserver<T> {
    private final java.util.List<T> received =
        java.util.Collections.synchronizedList(new ArrayList<>());
    private final java.util.concurrent.CompletableFuture<Void> done =
        new java.util.concurrent.CompletableFuture<>();

    @Override
    public void onNext(T value) {
      received.add(value);
    }

    @Override
    public void onError(Throwable t) {
      done.completeExceptionally(t);
    }

    @Override
    public void onCompleted() {
      done.complete(null);
    }

    /** The responses received so far, in order (after an error too). */
    public java.util.List<T> received() {
      synchronized (received) {
        return new ArrayList<>(received);
      }
    }

    /** Waits for the stream to complete; every response, in order. */
    public java.util.List<T> await(java.time.Duration timeout) throws Exception {
      done.get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
      synchronized (received) {
        return new ArrayList<>(received);
      }
    }
  }

  /** Publishes every profile of {@code book} to the profiles topic and waits until stored. */
  public static void publish(EmbeddedKafka kafka, ScoringServer server, ProfileBook book)
      throws Exception {
    var codec = new ProfileCodec(ProfileSettings.DEFAULT);
    var records = new ArrayList<ProducerRecord<byte[], byte[]>>();
    for (Map.Entry<EntityKey, Profile> e : book.all().entrySet()) {
      Profile p = e.getValue();
      var record = ProfileRecord.newBuilder()
          .setEntityType(e.getKey().type().wire())
          .setEntityId(e.getKey().id()).setVersion(p.version())
          .setLastEventTime(EventCodec.timestamp(p.lastEventMillis()))
          .setState(ByteString.copyFrom(codec.encode(p))).build();
      records.add(new ProducerRecord<>("vigil.profiles", e.getKey().toString().getBytes(),
          record.toByteArray()));
    }
    long before = server.materializer().recordsRead();
    kafka.produce("vigil.profiles", records);
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (server.materializer().recordsRead() < before + records.size()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("profiles not materialised within 30 s");
      }
      Thread.sleep(20);
    }
  }
}
