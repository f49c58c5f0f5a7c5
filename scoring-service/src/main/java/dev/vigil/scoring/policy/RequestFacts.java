package dev.vigil.scoring.policy;

import dev.vigil.features.event.Event.Channel;
import dev.vigil.features.event.Event.Endorsement;
import dev.vigil.proto.v1.DecisionFacts;

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

  /** {@link #NONE} as the audit record keeps it. */
  private static final DecisionFacts NONE_WIRE = DecisionFacts.getDefaultInstance();

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

  /** The facts as the audit record keeps them: each as the policy's {@code request} map has it. */
  public DecisionFacts wire() {
    if (this == NONE) {
      return NONE_WIRE;
    }
    return DecisionFacts.newBuilder().setCurrency(currency)
        .setChannel(channel == null ? "" : channel.name()).setCountry(country).setMcc(mcc)
        .setEndorsement(endorsement == null ? "" : endorsement.name()).build();
  }

  /**
   * The facts an audit record kept ({@link #wire()}).
   *
   * @throws IllegalArgumentException naming the field when a channel or endorsement is unknown
   */
  public static RequestFacts of(DecisionFacts wire) {
    Channel channel = null;
    Endorsement endorsement = null;
    try {
      channel = wire.getChannel().isEmpty() ? null : Channel.valueOf(wire.getChannel());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("request_facts.channel: unknown " + wire.getChannel());
    }
    try {
      endorsement = wire.getEndorsement().isEmpty() ? null
          : Endorsement.valueOf(wire.getEndorsement());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("request_facts.endorsement: unknown "
          + wire.getEndorsement());
    }
    return new RequestFacts(wire.getCurrency(), channel, wire.getCountry(), wire.getMcc(),
        endorsement);
  }
}
