package dev.vigil.features.profile;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.Event.FraudReport;
import dev.vigil.features.event.Event.Transaction;
import dev.vigil.features.state.MerchantState;
import dev.vigil.features.window.Timeline;
import dev.vigil.features.window.Timeline.Shape;
import dev.vigil.features.window.Timeline.Stats;

/**
 * A merchant's or terminal's profile: its transactions and the fraud reported on them, both by
 * transaction time. A fraud report is recorded at the reported transaction's time when it arrives,
 * so as of T the profile knows exactly the reports received by T.
 *
 * <p>Windows end {@code labelDelay} before the query time (the Fraud Detection Handbook's delay):
 * the timelines keep 24-minute buckets there, so a 1-day delayed window is within 1/60 at both
 * edges.
 */
public final class MerchantProfile extends Profile {
  final Shape shape;
  Timeline transactions;
  Timeline frauds;

  public MerchantProfile(ProfileSettings settings) {
    super(settings);
    shape = shape(settings);
    transactions = new Timeline(shape);
    frauds = new Timeline(shape);
  }

  static Shape shape(ProfileSettings settings) {
    return new Shape(Stats.COUNT, 30L * 1440, settings.labelDelay().toMinutes(), 1);
  }

  @Override
  public EntityType type() {
    return EntityType.MERCHANT;
  }

  @Override
  void apply(Event e) {
    if (e.kind() instanceof Transaction) {
      transactions.add(e.timeMillis(), 1);
    } else if (e.kind() instanceof FraudReport r) {
      long at = r.reportedEventMillis() != 0 ? r.reportedEventMillis() : e.timeMillis();
      frauds.add(Math.min(at, e.timeMillis()), 1, e.timeMillis());
      transactions.advanceClockTo(e.timeMillis());
    }
  }

  MerchantState toState() {
    return MerchantState.newBuilder().setTransactions(transactions.toState())
        .setFrauds(frauds.toState()).build();
  }

  static MerchantProfile fromState(ProfileSettings settings, MerchantState s) {
    var p = new MerchantProfile(settings);
    p.transactions = Timeline.fromState(p.shape, s.getTransactions());
    p.frauds = Timeline.fromState(p.shape, s.getFrauds());
    return p;
  }
}
