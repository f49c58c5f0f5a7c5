package dev.vigil.features.profile;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.Event.CheckDeposit;
import dev.vigil.features.event.Event.Transaction;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Everything a feature vector is computed from: the as-of time, the event being scored (absent
 * for delinquency), and the profiles of the entities involved as they stood at that time. A
 * missing profile (an entity never seen) reads as empty.
 */
public record FeatureInputs(long asOfMillis, Event current, AccountProfile account,
    CustomerProfile customer, MerchantProfile merchant, DeviceProfile device,
    CheckProfile micrCheck, CheckProfile imageCheck) {
  private static final ProfileSettings EMPTY_SETTINGS = ProfileSettings.DEFAULT;
  private static final AccountProfile NO_ACCOUNT = new AccountProfile(EMPTY_SETTINGS);
  private static final CustomerProfile NO_CUSTOMER = new CustomerProfile(EMPTY_SETTINGS);
  private static final MerchantProfile NO_MERCHANT = new MerchantProfile(EMPTY_SETTINGS);
  private static final DeviceProfile NO_DEVICE = new DeviceProfile(EMPTY_SETTINGS);
  private static final CheckProfile NO_CHECK = new CheckProfile(EMPTY_SETTINGS);

  public FeatureInputs {
    account = account == null ? NO_ACCOUNT : account;
    customer = customer == null ? NO_CUSTOMER : customer;
    merchant = merchant == null ? NO_MERCHANT : merchant;
    device = device == null ? NO_DEVICE : device;
    micrCheck = micrCheck == null ? NO_CHECK : micrCheck;
    imageCheck = imageCheck == null ? NO_CHECK : imageCheck;
  }

  /** The newest event time reflected in these inputs' profiles: how fresh they are. */
  public long profilesAsOfMillis() {
    long newest = Long.MIN_VALUE;
    for (Profile p : new Profile[] {account, customer, merchant, device, micrCheck, imageCheck}) {
      newest = Math.max(newest, p.lastEventMillis());
    }
    return newest;
  }

  /**
   * The entities whose profiles score an event: its account and customer, and the merchant,
   * device or check fingerprints it names. A field is null where the event names no such entity.
   */
  public record Keys(EntityKey account, EntityKey customer, EntityKey merchant, EntityKey device,
      EntityKey micrCheck, EntityKey imageCheck) {
    /** The keys that are set, for one batched read. */
    public List<EntityKey> list() {
      var keys = new ArrayList<EntityKey>(6);
      for (EntityKey k : new EntityKey[] {account, customer, merchant, device, micrCheck,
          imageCheck}) {
        if (k != null) {
          keys.add(k);
        }
      }
      return keys;
    }
  }

  /** The keys of the profiles needed to score {@code current}. */
  public static Keys keysFor(Event current) {
    EntityKey customer = customer(current.customerId());
    EntityKey merchant = null;
    EntityKey device = null;
    EntityKey micr = null;
    EntityKey image = null;
    if (current.kind() instanceof Transaction tx) {
      merchant = tx.merchantId().isEmpty() ? null
          : new EntityKey(EntityType.MERCHANT, tx.merchantId());
      device = tx.deviceId().isEmpty() ? null : new EntityKey(EntityType.DEVICE, tx.deviceId());
    } else if (current.kind() instanceof CheckDeposit d) {
      device = d.deviceId().isEmpty() ? null : new EntityKey(EntityType.DEVICE, d.deviceId());
      micr = EntityKey.micrCheck(d);
      image = EntityKey.imageCheck(d);
    }
    return new Keys(EntityKey.account(current.accountId()), customer, merchant, device, micr,
        image);
  }

  /** The keys of the profiles behind an account's delinquency features. */
  public static Keys keysForAccount(String accountId, String customerId) {
    return new Keys(EntityKey.account(accountId), customer(customerId), null, null, null, null);
  }

  private static EntityKey customer(String customerId) {
    return customerId == null || customerId.isEmpty() ? null
        : new EntityKey(EntityType.CUSTOMER, customerId);
  }

  /**
   * The inputs to score {@code current} (null for delinquency) as of {@code asOfMillis}, reading
   * each profile of {@code keys} through {@code profiles} (which answers null for an unseen
   * entity). The streaming job's reference fold, training and the service all assemble inputs
   * here.
   */
  public static FeatureInputs assemble(long asOfMillis, Event current, Keys keys,
      Function<EntityKey, Profile> profiles) {
    return new FeatureInputs(asOfMillis, current,
        (AccountProfile) read(keys.account, profiles),
        (CustomerProfile) read(keys.customer, profiles),
        (MerchantProfile) read(keys.merchant, profiles),
        (DeviceProfile) read(keys.device, profiles),
        (CheckProfile) read(keys.micrCheck, profiles),
        (CheckProfile) read(keys.imageCheck, profiles));
  }

  private static Profile read(EntityKey key, Function<EntityKey, Profile> profiles) {
    return key == null ? null : profiles.apply(key);
  }
}
