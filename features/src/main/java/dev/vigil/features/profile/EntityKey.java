package dev.vigil.features.profile;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.Event.CheckDeposit;
import dev.vigil.features.event.Event.ConsentChange;
import dev.vigil.features.event.Event.CustomerDetails;
import dev.vigil.features.event.Event.FraudReport;
import dev.vigil.features.event.Event.Transaction;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An entity a profile is kept for. Its text form {@code TYPE/id} is the key of the profiles topic
 * and of the online store. Check keys are {@code micr:...} or {@code image:...} fingerprints.
 */
public record EntityKey(EntityType type, String id) {
  public EntityKey {
    Objects.requireNonNull(type, "type");
    if (id == null || id.isEmpty()) {
      throw new IllegalArgumentException("entity id must not be empty");
    }
  }

  public static EntityKey account(String id) {
    return new EntityKey(EntityType.ACCOUNT, id);
  }

  public static EntityKey parse(String text) {
    int slash = text.indexOf('/');
    if (slash <= 0) {
      throw new IllegalArgumentException("entity key must be TYPE/id");
    }
    return new EntityKey(EntityType.valueOf(text.substring(0, slash)), text.substring(slash + 1));
  }

  @Override
  public String toString() {
    return type + "/" + id;
  }

  /** The key of a deposit's MICR-line fingerprint, or null when the MICR line is incomplete. */
  public static EntityKey micrCheck(CheckDeposit d) {
    return d.micrFingerprint().isEmpty() ? null
        : new EntityKey(EntityType.CHECK, "micr:" + d.micrFingerprint());
  }

  /** The key of a deposit's image fingerprint, or null when there is none. */
  public static EntityKey imageCheck(CheckDeposit d) {
    return d.imageFingerprint().isEmpty() ? null
        : new EntityKey(EntityType.CHECK, "image:" + d.imageFingerprint());
  }

  /** The check keys a deposit is presented under: its MICR line and its image, where known. */
  public static List<EntityKey> checks(CheckDeposit d) {
    var keys = new ArrayList<EntityKey>(2);
    EntityKey micr = micrCheck(d);
    if (micr != null) {
      keys.add(micr);
    }
    EntityKey image = imageCheck(d);
    if (image != null) {
      keys.add(image);
    }
    return keys;
  }

  /** Every entity whose profile folds {@code e}, the account first. */
  public static List<EntityKey> of(Event e) {
    var keys = new ArrayList<EntityKey>(4);
    keys.add(account(e.accountId()));
    Event.Kind k = e.kind();
    if (k instanceof Transaction t) {
      if (!e.customerId().isEmpty()) {
        keys.add(new EntityKey(EntityType.CUSTOMER, e.customerId()));
      }
      if (!t.merchantId().isEmpty()) {
        keys.add(new EntityKey(EntityType.MERCHANT, t.merchantId()));
      }
      if (!t.deviceId().isEmpty()) {
        keys.add(new EntityKey(EntityType.DEVICE, t.deviceId()));
      }
    } else if (k instanceof CheckDeposit d) {
      if (!d.deviceId().isEmpty()) {
        keys.add(new EntityKey(EntityType.DEVICE, d.deviceId()));
      }
      keys.addAll(checks(d));
    } else if (k instanceof ConsentChange || k instanceof CustomerDetails) {
      keys.set(0, new EntityKey(EntityType.CUSTOMER, e.customerId()));
    } else if (k instanceof FraudReport r && !r.merchantId().isEmpty()) {
      keys.add(new EntityKey(EntityType.MERCHANT, r.merchantId()));
    }
    return keys;
  }
}
