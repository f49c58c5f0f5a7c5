package dev.vigil.features.profile;

/**
 * The kinds of entity a profile is kept for, each mapped to the wire's {@code vigil.v1.EntityType}
 * here and nowhere else.
 */
public enum EntityType {
  ACCOUNT(dev.vigil.proto.v1.EntityType.ENTITY_TYPE_ACCOUNT),
  CUSTOMER(dev.vigil.proto.v1.EntityType.ENTITY_TYPE_CUSTOMER),
  MERCHANT(dev.vigil.proto.v1.EntityType.ENTITY_TYPE_MERCHANT),
  DEVICE(dev.vigil.proto.v1.EntityType.ENTITY_TYPE_DEVICE),
  CHECK(dev.vigil.proto.v1.EntityType.ENTITY_TYPE_CHECK);

  private final dev.vigil.proto.v1.EntityType wire;

  EntityType(dev.vigil.proto.v1.EntityType wire) {
    this.wire = wire;
  }

  /** This type as the wire spells it. */
  public dev.vigil.proto.v1.EntityType wire() {
    return wire;
  }

  /**
   * The type a wire value names.
   *
   * @param wire a value read from the wire
   * @return the type it names
   * @throws IllegalArgumentException for {@code ENTITY_TYPE_UNSPECIFIED} and values this build does
   *     not know ({@code UNRECOGNIZED})
   */
  public static EntityType of(dev.vigil.proto.v1.EntityType wire) {
    for (EntityType type : values()) {
      if (type.wire == wire) {
        return type;
      }
    }
    throw new IllegalArgumentException("entity_type: " + wire + " names no entity type");
  }
}
