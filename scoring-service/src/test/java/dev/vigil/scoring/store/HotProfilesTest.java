package dev.vigil.scoring.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.vigil.features.event.Event;
import dev.vigil.features.event.EventCodec;
import dev.vigil.features.profile.AccountProfile;
import dev.vigil.features.profile.EntityKey;
import dev.vigil.features.profile.EntityType;
import dev.vigil.features.profile.MerchantProfile;
import dev.vigil.features.profile.Profile;
import dev.vigil.features.profile.ProfileCodec;
import dev.vigil.features.profile.ProfileSettings;
import dev.vigil.proto.v1.ProfileRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The decoded-merchant cache in front of a real RocksDB store. */
class HotProfilesTest {
  private static final long T0 = 1_767_225_600_000L;
  private final ProfileSettings settings = ProfileSettings.DEFAULT;
  private final ProfileCodec codec = new ProfileCodec(settings);
  @TempDir Path dir;

  private static Event purchase(int i, String account, String merchant) {
    return new Event("e-" + account + "-" + i, T0 + i * 60_000L, account, "c-" + account,
        new Event.Transaction(new Event.Money(1_000 + i, "USD"), Event.Direction.DEBIT,
            Event.Channel.CARD_PRESENT, merchant, "5411", "US", "d-" + account, ""));
  }

  private void put(ProfileStore store, EntityKey key, Profile p) {
    var record = ProfileRecord.newBuilder()
        .setEntityType(key.type().wire())
        .setEntityId(key.id()).setVersion(p.version())
        .setLastEventTime(EventCodec.timestamp(p.lastEventMillis()))
        .setState(ByteString.copyFrom(codec.encode(p))).build();
    store.apply("profiles", List.of(new ProfileStore.Update(key, record)), Map.of());
  }

  @Test
  void readsWhatTheStoreHoldsAndServesMerchantsDecodedUntilTheyChange() {
    try (var store = new ProfileStore(dir, ProfileStore.Settings.DEFAULT)) {
      var hot = new HotProfiles(store, codec, 100);
      var merchantKey = new EntityKey(EntityType.MERCHANT, "m-1");
      var accountKey = EntityKey.account("a-1");
      var merchant = new MerchantProfile(settings);
      var account = new AccountProfile(settings);
      for (int i = 0; i < 3; i++) {
        merchant.fold(purchase(i, "a-1", "m-1"));
        account.fold(purchase(i, "a-1", "m-1"));
      }
      put(store, merchantKey, merchant);
      put(store, accountKey, account);
      var absent = new EntityKey(EntityType.DEVICE, "d-none");

      List<Profile> first = hot.read(List.of(accountKey, merchantKey, absent));
      assertThat(first.get(0).version()).isEqualTo(3);
      assertThat(codec.encode(first.get(0))).isEqualTo(codec.encode(account));
      assertThat(codec.encode(first.get(1))).isEqualTo(codec.encode(merchant));
      assertThat(first.get(2)).isNull();
      assertThat(hot.cached()).isEqualTo(1);

      List<Profile> second = hot.read(List.of(accountKey, merchantKey));
      assertThat(second.get(1)).as("the merchant comes decoded from the cache").isSameAs(
          first.get(1));
      assertThat(second.get(0)).as("accounts are read from the store each time").isNotSameAs(
          first.get(0));

      merchant.fold(purchase(3, "a-2", "m-1"));
      put(store, merchantKey, merchant);
      Profile third = hot.read(List.of(merchantKey)).get(0);
      assertThat(third.version()).isEqualTo(4);
      assertThat(codec.encode(third)).isEqualTo(codec.encode(merchant));
    }
  }

  @Test
  void neverServesAnOlderMerchantThanTheStoreHeldWhenTheReadBegan() throws Exception {
    try (var store = new ProfileStore(dir, ProfileStore.Settings.DEFAULT)) {
      var hot = new HotProfiles(store, codec, 100);
      var key = new EntityKey(EntityType.MERCHANT, "m-7");
      var merchant = new MerchantProfile(settings);
      merchant.fold(purchase(0, "a-0", "m-7"));
      put(store, key, merchant);
      var stop = new AtomicBoolean();
      var failure = new AtomicReference<Throwable>();
      // readers race the writer: a read that began before a write must not cache what it read
      var readers = new ArrayList<Thread>();
      for (int r = 0; r < 2; r++) {
        var t = new Thread(() -> {
          try {
            while (!stop.get()) {
              hot.read(List.of(key));
            }
          } catch (Throwable e) {
            failure.set(e);
          }
        });
        t.start();
        readers.add(t);
      }
      try {
        for (int i = 1; i <= 3_000; i++) {
          merchant.fold(purchase(i, "a-" + (i % 50), "m-7"));
          put(store, key, merchant);
          long read = hot.read(List.of(key)).get(0).version();
          assertThat(read).as("read after writing version %d", merchant.version())
              .isEqualTo(merchant.version());
        }
      } finally {
        stop.set(true);
        for (Thread t : readers) {
          t.join();
        }
      }
      assertThat(failure.get()).isNull();
    }
  }

  @Test
  void sizeZeroReadsEverythingFromTheStoreAndANegativeSizeIsRefused() {
    try (var store = new ProfileStore(dir, ProfileStore.Settings.DEFAULT)) {
      var hot = new HotProfiles(store, codec, 0);
      var key = new EntityKey(EntityType.MERCHANT, "m-3");
      var merchant = new MerchantProfile(settings);
      merchant.fold(purchase(0, "a-0", "m-3"));
      put(store, key, merchant);
      var a = hot.read(Arrays.asList(key, key));
      assertThat(a.get(0).version()).isEqualTo(1);
      assertThat(hot.read(List.of(key)).get(0)).isNotSameAs(a.get(0));
      assertThat(hot.cached()).isZero();
      assertThatThrownBy(() -> new HotProfiles(store, codec, -1))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
    }
  }
}
