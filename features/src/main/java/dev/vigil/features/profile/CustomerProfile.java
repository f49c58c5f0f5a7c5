package dev.vigil.features.profile;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.Event.ConsentChange;
import dev.vigil.features.event.Event.ContactChannel;
import dev.vigil.features.event.Event.CustomerDetails;
import dev.vigil.features.event.Event.Direction;
import dev.vigil.features.event.Event.Transaction;
import dev.vigil.features.state.CustomerState;
import dev.vigil.features.window.Hashing;
import dev.vigil.features.window.RecentSet;
import dev.vigil.features.window.Timeline;
import dev.vigil.features.window.Timeline.Shape;
import dev.vigil.features.window.Timeline.Stats;
import java.time.Duration;
import java.time.ZoneId;

/**
 * A customer's profile: contact consent per channel, their time zone, and activity across their
 * accounts.
 */
public final class CustomerProfile extends Profile {
  static final Shape D7_COUNT = Shape.of(Stats.COUNT, Duration.ofDays(7));
  static final int ACCOUNTS = 16;
  private static final int CHANNELS = ContactChannel.values().length;

  int consentGranted;
  int consentKnown;
  final long[] consentMillis = new long[CHANNELS];
  Timeline transactions = new Timeline(D7_COUNT);
  RecentSet accounts = new RecentSet(ACCOUNTS);
  ZoneId timeZone;
  long timeZoneMillis = Long.MIN_VALUE;

  public CustomerProfile(ProfileSettings settings) {
    super(settings);
    java.util.Arrays.fill(consentMillis, Long.MIN_VALUE);
  }

  @Override
  public EntityType type() {
    return EntityType.CUSTOMER;
  }

  @Override
  void apply(Event e) {
    long t = e.timeMillis();
    if (e.kind() instanceof ConsentChange c) {
      int i = c.channel().ordinal();
      if (t >= consentMillis[i]) { // the newest change per channel wins, whatever the arrival order
        consentMillis[i] = t;
        consentKnown |= 1 << i;
        consentGranted = c.granted() ? consentGranted | (1 << i) : consentGranted & ~(1 << i);
      }
    } else if (e.kind() instanceof CustomerDetails d) {
      if (t >= timeZoneMillis) { // the newest wins, whatever the arrival order
        timeZoneMillis = t;
        timeZone = d.timeZone();
      }
    } else if (e.kind() instanceof Transaction tx && tx.direction() == Direction.DEBIT) {
      transactions.add(t, 1);
      accounts.add(Hashing.of(e.accountId()), t);
    }
  }

  /**
   * Whether the customer has consented to be contacted on {@code channel}. Letters need no
   * consent; every other channel needs a recorded grant that was not revoked since.
   */
  public boolean consents(ContactChannel channel) {
    return channel == ContactChannel.LETTER || (consentGranted & (1 << channel.ordinal())) != 0;
  }

  /**
   * The customer's time zone, from their newest {@code CustomerDetails} event; null when Vigil
   * has not been told it. The one source of the customer's zone: calendar features and
   * collections' convenient hours both read it here.
   */
  public ZoneId timeZone() {
    return timeZone;
  }

  CustomerState toState() {
    var b = CustomerState.newBuilder().setConsentGranted(consentGranted)
        .setConsentKnown(consentKnown).setTransactions(transactions.toState())
        .setAccounts(accounts.toState());
    if (timeZone != null) {
      b.setTimeZone(timeZone.getId()).setTimeZoneMillis(timeZoneMillis);
    }
    for (long m : consentMillis) {
      b.addConsentMillis(m);
    }
    return b.build();
  }

  static CustomerProfile fromState(ProfileSettings settings, CustomerState s) {
    var p = new CustomerProfile(settings);
    p.consentGranted = s.getConsentGranted();
    p.consentKnown = s.getConsentKnown();
    for (int i = 0; i < Math.min(CHANNELS, s.getConsentMillisCount()); i++) {
      p.consentMillis[i] = s.getConsentMillis(i);
    }
    p.transactions = Timeline.fromState(D7_COUNT, s.getTransactions());
    p.accounts = RecentSet.fromState(ACCOUNTS, s.getAccounts());
    if (!s.getTimeZone().isEmpty()) {
      try {
        p.timeZone = ZoneId.of(s.getTimeZone());
        p.timeZoneMillis = s.getTimeZoneMillis();
      } catch (java.time.DateTimeException e) {
        // a zone this JVM's time-zone data does not know (validated by a newer one): read the
        // profile as if the zone were never sent, so that its other facts still serve
      }
    }
    return p;
  }
}
