package dev.vigil.scoring.policy;

import dev.vigil.features.event.Event.Channel;
import dev.vigil.features.event.Event.Endorsement;

/**
 * What a policy condition may read of the request itself, besides the score and the features
 * (its {@code request} map): the amount's currency, a transaction's channel, country and merchant
 * category, a deposit's endorsement. A task's adapter states the facts it has; the rest are
 * absent (null, or empty text), which a condition reads as {@code ""}.
 *
 * @param channel a transaction's channel; null for other tasks
 * @param endorsement a deposit's endorsement; null for other tasks
 */
public record RequestFacts(String currency, Channel channel, String country, String mcc,
    Endorsement endorsement) {
  /** No facts: a call without a current event (delinquency). */
  public static final RequestFacts NONE = new RequestFacts("", null, "", "", null);

  public RequestFacts {
    currency = currency == null ? "" : currency;
    country = country == null ? "" : country;
    mcc = mcc == null ? "" : mcc;
  }

  /** A transaction's facts. */
  public static RequestFacts transaction(String currency, Channel channel, String country,
      String mcc) {
    return new RequestFacts(currency, channel, country, mcc, null);
  }

  /** A check deposit's facts. */
  public static RequestFacts deposit(String currency, Endorsement endorsement) {
    return new RequestFacts(currency, null, "", "", endorsement);
  }
}
