package dev.vigil.features.profile;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.vigil.features.state.ProfileState;

/** Serialises profiles (the {@code state} bytes of {@code vigil.v1.ProfileRecord}). */
public final class ProfileCodec {
  /** The layout version written in {@code ProfileRecord.state_format}. */
  public static final int FORMAT = 1;

  private final ProfileSettings settings;

  public ProfileCodec(ProfileSettings settings) {
    this.settings = settings;
  }

  public byte[] encode(Profile p) {
    var b = ProfileState.newBuilder().setVersion(p.version).setLastEventMillis(p.lastEventMillis);
    if (p instanceof AccountProfile a) {
      b.setAccount(a.toState());
    } else if (p instanceof CustomerProfile c) {
      b.setCustomer(c.toState());
    } else if (p instanceof MerchantProfile m) {
      b.setMerchant(m.toState());
    } else if (p instanceof DeviceProfile d) {
      b.setDevice(d.toState());
    } else if (p instanceof CheckProfile c) {
      b.setCheck(c.toState());
    }
    return b.build().toByteArray();
  }

  public Profile decode(byte[] bytes) {
    ProfileState s;
    try {
      s = ProfileState.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("profile state is not readable: " + e.getMessage(), e);
    }
    Profile p = switch (s.getEntityCase()) {
      case ACCOUNT -> AccountProfile.fromState(settings, s.getAccount());
      case CUSTOMER -> CustomerProfile.fromState(settings, s.getCustomer());
      case MERCHANT -> MerchantProfile.fromState(settings, s.getMerchant());
      case DEVICE -> DeviceProfile.fromState(settings, s.getDevice());
      case CHECK -> CheckProfile.fromState(settings, s.getCheck());
      case ENTITY_NOT_SET -> throw new IllegalArgumentException("profile state names no entity");
    };
    p.version = s.getVersion();
    p.lastEventMillis = s.getLastEventMillis();
    return p;
  }

  /** A new, empty profile for an entity type. */
  public Profile empty(EntityType type) {
    return switch (type) {
      case ACCOUNT -> new AccountProfile(settings);
      case CUSTOMER -> new CustomerProfile(settings);
      case MERCHANT -> new MerchantProfile(settings);
      case DEVICE -> new DeviceProfile(settings);
      case CHECK -> new CheckProfile(settings);
    };
  }
}
