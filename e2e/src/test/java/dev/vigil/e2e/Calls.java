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
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

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
