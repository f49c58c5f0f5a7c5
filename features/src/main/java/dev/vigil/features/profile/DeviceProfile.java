package dev.vigil.features.profile;

import dev.vigil.features.event.Event;
import dev.vigil.features.state.DeviceState;
import dev.vigil.features.window.Hashing;
import dev.vigil.features.window.RecentSet;
import dev.vigil.features.window.Timeline;
import dev.vigil.features.window.Timeline.Shape;
import dev.vigil.features.window.Timeline.Stats;
import java.time.Duration;

/** A device's profile: the accounts it serves and how busy it is. */
public final class DeviceProfile extends Profile {
  static final Shape D7_COUNT = Shape.of(Stats.COUNT, Duration.ofDays(7));
  static final int ACCOUNTS = 64;

  RecentSet accounts = new RecentSet(ACCOUNTS);
  Timeline transactions = new Timeline(D7_COUNT);
  long firstSeenMillis = Long.MIN_VALUE;

  public DeviceProfile(ProfileSettings settings) {
    super(settings);
  }

  @Override
  public EntityType type() {
    return EntityType.DEVICE;
  }

  @Override
  void apply(Event e) {
    long t = e.timeMillis();
    accounts.add(Hashing.of(e.accountId()), t);
    transactions.add(t, 1);
    if (firstSeenMillis == Long.MIN_VALUE || t < firstSeenMillis) {
      firstSeenMillis = t;
    }
  }

  DeviceState toState() {
    return DeviceState.newBuilder().setAccounts(accounts.toState())
        .setTransactions(transactions.toState()).setFirstSeenMillis(firstSeenMillis).build();
  }

  static DeviceProfile fromState(ProfileSettings settings, DeviceState s) {
    var p = new DeviceProfile(settings);
    p.accounts = RecentSet.fromState(ACCOUNTS, s.getAccounts());
    p.transactions = Timeline.fromState(D7_COUNT, s.getTransactions());
    p.firstSeenMillis = s.getFirstSeenMillis();
    return p;
  }
}
