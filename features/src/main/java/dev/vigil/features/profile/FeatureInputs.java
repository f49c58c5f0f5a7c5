package dev.vigil.features.profile;

import dev.vigil.features.event.Event;

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
}
