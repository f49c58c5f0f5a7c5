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

  public enum Direction { DEBIT, CREDIT }

  public enum Channel { CARD_PRESENT, ECOMMERCE, ATM, TRANSFER, P2P, ACH }

  public enum ContactChannel { CALL, SMS, EMAIL, LETTER, PUSH }

  public enum Endorsement { RESTRICTIVE, SIGNATURE_ONLY, MISSING, UNKNOWN }

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
