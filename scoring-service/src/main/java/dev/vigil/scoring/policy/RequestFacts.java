package dev.vigil.scoring.policy;

import dev.vigil.features.event.Event.Channel;
import dev.vigil.features.event.Event.Endorsement;
import dev.vigil.proto.v1.DecisionFacts;

/**
 * What a policy condition may read of the request itself, besides the score and the features
 * (its {@code request} map): the amount's currency, a transaction's channel, country and merchant
 * category, a deposit's endorsement; and the allow and block lists its entities are on at its
 * time (its {@code lists} variable). A task's adapter states the facts it has; the rest are
 * absent (null, or empty text), which a condition reads as {@code ""}. The pipeline adds the
 * lists ({@link #withLists}).
 *
 * @param channel a transaction's channel; null for other tasks
 * @param endorsement a deposit's endorsement; null for other tasks
 * @param lists the lists the call's entities are on; {@link ListMemberships#NONE} when none
 */
public record RequestFacts(String currency, Channel channel, String country, String mcc,
    Endorsement endorsement, ListMemberships lists) {
  /** No facts: a call without a current event (delinquency). */
  public static final RequestFacts NONE = new RequestFacts("", null, "", "", null);

  /** {@link #NONE} as the audit record keeps it. */
  private static final DecisionFacts NONE_WIRE = DecisionFacts.getDefaultInstance();

  public RequestFacts {
    currency = currency == null ? "" : currency;
    country = country == null ? "" : country;
    mcc = mcc == null ? "" : mcc;
    lists = lists == null ? ListMemberships.NONE : lists;
  }

  /** Facts on no list. */
  public RequestFacts(String currency, Channel channel, String country, String mcc,
      Endorsement endorsement) {
    this(currency, channel, country, mcc, endorsement, ListMemberships.NONE);
  }

  /** These facts with the lists the call's entities are on. */
  public RequestFacts withLists(ListMemberships memberships) {
    return memberships == lists ? this
        : new RequestFacts(currency, channel, country, mcc, endorsement, memberships);
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
    var wire = DecisionFacts.newBuilder().setCurrency(currency)
        .setChannel(channel == null ? "" : channel.name()).setCountry(country).setMcc(mcc)
        .setEndorsement(endorsement == null ? "" : endorsement.name());
    if (lists != ListMemberships.NONE) {
      wire.setOnBlockList(lists.block()).setOnAllowList(lists.allow())
          .addAllLists(lists.names()).addAllListEntries(lists.entries());
    }
    return wire.build();
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
    ListMemberships lists = !wire.getOnBlockList() && !wire.getOnAllowList()
        && wire.getListsCount() == 0 && wire.getListEntriesCount() == 0 ? ListMemberships.NONE
        : new ListMemberships(wire.getOnBlockList(), wire.getOnAllowList(), wire.getListsList(),
            wire.getListEntriesList());
    return new RequestFacts(wire.getCurrency(), channel, wire.getCountry(), wire.getMcc(),
        endorsement, lists);
  }
}
