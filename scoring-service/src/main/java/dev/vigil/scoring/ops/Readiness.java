package dev.vigil.scoring.ops;

import dev.vigil.proto.v1.IngestServiceGrpc;
import dev.vigil.proto.v1.ModelAdminGrpc;
import dev.vigil.proto.v1.ProfileServiceGrpc;
import dev.vigil.proto.v1.ScoringServiceGrpc;
import dev.vigil.scoring.store.StoreProgress;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the health service tells, kept true. {@value #LIVENESS} is SERVING while the process
 * serves calls (a liveness probe); {@value #READINESS}, the overall status ({@code ""}) and each
 * Vigil service are SERVING only while the profile store has caught up with the profiles topic,
 * its materialiser runs without failing, and it lags the topic by at most {@code maxLag} records
 * (a readiness probe: take the replica out of rotation, do not restart it). Until the store has
 * first caught up, scoring and profile calls are refused with UNAVAILABLE: an empty store would
 * answer as if every account were new.
 */
public final class Readiness {
  private static final Logger log = LoggerFactory.getLogger(Readiness.class);
  /** The health service name a liveness probe asks for. */
  public static final String LIVENESS = "liveness";
  /** The health service name a readiness probe asks for. */
  public static final String READINESS = "readiness";
  private static final List<String> FOLLOW_READINESS = List.of("", READINESS,
      ScoringServiceGrpc.SERVICE_NAME, IngestServiceGrpc.SERVICE_NAME,
      ModelAdminGrpc.SERVICE_NAME, ProfileServiceGrpc.SERVICE_NAME);

  private final HealthStatusManager health;
  private final StoreProgress materializer;
  private final long maxLag;
  private volatile Boolean ready;

  /**
   * @param maxLag the most records the store may lag the profiles topic by and stay ready
   */
  public Readiness(HealthStatusManager health, StoreProgress materializer, long maxLag) {
    this.health = health;
    this.materializer = materializer;
    this.maxLag = maxLag;
    health.setStatus(LIVENESS, ServingStatus.SERVING);
    update();
  }

  /** Sets every status from the materialiser's state now (called every half second). */
  public synchronized void update() {
    boolean now = materializer.caughtUp() && materializer.healthy()
        && materializer.lag() <= maxLag;
    if (ready == null || ready != now) {
      if (ready != null) {
        log.warn("readiness: {} (caught up: {}, materialiser healthy: {}, lag {} records, bound"
            + " {})", now ? "SERVING" : "NOT_SERVING", materializer.caughtUp(),
            materializer.healthy(), materializer.lag(), maxLag);
      }
      ready = now;
      for (String name : FOLLOW_READINESS) {
        health.setStatus(name, now ? ServingStatus.SERVING : ServingStatus.NOT_SERVING);
      }
    }
  }

  /** True while the readiness statuses say SERVING. */
  public boolean ready() {
    return Boolean.TRUE.equals(ready);
  }

  /** Refuses scoring and profile calls with UNAVAILABLE until the store has first caught up. */
  public ServerInterceptor storeGate() {
    return new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
          ServerCallHandler<Q, R> next) {
        String service = call.getMethodDescriptor().getServiceName();
        if (!materializer.caughtUp() && (ScoringServiceGrpc.SERVICE_NAME.equals(service)
            || ProfileServiceGrpc.SERVICE_NAME.equals(service))) {
          call.close(Status.UNAVAILABLE.withDescription("the profile store is catching up with"
              + " the profiles topic (" + Math.max(0, materializer.lag()) + " records behind);"
              + " retry, or call another replica"), new Metadata());
          return new ServerCall.Listener<>() { };
        }
        return next.startCall(call, headers);
      }
    };
  }
}
