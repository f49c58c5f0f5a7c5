package dev.vigil.features.event;

import java.time.ZoneId;
import java.util.Objects;

/**
 * One validated event: what happened, when (event time, epoch milliseconds), to which account and
 * customer. The wire form is {@code vigil.v1.Event}; {@link EventCodec} converts and validates.
 */
public record Event(String eventId, long timeMillis, String accountId, String customerId, Kind kind) {
  public Event {
    Objects.requireNonNull(eventId, "eventId");
    Objects.requireNonNull(accountId, "accountId");
    Objects.requireNonNull(kind, "kind");
    customerId = customerId == null ? "" : customerId;
  }

  /** The kinds of event; each is a plain value. Money is minor units in the event's currency. */
  public sealed interface Kind permits Transaction, CheckDeposit, Payment, Statement, AccountStatus,
      PromiseToPay, ContactAttempt, ConsentChange, HardshipFlag, FraudReport, DepositReturn,
      CustomerDetails {}

  /** A transaction's direction, mapped to the wire's {@code vigil.v1.Direction} here only. */
  public enum Direction {
    DEBIT(dev.vigil.proto.v1.Direction.DIRECTION_DEBIT),
    CREDIT(dev.vigil.proto.v1.Direction.DIRECTION_CREDIT);

    private final dev.vigil.proto.v1.Direction wire;

    Direction(dev.vigil.proto.v1.Direction wire) {
      this.wire = wire;
    }

    /** This direction as the wire spells it. */
    public dev.vigil.proto.v1.Direction wire() {
      return wire;
    }

    /**
     * The direction a wire value names.
     *
     * @throws IllegalArgumentException naming the value, for {@code DIRECTION_UNSPECIFIED} and
     *     values this build does not know ({@code UNRECOGNIZED})
     */
    public static Direction of(dev.vigil.proto.v1.Direction wire) {
      for (Direction d : values()) {
        if (d.wire == wire) {
          return d;
        }
      }
      throw new IllegalArgumentException("direction: " + wire + " names no direction");
    }
  }

  /**
   * A transaction's channel, mapped to the wire's {@code vigil.v1.TransactionChannel} here only.
   * (Persisted by ordinal in the job's event encoding: new channels go last.)
   */
  public enum Channel {
    CARD_PRESENT(dev.vigil.proto.v1.TransactionChannel.TRANSACTION_CHANNEL_CARD_PRESENT),
    ECOMMERCE(dev.vigil.proto.v1.TransactionChannel.TRANSACTION_CHANNEL_ECOMMERCE),
    ATM(dev.vigil.proto.v1.TransactionChannel.TRANSACTION_CHANNEL_ATM),
    TRANSFER(dev.vigil.proto.v1.TransactionChannel.TRANSACTION_CHANNEL_TRANSFER),
    P2P(dev.vigil.proto.v1.TransactionChannel.TRANSACTION_CHANNEL_P2P),
    ACH(dev.vigil.proto.v1.TransactionChannel.TRANSACTION_CHANNEL_ACH);

    private final dev.vigil.proto.v1.TransactionChannel wire;

    Channel(dev.vigil.proto.v1.TransactionChannel wire) {
      this.wire = wire;
    }

    /** This channel as the wire spells it. */
    public dev.vigil.proto.v1.TransactionChannel wire() {
      return wire;
    }

    /**
     * The channel a wire value names.
     *
     * @throws IllegalArgumentException naming the value, for {@code
     *     TRANSACTION_CHANNEL_UNSPECIFIED} and values this build does not know ({@code
     *     UNRECOGNIZED})
     */
    public static Channel of(dev.vigil.proto.v1.TransactionChannel wire) {
      for (Channel c : values()) {
        if (c.wire == wire) {
          return c;
        }
      }
      throw new IllegalArgumentException("channel: " + wire + " names no transaction channel");
    }
  }

  /**
   * A way of contacting a customer, mapped to the wire's {@code vigil.v1.ContactChannel} here only.
   * (Persisted by ordinal in consent bits and the job's event encoding: new channels go last.)
   */
  public enum ContactChannel {
    CALL(dev.vigil.proto.v1.ContactChannel.CONTACT_CHANNEL_CALL),
    SMS(dev.vigil.proto.v1.ContactChannel.CONTACT_CHANNEL_SMS),
    EMAIL(dev.vigil.proto.v1.ContactChannel.CONTACT_CHANNEL_EMAIL),
    LETTER(dev.vigil.proto.v1.ContactChannel.CONTACT_CHANNEL_LETTER),
    PUSH(dev.vigil.proto.v1.ContactChannel.CONTACT_CHANNEL_PUSH);

    private final dev.vigil.proto.v1.ContactChannel wire;

    ContactChannel(dev.vigil.proto.v1.ContactChannel wire) {
      this.wire = wire;
    }

    /** This channel as the wire spells it. */
    public dev.vigil.proto.v1.ContactChannel wire() {
      return wire;
    }

    /**
     * The channel a wire value names.
     *
     * @throws IllegalArgumentException naming the value, for {@code CONTACT_CHANNEL_UNSPECIFIED}
     *     and values this build does not know ({@code UNRECOGNIZED})
     */
    public static ContactChannel of(dev.vigil.proto.v1.ContactChannel wire) {
      for (ContactChannel c : values()) {
        if (c.wire == wire) {
          return c;
        }
      }
      throw new IllegalArgumentException("channel: " + wire + " names no contact channel");
    }
  }

  /**
   * A check's endorsement, mapped to the wire's {@code vigil.v1.Endorsement} here only: {@link
   * #UNKNOWN} is the wire's {@code ENDORSEMENT_UNSPECIFIED} (the capture could not tell).
   */
  public enum Endorsement {
    RESTRICTIVE(dev.vigil.proto.v1.Endorsement.ENDORSEMENT_RESTRICTIVE),
    SIGNATURE_ONLY(dev.vigil.proto.v1.Endorsement.ENDORSEMENT_SIGNATURE_ONLY),
    MISSING(dev.vigil.proto.v1.Endorsement.ENDORSEMENT_MISSING),
    UNKNOWN(dev.vigil.proto.v1.Endorsement.ENDORSEMENT_UNSPECIFIED);

    private final dev.vigil.proto.v1.Endorsement wire;

    Endorsement(dev.vigil.proto.v1.Endorsement wire) {
      this.wire = wire;
    }

    /** This endorsement as the wire spells it. */
    public dev.vigil.proto.v1.Endorsement wire() {
      return wire;
    }

    /**
     * The endorsement a wire value names ({@code ENDORSEMENT_UNSPECIFIED}: {@link #UNKNOWN}).
     *
     * @throws IllegalArgumentException naming the value, for values this build does not know
     *     ({@code UNRECOGNIZED})
     */
    public static Endorsement of(dev.vigil.proto.v1.Endorsement wire) {
      for (Endorsement e : values()) {
        if (e.wire == wire) {
          return e;
        }
      }
      throw new IllegalArgumentException("endorsement: " + wire + " names no endorsement");
    }
  }

  public record Money(long minorUnits, String currency) {}

  /**
   * A card or transfer transaction.
   *
   * @param merchantZone the merchant's or terminal's time zone, null when not known
   */
  public record Transaction(Money amount, Direction direction, Channel channel, String merchantId,
      String mcc, String country, String deviceId, String counterpartyId, ZoneId merchantZone)
      implements Kind {
    /** A transaction whose merchant's time zone is not known. */
    public Transaction(Money amount, Direction direction, Channel channel, String merchantId,
        String mcc, String country, String deviceId, String counterpartyId) {
      this(amount, direction, channel, merchantId, mcc, country, deviceId, counterpartyId, null);
    }

    /** Card not present: e-commerce, phone or mail order. */
    public boolean cardNotPresent() {
      return channel == Channel.ECOMMERCE;
    }

    /** Cash taken on the account: an ATM debit or a quasi-cash merchant category. */
    public boolean cashAdvance() {
      return direction == Direction.DEBIT
          && (channel == Channel.ATM || "6010".equals(mcc) || "6011".equals(mcc));
    }

    /** A payroll-like inflow: an ACH credit. */
    public boolean payrollLike() {
      return direction == Direction.CREDIT && channel == Channel.ACH;
    }
  }

  public record CheckDeposit(String depositId, Money amount, String routingNumber,
      String payerAccountFingerprint, String checkNumber, String imageFingerprint,
      Endorsement endorsement, String deviceId) implements Kind {
    /** The MICR fingerprint: routing number, payer account and check number; empty if incomplete. */
    public String micrFingerprint() {
      if (routingNumber.isEmpty() || payerAccountFingerprint.isEmpty() || checkNumber.isEmpty()) {
        return "";
      }
      return routingNumber + "|" + payerAccountFingerprint + "|" + checkNumber;
    }
  }

  public record Payment(String paymentId, Money amount, boolean returned, String returnReason)
      implements Kind {}

  public record Statement(Money balance, Money minimumDue, long dueMillis, Money creditLimit)
      implements Kind {}

  /** @param openedMillis when the account was opened, 0 if not reported */
  public record AccountStatus(int daysPastDue, Money balance, long openedMillis) implements Kind {}

  public record PromiseToPay(Money amount, long dueMillis) implements Kind {}

  public record ContactAttempt(ContactChannel channel, boolean rightPartyContact) implements Kind {}

  public record ConsentChange(ContactChannel channel, boolean granted) implements Kind {}

  public record HardshipFlag(boolean active, String reason) implements Kind {}

  /** What Vigil knows of the customer: their time zone (the one source of it). */
  public record CustomerDetails(ZoneId timeZone) implements Kind {
    public CustomerDetails {
      Objects.requireNonNull(timeZone, "timeZone");
    }
  }

  /** @param reportedEventMillis the reported transaction's event time */
  public record FraudReport(String reportedEventId, String merchantId, long reportedEventMillis,
      boolean chargeback) implements Kind {}

  public record DepositReturn(String depositId, String returnReason, long depositMillis)
      implements Kind {}
}
