package dev.vigil.scoring;

import dev.vigil.features.profile.ProfileCodec;
import dev.vigil.features.profile.ProfileSettings;
import dev.vigil.proto.v1.IngestServiceGrpc;
import dev.vigil.proto.v1.ModelAdminGrpc;
import dev.vigil.proto.v1.ProfileServiceGrpc;
import dev.vigil.proto.v1.ScoringServiceGrpc;
import dev.vigil.scoring.ingest.Ingest;
import dev.vigil.scoring.ingest.IngestLedger;
import dev.vigil.scoring.profile.ProfileLookup;
import dev.vigil.scoring.store.ProfileMaterializer;
import dev.vigil.scoring.store.ProfileStore;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scoring service process: its composition root. Opens the online store and keeps it
 * materialised from the profiles topic, opens the ingest ledger and producer, and serves the gRPC
 * services on one port with health checking and server reflection.
 *
 * <p>Built so far: ProfileService and IngestService. ScoringService and ModelAdmin answer
 * UNIMPLEMENTED until the models and scoring work lands.
 */
public final class ScoringServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ScoringServer.class);

  private final Server server;
  private final HealthStatusManager health;
  private final ProfileStore store;
  private final ProfileMaterializer materializer;
  private final IngestLedger ledger;
  private final KafkaProducer<byte[], byte[]> producer;

  private ScoringServer(Server server, HealthStatusManager health, ProfileStore store,
      ProfileMaterializer materializer, IngestLedger ledger,
      KafkaProducer<byte[], byte[]> producer) {
    this.server = server;
    this.health = health;
    this.store = store;
    this.materializer = materializer;
    this.ledger = ledger;
    this.producer = producer;
  }

  /** Wires and starts everything the configuration describes. */
  public static ScoringServer start(ServiceConfig config) throws IOException {
    Clock clock = Clock.systemUTC();
    var store = new ProfileStore(config.stateDir().resolve("profiles"),
        new ProfileStore.Settings(config.blockCacheBytes(), config.bloomBitsPerKey()));
    var materializer = new ProfileMaterializer(store, config.bootstrapServers(),
        config.profilesTopic()).start();
    var ledger = new IngestLedger(config.stateDir().resolve("ingested"),
        Duration.ofDays(config.dedupeRetentionDays()));
    var producer = producer(config.bootstrapServers());

    var health = new HealthStatusManager();
    var builder = Grpc.newServerBuilderForPort(config.port(), InsecureServerCredentials.create());
    builder.addService(new ScoringServiceGrpc.ScoringServiceImplBase() {});
    builder.addService(new ModelAdminGrpc.ModelAdminImplBase() {});
    builder.addService(new ProfileLookup(store, new ProfileCodec(ProfileSettings.DEFAULT), clock));
    builder.addService(new Ingest(producer, config.eventsTopic(), ledger, clock));
    builder.addService(health.getHealthService());
    builder.addService(ProtoReflectionServiceV1.newInstance());
    Server server = builder.build().start();
    health.setStatus("", ServingStatus.SERVING);
    for (String name : List.of(ScoringServiceGrpc.SERVICE_NAME, IngestServiceGrpc.SERVICE_NAME,
        ModelAdminGrpc.SERVICE_NAME, ProfileServiceGrpc.SERVICE_NAME)) {
      health.setStatus(name, ServingStatus.SERVING);
    }
    log.info("Vigil scoring service listening on port {}", server.getPort());
    return new ScoringServer(server, health, store, materializer, ledger, producer);
  }

  private static KafkaProducer<byte[], byte[]> producer(String bootstrapServers) {
    var p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "2");
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "vigil-ingest");
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  public int port() {
    return server.getPort();
  }

  public ProfileMaterializer materializer() {
    return materializer;
  }

  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  /** Stops taking calls, lets calls in flight finish for up to 10 seconds, then closes. */
  @Override
  public void close() throws InterruptedException {
    health.enterTerminalState();
    server.shutdown();
    if (!server.awaitTermination(10, TimeUnit.SECONDS)) {
      server.shutdownNow();
    }
    producer.close(Duration.ofSeconds(10));
    materializer.close();
    ledger.close();
    store.close();
  }

  /** {@code ScoringServer [config.properties]}; environment variables override the file. */
  public static void main(String[] args) throws Exception {
    ServiceConfig config = ServiceConfig.load(args.length > 0 ? Path.of(args[0]) : null,
        System.getenv());
    ScoringServer scoring = start(config);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        scoring.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "shutdown"));
    scoring.awaitTermination();
  }
}
