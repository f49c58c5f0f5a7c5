package dev.vigil.scoring.policy;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.Event.CheckDeposit;
import dev.vigil.features.event.Event.Transaction;
import dev.vigil.features.profile.EntityKey;
import dev.vigil.features.profile.FeatureInputs;

/**
 * The values of a call that a list entry may name, each where the request carries it (null where
 * it carries none): the event's account and customer, a transaction's device and merchant, a
 * deposit's device, routing number and check fingerprints ({@code micr:...}, {@code image:...}, as
 * the check profiles are keyed). No request carries a card id yet: {@code card} is always null.
 */
public record ListedEntities(String account, String customer, String card, String device,
    String merchant, String routingNumber, String micrCheck, String imageCheck) {

  /** The values of a call that scores {@code current}. */
  public static ListedEntities of(Event current) {
    String device = null;
    String merchant = null;
    String routing = null;
    String micr = null;
    String image = null;
    if (current.kind() instanceof Transaction tx) {
      device = tx.deviceId();
      merchant = tx.merchantId();
    } else if (current.kind() instanceof CheckDeposit d) {
      device = d.deviceId();
      routing = d.routingNumber();
      micr = id(EntityKey.micrCheck(d));
      image = id(EntityKey.imageCheck(d));
    }
    return new ListedEntities(current.accountId(), current.customerId(), null, device, merchant,
        routing, micr, image);
  }

  /** The values of a call without an event (delinquency): the profiles' keys it reads. */
  public static ListedEntities of(FeatureInputs.Keys keys) {
    return new ListedEntities(id(keys.account()), id(keys.customer()), null, id(keys.device()),
        id(keys.merchant()), null, id(keys.micrCheck()), id(keys.imageCheck()));
  }

  /** The values of a call scoring {@code current}, else reading {@code keys}. */
  public static ListedEntities of(Event current, FeatureInputs.Keys keys) {
    return current != null ? of(current) : of(keys);
  }

  private static String id(EntityKey key) {
    return key == null ? null : key.id();
  }
}
