package dev.vigil.scoring.policy;

import com.google.protobuf.Timestamp;
import dev.vigil.features.event.EventCodec;
import dev.vigil.proto.v1.ListEntry;
import dev.vigil.proto.v1.ListKind;
import dev.vigil.proto.v1.ListedEntity;
import java.util.Objects;

/**
 * One entry of an allow or block list: a value of an entity on a named list, why and by whom,
 * in force from {@code addedAtMillis} until the earlier of {@code expiresAtMillis} and {@code
 * removedAtMillis} ({@link Long#MAX_VALUE}: not set). Its wire form is the lists topic's record
 * ({@link ListEntry}).
 */
public record Listing(String id, String list, Kind kind, Entity entity, String value,
    String reason, String author, long addedAtMillis, long expiresAtMillis,
    long removedAtMillis, String removedBy, String removalReason) {

  /** Whether a list lets through or stops what is on it. */
  public enum Kind {
    ALLOW(ListKind.LIST_KIND_ALLOW),
    BLOCK(ListKind.LIST_KIND_BLOCK);

    private final ListKind wire;

    Kind(ListKind wire) {
      this.wire = wire;
    }

    public ListKind wire() {
      return wire;
    }

    /**
     * The kind {@code wire} names.
     *
     * @throws IllegalArgumentException naming {@code field} when it names none
     */
    public static Kind of(ListKind wire, String field) {
      for (Kind k : values()) {
        if (k.wire == wire) {
          return k;
        }
      }
      throw new IllegalArgumentException(field + ": must be LIST_KIND_ALLOW or LIST_KIND_BLOCK,"
          + " not " + wire);
    }
  }

  /**
   * What an entry names. {@link #token} is the text its value is tokenised as ({@code
   * DEVICE/d-1}): for the entities the profiles key, the profile's key, so that an entry's token
   * is the entity's token in the audit records.
   */
  public enum Entity {
    ACCOUNT(ListedEntity.LISTED_ENTITY_ACCOUNT, "ACCOUNT"),
    CUSTOMER(ListedEntity.LISTED_ENTITY_CUSTOMER, "CUSTOMER"),
    CARD(ListedEntity.LISTED_ENTITY_CARD, "CARD"),
    DEVICE(ListedEntity.LISTED_ENTITY_DEVICE, "DEVICE"),
    MERCHANT(ListedEntity.LISTED_ENTITY_MERCHANT, "MERCHANT"),
    ROUTING_NUMBER(ListedEntity.LISTED_ENTITY_ROUTING_NUMBER, "ROUTING_NUMBER"),
    /** {@code micr:FINGERPRINT} or {@code image:FINGERPRINT}, as the check profiles are keyed. */
    CHECK_FINGERPRINT(ListedEntity.LISTED_ENTITY_CHECK_FINGERPRINT, "CHECK");

    private final ListedEntity wire;
    private final String tokenType;

    Entity(ListedEntity wire, String tokenType) {
      this.wire = wire;
      this.tokenType = tokenType;
    }

    public ListedEntity wire() {
      return wire;
    }

    /** The text a value of this entity is tokenised as: {@code TYPE/value}. */
    public String token(String value) {
      return tokenType + "/" + value;
    }

    /**
     * The entity {@code wire} names.
     *
     * @throws IllegalArgumentException naming {@code field} when it names none
     */
    public static Entity of(ListedEntity wire, String field) {
      for (Entity e : values()) {
        if (e.wire == wire) {
          return e;
        }
      }
      throw new IllegalArgumentException(field + ": must name an entity (LISTED_ENTITY_ACCOUNT,"
          + " _CUSTOMER, _CARD, _DEVICE, _MERCHANT, _ROUTING_NUMBER, _CHECK_FINGERPRINT), not "
          + wire);
    }
  }

  /** Not set: no expiry, not removed. */
  public static final long NEVER = Long.MAX_VALUE;

  public Listing {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(list, "list");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(entity, "entity");
    Objects.requireNonNull(value, "value");
    reason = reason == null ? "" : reason;
    author = author == null ? "" : author;
    removedBy = removedBy == null ? "" : removedBy;
    removalReason = removalReason == null ? "" : removalReason;
  }

  /** When it stops applying: the earlier of its expiry and its removal. */
  public long endMillis() {
    return Math.min(expiresAtMillis, removedAtMillis);
  }

  /** True when it applies at {@code atMillis}: from its addition, until (not at) its end. */
  public boolean appliesAt(long atMillis) {
    return addedAtMillis <= atMillis && atMillis < endMillis();
  }

  /** This entry removed at {@code atMillis} by {@code by}, for {@code why}. */
  public Listing removed(long atMillis, String by, String why) {
    return new Listing(id, list, kind, entity, value, reason, author, addedAtMillis,
        expiresAtMillis, atMillis, by, why);
  }

  /** The entry as the lists topic keeps it. */
  public ListEntry wire() {
    var out = ListEntry.newBuilder().setId(id).setList(list).setKind(kind.wire())
        .setEntity(entity.wire()).setValue(value).setReason(reason).setAuthor(author)
        .setAddedAt(EventCodec.timestamp(addedAtMillis)).setRemovedBy(removedBy)
        .setRemovalReason(removalReason);
    if (expiresAtMillis != NEVER) {
      out.setExpiresAt(EventCodec.timestamp(expiresAtMillis));
    }
    if (removedAtMillis != NEVER) {
      out.setRemovedAt(EventCodec.timestamp(removedAtMillis));
    }
    return out.build();
  }

  /**
   * The entry a lists topic record holds.
   *
   * @throws IllegalArgumentException naming the field that is missing or unknown
   */
  public static Listing of(ListEntry wire) {
    if (wire.getId().isEmpty()) {
      throw new IllegalArgumentException("id: is required");
    }
    if (wire.getList().isEmpty()) {
      throw new IllegalArgumentException("list: is required (entry " + wire.getId() + ")");
    }
    if (wire.getValue().isEmpty()) {
      throw new IllegalArgumentException("value: is required (entry " + wire.getId() + ")");
    }
    if (!wire.hasAddedAt()) {
      throw new IllegalArgumentException("added_at: is required (entry " + wire.getId() + ")");
    }
    return new Listing(wire.getId(), wire.getList(), Kind.of(wire.getKind(), "kind"),
        Entity.of(wire.getEntity(), "entity"), wire.getValue(), wire.getReason(),
        wire.getAuthor(), millis(wire.getAddedAt()),
        wire.hasExpiresAt() ? millis(wire.getExpiresAt()) : NEVER,
        wire.hasRemovedAt() ? millis(wire.getRemovedAt()) : NEVER, wire.getRemovedBy(),
        wire.getRemovalReason());
  }

  private static long millis(Timestamp t) {
    return t.getSeconds() * 1000 + t.getNanos() / 1_000_000;
  }
}
