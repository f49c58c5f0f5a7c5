package dev.vigil.scoring;

import dev.vigil.proto.v1.IngestServiceGrpc;
import dev.vigil.proto.v1.ModelAdminGrpc;
import dev.vigil.proto.v1.ProfileServiceGrpc;
import dev.vigil.proto.v1.ScoringServiceGrpc;
import io.grpc.BindableService;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scoring service process: its composition root. Wires the gRPC services
 * onto one port with health checking and server reflection.
 *
 * <p>At this stage the scoring, ingest, model-admin and profile RPCs are bound
 * with their generated base implementations, which answer UNIMPLEMENTED; the
 * scoring-service issue fills them in.
 */
public final class ScoringServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ScoringServer.class);

  private final Server server;
  private final HealthStatusManager health;

  private ScoringServer(Server server, HealthStatusManager health) {
    this.server = server;
    this.health = health;
  }

  /** Starts a server on {@code port} (0 picks a free port). */
  public static ScoringServer start(int port) throws IOException {
    var health = new HealthStatusManager();
    List<BindableService> services = List.of(
        new ScoringServiceGrpc.ScoringServiceImplBase() {},
        new IngestServiceGrpc.IngestServiceImplBase() {},
        new ModelAdminGrpc.ModelAdminImplBase() {},
        new ProfileServiceGrpc.ProfileServiceImplBase() {});
    var builder = Grpc.newServerBuilderForPort(port, InsecureServerCredentials.create());
    services.forEach(builder::addService);
    builder.addService(health.getHealthService());
    builder.addService(ProtoReflectionServiceV1.newInstance());
    Server server = builder.build().start();
    var scoring = new ScoringServer(server, health);
    health.setStatus("", ServingStatus.SERVING);
    for (String name : List.of(ScoringServiceGrpc.SERVICE_NAME, IngestServiceGrpc.SERVICE_NAME,
        ModelAdminGrpc.SERVICE_NAME, ProfileServiceGrpc.SERVICE_NAME)) {
      health.setStatus(name, ServingStatus.SERVING);
    }
    log.info("Vigil scoring service listening on port {}", server.getPort());
    return scoring;
  }

  public int port() {
    return server.getPort();
  }

  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  /** Stops taking calls, lets calls in flight finish for up to 10 seconds. */
  @Override
  public void close() throws InterruptedException {
    health.enterTerminalState();
    server.shutdown();
    if (!server.awaitTermination(10, TimeUnit.SECONDS)) {
      server.shutdownNow();
    }
  }

  public static void main(String[] args) throws Exception {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 50051;
    ScoringServer scoring = start(port);
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
