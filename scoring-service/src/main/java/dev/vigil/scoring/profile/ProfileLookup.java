package dev.vigil.scoring.profile;

import com.google.protobuf.Timestamp;
import dev.vigil.features.event.EventCodec;
import dev.vigil.features.event.InvalidEventException;
import dev.vigil.features.profile.AccountProfile;
import dev.vigil.features.profile.CheckProfile;
import dev.vigil.features.profile.CustomerProfile;
import dev.vigil.features.profile.DeviceProfile;
import dev.vigil.features.profile.EntityKey;
import dev.vigil.features.profile.EntityType;
import dev.vigil.features.profile.FeatureCatalogue;
import dev.vigil.features.profile.FeatureInputs;
import dev.vigil.features.profile.MerchantProfile;
import dev.vigil.features.profile.Profile;
import dev.vigil.features.profile.ProfileCodec;
import dev.vigil.proto.v1.GetProfileRequest;
import dev.vigil.proto.v1.GetProfileResponse;
import dev.vigil.proto.v1.ProfileRecord;
import dev.vigil.proto.v1.ProfileServiceGrpc;
import dev.vigil.scoring.store.ProfileStore;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Clock;

/**
 * ProfileService: an entity's stored profile and the values, as of a time, of every feature that
 * reads that entity's profile, computed by the feature library exactly as scoring computes them.
 */
public final class ProfileLookup extends ProfileServiceGrpc.ProfileServiceImplBase {
  private final ProfileStore store;
  private final ProfileCodec codec;
  private final Clock clock;

  public ProfileLookup(ProfileStore store, ProfileCodec codec, Clock clock) {
    this.store = store;
    this.codec = codec;
    this.clock = clock;
  }

  @Override
  public void getProfile(GetProfileRequest request, StreamObserver<GetProfileResponse> response) {
    if (request.getEntityType() == dev.vigil.proto.v1.EntityType.ENTITY_TYPE_UNSPECIFIED
        || request.getEntityType() == dev.vigil.proto.v1.EntityType.UNRECOGNIZED) {
      response.onError(Status.INVALID_ARGUMENT
          .withDescription("entity_type: is required").asRuntimeException());
      return;
    }
    if (request.getEntityId().isEmpty() || request.getEntityId().length() > 256) {
      response.onError(Status.INVALID_ARGUMENT
          .withDescription("entity_id: must be 1-256 characters").asRuntimeException());
      return;
    }
    long asOf;
    try {
      asOf = request.hasAsOf() ? EventCodec.millis(request.getAsOf(), "as_of") : clock.millis();
    } catch (InvalidEventException e) {
      response.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage())
          .asRuntimeException());
      return;
    }
    EntityType type = EntityType.of(request.getEntityType());
    ProfileRecord record = store.get(new EntityKey(type, request.getEntityId()));
    if (record == null) {
      response.onError(Status.NOT_FOUND
          .withDescription("no profile is stored for that entity").asRuntimeException());
      return;
    }
    Profile profile = codec.decode(record.getState().toByteArray());
    FeatureInputs in = inputs(profile, asOf);
    var out = GetProfileResponse.newBuilder().setProfile(record).setAsOf(timestamp(asOf));
    for (FeatureCatalogue.Feature f : FeatureCatalogue.all()) {
      if (f.reads() == type) {
        out.putFeatures(f.name(), f.valueOf(in));
      }
    }
    response.onNext(out.build());
    response.onCompleted();
  }

  private static FeatureInputs inputs(Profile p, long asOf) {
    return new FeatureInputs(asOf, null,
        p instanceof AccountProfile a ? a : null,
        p instanceof CustomerProfile c ? c : null,
        p instanceof MerchantProfile m ? m : null,
        p instanceof DeviceProfile d ? d : null,
        p instanceof CheckProfile c ? c : null, null);
  }

  private static Timestamp timestamp(long millis) {
    return EventCodec.timestamp(millis);
  }
}
