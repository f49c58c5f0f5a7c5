package dev.vigil.e2e;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.EventCodec;
import dev.vigil.proto.v1.EntityType;
import dev.vigil.proto.v1.GetProfileRequest;
import dev.vigil.proto.v1.IngestServiceGrpc;
import dev.vigil.proto.v1.ProfileServiceGrpc;
import dev.vigil.proto.v1.PublishAck;
import dev.vigil.proto.v1.PublishRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** The calls the end-to-end tests make to a running service, as a core system makes them. */
final class Calls {
  private Calls() {}

  /** Publishes on one stream; returns the acknowledgements received before it ended. */
  static List<PublishAck> publishUntilFailure(ManagedChannel channel, List<Event> events)
      throws Exception {
    var acks = new ArrayList<PublishAck>();
    var done = new CompletableFuture<Void>();
    var stream = IngestServiceGrpc.newStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS)
        .publish(new StreamObserver<>() {
          @Override
          public void onNext(PublishAck ack) {
            synchronized (acks) {
              acks.add(ack);
            }
          }

          @Override
          public void onError(Throwable t) {
            done.complete(null);
          }

          @Override
          public void onCompleted() {
            done.complete(null);
          }
        });
    for (Event e : events) {
      stream.onNext(PublishRequest.newBuilder().setEvent(EventCodec.toProto(e)).build());
    }
    stream.onCompleted();
    done.get(90, TimeUnit.SECONDS);
    synchronized (acks) {
      return new ArrayList<>(acks);
    }
  }

  /** Whether the service's health check says SERVING; false while it cannot be reached. */
  static boolean serving(ManagedChannel channel) {
    try {
      return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.SECONDS)
          .check(HealthCheckRequest.getDefaultInstance()).getStatus() == ServingStatus.SERVING;
    } catch (StatusRuntimeException e) {
      return false;
    }
  }

  /**
   * Waits until {@code condition} holds, polling every 10 ms; after {@code seconds}, fails naming
   * {@code what}, with the tails of the processes' logs.
   */
  static void await(String what, int seconds, BooleanSupplier condition,
      VigilProcess... processes) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        var logs = new StringBuilder();
        for (VigilProcess p : processes) {
          logs.append('\n').append(p.tail());
        }
        throw new AssertionError("timed out waiting until " + what + logs);
      }
      Thread.sleep(10);
    }
  }

  /** The version of an entity's profile the service holds, 0 while it has none or is not ready. */
  static long profileVersion(ManagedChannel channel, EntityType type, String id) {
    try {
      return ProfileServiceGrpc.newBlockingStub(channel).getProfile(GetProfileRequest.newBuilder()
          .setEntityType(type).setEntityId(id).build()).getProfile().getVersion();
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.NOT_FOUND
          || e.getStatus().getCode() == Status.Code.UNAVAILABLE) {
        return 0;
      }
      throw e;
    }
  }
}
