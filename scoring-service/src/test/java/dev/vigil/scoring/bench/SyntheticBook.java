package dev.vigil.scoring.bench;

import com.google.protobuf.ByteString;
import dev.vigil.features.event.Event;
import dev.vigil.features.event.EventCodec;
import dev.vigil.features.profile.AccountProfile;
import dev.vigil.features.profile.CustomerProfile;
import dev.vigil.features.profile.DeviceProfile;
import dev.vigil.features.profile.EntityKey;
import dev.vigil.features.profile.EntityType;
import dev.vigil.features.profile.MerchantProfile;
import dev.vigil.features.profile.Profile;
import dev.vigil.features.profile.ProfileCodec;
import dev.vigil.features.profile.ProfileSettings;
import dev.vigil.proto.v1.ProfileRecord;
import java.util.SplittableRandom;
import java.util.function.BiConsumer;

/**
 * The benchmarks' book: {@code accounts} accounts, each with its customer and device, 5-44 card
 * transactions over the 30 days before {@code now}, and {@link #MERCHANTS} merchants (folded from
 * the first 200,000 accounts' transactions), seeded: every run makes the same profiles.
 */
final class SyntheticBook {
  static final int MERCHANTS = 10_000;
  private static final long DAY = 86_400_000L;

  private SyntheticBook() {}

  /** Gives every profile of the book, as the job would publish it, to {@code sink}. */
  static void each(int accounts, long now, BiConsumer<EntityKey, ProfileRecord> sink) {
    var settings = ProfileSettings.DEFAULT;
    var codec = new ProfileCodec(settings);
    var random = new SplittableRandom(7);
    var merchants = new MerchantProfile[MERCHANTS];
    for (int m = 0; m < MERCHANTS; m++) {
      merchants[m] = new MerchantProfile(settings);
    }
    for (int a = 0; a < accounts; a++) {
      String account = "a-" + a;
      var acct = new AccountProfile(settings);
      var customer = new CustomerProfile(settings);
      var device = new DeviceProfile(settings);
      int events = 5 + random.nextInt(40);
      for (int e = 0; e < events; e++) {
        long at = now - DAY - random.nextLong(30 * DAY);
        int m = random.nextInt(MERCHANTS);
        var ev = new Event(account + "-" + e, at, account, "c-" + a, new Event.Transaction(
            new Event.Money(500 + random.nextInt(20_000), "USD"), Event.Direction.DEBIT,
            random.nextInt(4) == 0 ? Event.Channel.ECOMMERCE : Event.Channel.CARD_PRESENT,
            "m-" + m, "5411", "US", "d-" + a, ""));
        acct.fold(ev);
        customer.fold(ev);
        device.fold(ev);
        if (a < 200_000) {
          merchants[m].fold(ev);
        }
      }
      sink.accept(new EntityKey(EntityType.ACCOUNT, account), record(codec, EntityType.ACCOUNT,
          account, acct));
      sink.accept(new EntityKey(EntityType.CUSTOMER, "c-" + a), record(codec,
          EntityType.CUSTOMER, "c-" + a, customer));
      sink.accept(new EntityKey(EntityType.DEVICE, "d-" + a), record(codec, EntityType.DEVICE,
          "d-" + a, device));
    }
    for (int m = 0; m < MERCHANTS; m++) {
      sink.accept(new EntityKey(EntityType.MERCHANT, "m-" + m), record(codec,
          EntityType.MERCHANT, "m-" + m, merchants[m]));
    }
  }

  private static ProfileRecord record(ProfileCodec codec, EntityType type, String id, Profile p) {
    return ProfileRecord.newBuilder().setEntityType(type.wire()).setEntityId(id)
        .setVersion(p.version())
        .setLastEventTime(EventCodec.timestamp(p.lastEventMillis()))
        .setState(ByteString.copyFrom(codec.encode(p))).setStateFormat(ProfileCodec.FORMAT)
        .build();
  }
}
