package dev.vigil.history.simulator;

import dev.vigil.features.event.Event.ContactChannel;

/**
 * A collections strategy in a simulated book (opt-in, {@link Simulator#Simulator(Simulator.Config,
 * TreatmentChooser)}): the simulator asks it what to do with a past-due account at the start of
 * each treatment cycle, and its customers respond to what it chose. An implementation that decides
 * as the service does folds every event the simulator emits before it is asked again: events of a
 * day are emitted at its end, so a choice as of a day's start sees everything before that day.
 */
@FunctionalInterface
public interface TreatmentChooser {
  /** What the simulated customers can be treated with: the service's treatment actions. */
  enum Action {
    NONE, REMINDER, PAYMENT_PLAN_OFFER, HARDSHIP_REFERRAL, DEBT_COUNSELLING_REFERRAL, AGENT_CALL,
    ESCALATION
  }

  /**
   * A treatment: the action, its channel (null for {@link Action#NONE}) and the earliest time the
   * customer may be contacted (convenient hours, Regulation F's call limits).
   */
  record Choice(Action action, ContactChannel channel, long earliestMillis) {
    public static final Choice NONE = new Choice(Action.NONE, null, Long.MIN_VALUE);

    public Choice {
      if (action == null || (action != Action.NONE && channel == null)) {
        throw new IllegalArgumentException("a treatment needs an action, and a channel unless"
            + " it is NONE: " + action + " on " + channel);
      }
    }
  }

  /** The treatment for a past-due account as of {@code asOfMillis}. */
  Choice choose(String accountId, String customerId, long asOfMillis);
}
