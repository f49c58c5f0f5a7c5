package dev.vigil.features.event;

import com.google.protobuf.Timestamp;
import dev.vigil.features.event.Event.AccountStatus;
import dev.vigil.features.event.Event.Channel;
import dev.vigil.features.event.Event.CheckDeposit;
import dev.vigil.features.event.Event.ConsentChange;
import dev.vigil.features.event.Event.ContactAttempt;
import dev.vigil.features.event.Event.ContactChannel;
import dev.vigil.features.event.Event.CustomerDetails;
import dev.vigil.features.event.Event.DepositReturn;
import dev.vigil.features.event.Event.Direction;
import dev.vigil.features.event.Event.Endorsement;
import dev.vigil.features.event.Event.FraudReport;
import dev.vigil.features.event.Event.HardshipFlag;
import dev.vigil.features.event.Event.Money;
import dev.vigil.features.event.Event.Payment;
import dev.vigil.features.event.Event.PromiseToPay;
import dev.vigil.features.event.Event.Statement;
import dev.vigil.features.event.Event.Transaction;
import dev.vigil.proto.v1.CaptureChannel;
import dev.vigil.proto.v1.ContactOutcome;
import dev.vigil.proto.v1.FraudReportKind;
import dev.vigil.proto.v1.PaymentStatus;
import dev.vigil.proto.v1.TransactionChannel;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.Currency;
import java.util.Set;

/**
 * Converts between the wire form ({@code vigil.v1.Event}) and {@link Event}, validating on the way
 * in. The one validation used by ingest, the streaming job and event files alike.
 */
public final class EventCodec {
  /** Amounts above this (10^13 minor units: 100 billion dollars) are refused as absurd. */
  public static final long MAX_AMOUNT = 10_000_000_000_000L;
  /**
   * The largest encoded event (protobuf bytes) accepted: every field at its maximum length takes
   * under 2 KiB, so only unknown fields or a producer's bug come near it.
   */
  public static final int MAX_EVENT_BYTES = 4 * 1024;
  /** The longest identifier (event, account, customer, merchant, device, deposit, ...) accepted. */
  public static final int MAX_ID_LENGTH = 128;
  /** The longest free-text code (a return reason, a hardship category) accepted. */
  public static final int MAX_CODE_LENGTH = 64;
  /** How far in the future an event time may be, against the validator's clock. */
  public static final long MAX_FUTURE_MILLIS = 5 * 60_000L;
  private static final long EARLIEST_MILLIS = 946_684_800_000L; // 2000-01-01T00:00:00Z

  private static final Set<String> CURRENCIES = Currency.getAvailableCurrencies().stream()
      .map(Currency::getCurrencyCode).collect(java.util.stream.Collectors.toUnmodifiableSet());

  private EventCodec() {}

  /**
   * Validates and converts a wire event.
   *
   * @param nowMillis the validator's clock, to refuse event times more than
   *     {@link #MAX_FUTURE_MILLIS} ahead; {@code Long.MAX_VALUE} for history replays
   */
  public static Event fromProto(dev.vigil.proto.v1.Event e, long nowMillis)
      throws InvalidEventException {
    if (!printableAscii(e.getEventId(), MAX_ID_LENGTH)) {
      throw new InvalidEventException("event.event_id",
          e.getEventId().isEmpty() ? "is required" : "must be 1-128 printable ASCII characters");
    }
    if (!e.hasEventTime()) {
      throw new InvalidEventException("event.event_time", "is required");
    }
    long time = millis(e.getEventTime(), "event.event_time");
    if (time < EARLIEST_MILLIS) {
      throw new InvalidEventException("event.event_time", "is before 2000-01-01");
    }
    if (nowMillis != Long.MAX_VALUE && time > nowMillis + MAX_FUTURE_MILLIS) {
      throw new InvalidEventException("event.event_time", "is more than 5 minutes in the future");
    }
    requireId(e.getAccountId(), "event.account_id", true);
    requireId(e.getCustomerId(), "event.customer_id", false);
    Event.Kind kind = switch (e.getKindCase()) {
      case TRANSACTION -> transaction(e.getTransaction());
      case CHECK_DEPOSIT -> deposit(e.getCheckDeposit());
      case PAYMENT -> payment(e.getPayment());
      case STATEMENT -> statement(e.getStatement(), time);
      case ACCOUNT_STATUS -> status(e.getAccountStatus());
      case PROMISE_TO_PAY -> promise(e.getPromiseToPay(), time);
      case CONTACT_ATTEMPT -> contact(e.getContactAttempt());
      case CONSENT_CHANGE -> consent(e);
      case HARDSHIP_FLAG -> new HardshipFlag(e.getHardshipFlag().getActive(),
          code(e.getHardshipFlag().getReason(), "event.hardship_flag.reason"));
      case FRAUD_REPORT -> fraudReport(e.getFraudReport());
      case DEPOSIT_RETURN -> depositReturn(e.getDepositReturn());
      case CUSTOMER_DETAILS -> customerDetails(e);
      case KIND_NOT_SET -> throw new InvalidEventException("event.kind",
          "exactly one kind (transaction, check_deposit, payment, ...) must be set");
    };
    // after the fields, so that an over-long field is named; what is left is unknown fields
    int size = e.getSerializedSize();
    if (size > MAX_EVENT_BYTES) {
      throw new InvalidEventException("event", "is " + size + " bytes encoded, over the limit of "
          + MAX_EVENT_BYTES + " (unknown fields count too)");
    }
    return new Event(e.getEventId(), time, e.getAccountId(), e.getCustomerId(), kind);
  }

  private static Transaction transaction(dev.vigil.proto.v1.Transaction t)
      throws InvalidEventException {
    String f = "event.transaction";
    Money amount = money(t.hasAmount() ? t.getAmount() : null, f + ".amount", true);
    Direction direction;
    try {
      direction = Direction.of(t.getDirection());
    } catch (IllegalArgumentException e) {
      throw new InvalidEventException(f + ".direction", "must be DEBIT or CREDIT");
    }
    Channel channel = channel(t.getChannel(), f + ".channel");
    if (!t.getMcc().isEmpty() && !digits(t.getMcc(), 4)) {
      throw new InvalidEventException(f + ".mcc", "must be 4 digits (ISO 18245)");
    }
    if (!t.getCountry().isEmpty() && !upperLetters(t.getCountry(), 2)) {
      throw new InvalidEventException(f + ".country", "must be 2 upper-case letters (ISO 3166-1)");
    }
    requireId(t.getMerchantId(), f + ".merchant_id", false);
    requireId(t.getDeviceId(), f + ".device_id", false);
    requireId(t.getCounterpartyId(), f + ".counterparty_id", false);
    ZoneId merchantZone = t.getMerchantTimeZone().isEmpty() ? null
        : zone(t.getMerchantTimeZone(), f + ".merchant_time_zone");
    return new Transaction(amount, direction, channel, t.getMerchantId(), t.getMcc(),
        t.getCountry(), t.getDeviceId(), t.getCounterpartyId(), merchantZone);
  }

  private static Channel channel(TransactionChannel c, String field) throws InvalidEventException {
    try {
      return Channel.of(c);
    } catch (IllegalArgumentException e) {
      throw new InvalidEventException(field, "is required");
    }
  }

  private static CheckDeposit deposit(dev.vigil.proto.v1.CheckDeposit d)
      throws InvalidEventException {
    String f = "event.check_deposit";
    requireId(d.getDepositId(), f + ".deposit_id", true);
    Money amount = money(d.hasAmount() ? d.getAmount() : null, f + ".amount", true);
    if (!digits(d.getRoutingNumber(), 9)) {
      throw new InvalidEventException(f + ".routing_number", "must be 9 digits");
    }
    requireId(d.getPayerAccountFingerprint(), f + ".payer_account_fingerprint", true);
    if (d.getCheckNumber().isEmpty() || d.getCheckNumber().length() > 15
        || !d.getCheckNumber().chars().allMatch(Character::isDigit)) {
      throw new InvalidEventException(f + ".check_number", "must be 1-15 digits");
    }
    requireId(d.getImageFingerprint(), f + ".image_fingerprint", false);
    requireId(d.getDeviceId(), f + ".device_id", false);
    Endorsement endorsement;
    try {
      endorsement = Endorsement.of(d.getEndorsement());
    } catch (IllegalArgumentException e) {
      endorsement = Endorsement.UNKNOWN; // an endorsement this build does not know: not known
    }
    return new CheckDeposit(d.getDepositId(), amount, d.getRoutingNumber(),
        d.getPayerAccountFingerprint(), d.getCheckNumber(), d.getImageFingerprint(), endorsement,
        d.getDeviceId());
  }

  private static Payment payment(dev.vigil.proto.v1.Payment p) throws InvalidEventException {
    String f = "event.payment";
    requireId(p.getPaymentId(), f + ".payment_id", true);
    Money amount = money(p.hasAmount() ? p.getAmount() : null, f + ".amount", true);
    boolean returned = switch (p.getStatus()) {
      case PAYMENT_STATUS_POSTED -> false;
      case PAYMENT_STATUS_RETURNED -> true;
      default -> throw new InvalidEventException(f + ".status", "must be POSTED or RETURNED");
    };
    return new Payment(p.getPaymentId(), amount, returned,
        code(p.getReturnReason(), f + ".return_reason"));
  }

  private static Statement statement(dev.vigil.proto.v1.Statement s, long time)
      throws InvalidEventException {
    String f = "event.statement";
    Money balance = money(s.hasBalance() ? s.getBalance() : null, f + ".balance", false);
    Money minimum = money(s.hasMinimumDue() ? s.getMinimumDue() : null, f + ".minimum_due", false);
    if (!s.hasDueTime()) {
      throw new InvalidEventException(f + ".due_time", "is required");
    }
    long due = millis(s.getDueTime(), f + ".due_time");
    if (due <= time) {
      throw new InvalidEventException(f + ".due_time", "must be after the event time");
    }
    Money limit = s.hasCreditLimit() ? money(s.getCreditLimit(), f + ".credit_limit", false)
        : new Money(0, balance.currency());
    if (limit.minorUnits() < 0) {
      throw new InvalidEventException(f + ".credit_limit.minor_units", "must not be negative");
    }
    if (minimum.minorUnits() < 0) {
      throw new InvalidEventException(f + ".minimum_due.minor_units", "must not be negative");
    }
    return new Statement(balance, minimum, due, limit);
  }

  private static AccountStatus status(dev.vigil.proto.v1.AccountStatus s)
      throws InvalidEventException {
    String f = "event.account_status";
    if (s.getDaysPastDue() < 0 || s.getDaysPastDue() > 10_000) {
      throw new InvalidEventException(f + ".days_past_due", "must be within 0..10000");
    }
    Money balance = s.hasBalance() ? money(s.getBalance(), f + ".balance", false) : new Money(0, "");
    long opened = s.hasOpenedTime() ? millis(s.getOpenedTime(), f + ".opened_time") : 0;
    return new AccountStatus(s.getDaysPastDue(), balance, opened);
  }

  private static PromiseToPay promise(dev.vigil.proto.v1.PromiseToPay p, long time)
      throws InvalidEventException {
    String f = "event.promise_to_pay";
    Money amount = money(p.hasAmount() ? p.getAmount() : null, f + ".amount", true);
    if (!p.hasDueTime()) {
      throw new InvalidEventException(f + ".due_time", "is required");
    }
    long due = millis(p.getDueTime(), f + ".due_time");
    if (due <= time) {
      throw new InvalidEventException(f + ".due_time", "must be after the event time");
    }
    return new PromiseToPay(amount, due);
  }

  private static ContactAttempt contact(dev.vigil.proto.v1.ContactAttempt c)
      throws InvalidEventException {
    ContactChannel channel = contactChannel(c.getChannel(), "event.contact_attempt.channel");
    if (c.getOutcome() == ContactOutcome.CONTACT_OUTCOME_UNSPECIFIED
        || c.getOutcome() == ContactOutcome.UNRECOGNIZED) {
      throw new InvalidEventException("event.contact_attempt.outcome", "is required");
    }
    return new ContactAttempt(channel,
        c.getOutcome() == ContactOutcome.CONTACT_OUTCOME_RIGHT_PARTY_CONTACT);
  }

  private static ConsentChange consent(dev.vigil.proto.v1.Event e) throws InvalidEventException {
    requireId(e.getCustomerId(), "event.customer_id", true);
    return new ConsentChange(
        contactChannel(e.getConsentChange().getChannel(), "event.consent_change.channel"),
        e.getConsentChange().getGranted());
  }

  private static CustomerDetails customerDetails(dev.vigil.proto.v1.Event e)
      throws InvalidEventException {
    requireId(e.getCustomerId(), "event.customer_id", true);
    String field = "event.customer_details.time_zone";
    if (e.getCustomerDetails().getTimeZone().isEmpty()) {
      throw new InvalidEventException(field, "is required (an IANA zone such as America/New_York)");
    }
    return new CustomerDetails(zone(e.getCustomerDetails().getTimeZone(), field));
  }

  /**
   * An IANA time zone ("America/New_York") or a fixed offset ("UTC", "+05:30"), or an
   * {@link InvalidEventException} naming {@code field}.
   */
  public static ZoneId zone(String id, String field) throws InvalidEventException {
    if (id.length() > MAX_CODE_LENGTH) {
      throw new InvalidEventException(field, "must be at most " + MAX_CODE_LENGTH + " characters");
    }
    try {
      return ZoneId.of(id);
    } catch (DateTimeException e) {
      // never the value itself: a reason must not echo what the client sent (control
      // characters, personal data)
      throw new InvalidEventException(field, "is not an IANA time zone (such as"
          + " America/New_York)");
    }
  }

  private static FraudReport fraudReport(dev.vigil.proto.v1.FraudReport r)
      throws InvalidEventException {
    String f = "event.fraud_report";
    requireId(r.getReportedEventId(), f + ".reported_event_id", true);
    requireId(r.getMerchantId(), f + ".merchant_id", false);
    if (r.getKind() == FraudReportKind.FRAUD_REPORT_KIND_UNSPECIFIED
        || r.getKind() == FraudReportKind.UNRECOGNIZED) {
      throw new InvalidEventException(f + ".kind", "must be CONFIRMED_FRAUD or CHARGEBACK");
    }
    long reported = r.hasReportedEventTime()
        ? millis(r.getReportedEventTime(), f + ".reported_event_time") : 0;
    return new FraudReport(r.getReportedEventId(), r.getMerchantId(), reported,
        r.getKind() == FraudReportKind.FRAUD_REPORT_KIND_CHARGEBACK);
  }

  private static DepositReturn depositReturn(dev.vigil.proto.v1.DepositReturn r)
      throws InvalidEventException {
    String f = "event.deposit_return";
    requireId(r.getDepositId(), f + ".deposit_id", true);
    long at = r.hasDepositTime() ? millis(r.getDepositTime(), f + ".deposit_time") : 0;
    return new DepositReturn(r.getDepositId(), code(r.getReturnReason(), f + ".return_reason"),
        at);
  }

  private static ContactChannel contactChannel(dev.vigil.proto.v1.ContactChannel c, String field)
      throws InvalidEventException {
    try {
      return ContactChannel.of(c);
    } catch (IllegalArgumentException e) {
      throw new InvalidEventException(field, "is required");
    }
  }

  private static Money money(dev.vigil.proto.v1.Money m, String field, boolean positive)
      throws InvalidEventException {
    if (m == null) {
      throw new InvalidEventException(field, "is required");
    }
    if (!CURRENCIES.contains(m.getCurrency())) {
      throw new InvalidEventException(field + ".currency",
          m.getCurrency().isEmpty() ? "is required" : "must be an ISO 4217 code");
    }
    long units = m.getMinorUnits();
    if (positive && units <= 0) {
      throw new InvalidEventException(field + ".minor_units", "must be positive");
    }
    if (units > MAX_AMOUNT || units < -MAX_AMOUNT) { // not Math.abs: abs(Long.MIN_VALUE) < 0
      throw new InvalidEventException(field + ".minor_units", "is absurdly large");
    }
    return new Money(units, m.getCurrency());
  }

  private static boolean printableAscii(String s, int maxLength) {
    if (s.isEmpty() || s.length() > maxLength) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        return false;
      }
    }
    return true;
  }

  private static boolean digits(String s, int length) {
    if (s.length() != length) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  private static boolean upperLetters(String s, int length) {
    if (s.length() != length) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      if (s.charAt(i) < 'A' || s.charAt(i) > 'Z') {
        return false;
      }
    }
    return true;
  }

  private static void requireId(String value, String field, boolean required)
      throws InvalidEventException {
    if (value.isEmpty()) {
      if (required) {
        throw new InvalidEventException(field, "is required");
      }
      return;
    }
    if (value.length() > MAX_ID_LENGTH) {
      throw new InvalidEventException(field, "must be at most " + MAX_ID_LENGTH + " characters");
    }
  }

  /** An optional free-text code, at most {@link #MAX_CODE_LENGTH} characters. */
  private static String code(String value, String field) throws InvalidEventException {
    if (value.length() > MAX_CODE_LENGTH) {
      throw new InvalidEventException(field, "must be at most " + MAX_CODE_LENGTH + " characters");
    }
    return value;
  }

  /**
   * A wire timestamp in epoch milliseconds, or an {@link InvalidEventException} naming {@code
   * field} when it is not a valid timestamp (nanos outside 0-999,999,999, seconds before 1970 or
   * after 9999).
   */
  public static long millis(Timestamp t, String field) throws InvalidEventException {
    if (t.getNanos() < 0 || t.getNanos() > 999_999_999
        || t.getSeconds() < 0 || t.getSeconds() > 253_402_300_799L) {
      throw new InvalidEventException(field, "is not a valid timestamp");
    }
    return t.getSeconds() * 1000 + t.getNanos() / 1_000_000;
  }

  // ---- domain to wire ----------------------------------------------------------------------

  /** The wire form of an event (the inverse of {@link #fromProto}). */
  public static dev.vigil.proto.v1.Event toProto(Event e) {
    var b = dev.vigil.proto.v1.Event.newBuilder()
        .setEventId(e.eventId())
        .setEventTime(timestamp(e.timeMillis()))
        .setAccountId(e.accountId())
        .setCustomerId(e.customerId());
    if (e.kind() instanceof Transaction t) {
      b.setTransaction(dev.vigil.proto.v1.Transaction.newBuilder()
          .setAmount(money(t.amount()))
          .setDirection(t.direction().wire())
          .setChannel(t.channel().wire())
          .setMerchantId(t.merchantId()).setMcc(t.mcc()).setCountry(t.country())
          .setDeviceId(t.deviceId()).setCounterpartyId(t.counterpartyId())
          .setMerchantTimeZone(t.merchantZone() == null ? "" : t.merchantZone().getId()));
    } else if (e.kind() instanceof CheckDeposit d) {
      b.setCheckDeposit(dev.vigil.proto.v1.CheckDeposit.newBuilder()
          .setDepositId(d.depositId()).setAmount(money(d.amount()))
          .setCaptureChannel(CaptureChannel.CAPTURE_CHANNEL_MOBILE)
          .setRoutingNumber(d.routingNumber())
          .setPayerAccountFingerprint(d.payerAccountFingerprint())
          .setCheckNumber(d.checkNumber()).setImageFingerprint(d.imageFingerprint())
          .setEndorsement(d.endorsement().wire())
          .setDeviceId(d.deviceId()));
    } else if (e.kind() instanceof Payment p) {
      b.setPayment(dev.vigil.proto.v1.Payment.newBuilder()
          .setPaymentId(p.paymentId()).setAmount(money(p.amount()))
          .setMethod(dev.vigil.proto.v1.PaymentMethod.PAYMENT_METHOD_ACH)
          .setStatus(p.returned() ? PaymentStatus.PAYMENT_STATUS_RETURNED
              : PaymentStatus.PAYMENT_STATUS_POSTED)
          .setReturnReason(p.returnReason()));
    } else if (e.kind() instanceof Statement s) {
      b.setStatement(dev.vigil.proto.v1.Statement.newBuilder()
          .setBalance(money(s.balance())).setMinimumDue(money(s.minimumDue()))
          .setDueTime(timestamp(s.dueMillis())).setCreditLimit(money(s.creditLimit())));
    } else if (e.kind() instanceof AccountStatus s) {
        var status = dev.vigil.proto.v1.AccountStatus.newBuilder()
            .setDaysPastDue(s.daysPastDue());
        if (!s.balance().currency().isEmpty()) {
          status.setBalance(money(s.balance()));
        }
        if (s.openedMillis() != 0) {
          status.setOpenedTime(timestamp(s.openedMillis()));
        }
        b.setAccountStatus(status);
    } else if (e.kind() instanceof PromiseToPay p) {
      b.setPromiseToPay(dev.vigil.proto.v1.PromiseToPay.newBuilder()
          .setAmount(money(p.amount())).setDueTime(timestamp(p.dueMillis())));
    } else if (e.kind() instanceof ContactAttempt c) {
      b.setContactAttempt(dev.vigil.proto.v1.ContactAttempt.newBuilder()
          .setChannel(c.channel().wire())
          .setOutcome(c.rightPartyContact() ? ContactOutcome.CONTACT_OUTCOME_RIGHT_PARTY_CONTACT
              : c.channel() == ContactChannel.CALL ? ContactOutcome.CONTACT_OUTCOME_NO_ANSWER
              : ContactOutcome.CONTACT_OUTCOME_DELIVERED));
    } else if (e.kind() instanceof ConsentChange c) {
      b.setConsentChange(dev.vigil.proto.v1.ConsentChange.newBuilder()
          .setChannel(c.channel().wire()).setGranted(c.granted()));
    } else if (e.kind() instanceof CustomerDetails c) {
      b.setCustomerDetails(dev.vigil.proto.v1.CustomerDetails.newBuilder()
          .setTimeZone(c.timeZone().getId()));
    } else if (e.kind() instanceof HardshipFlag h) {
      b.setHardshipFlag(dev.vigil.proto.v1.HardshipFlag.newBuilder()
          .setActive(h.active()).setReason(h.reason()));
    } else if (e.kind() instanceof FraudReport r) {
        var report = dev.vigil.proto.v1.FraudReport.newBuilder()
            .setReportedEventId(r.reportedEventId()).setMerchantId(r.merchantId())
            .setKind(r.chargeback() ? FraudReportKind.FRAUD_REPORT_KIND_CHARGEBACK
                : FraudReportKind.FRAUD_REPORT_KIND_CONFIRMED_FRAUD);
        if (r.reportedEventMillis() != 0) {
          report.setReportedEventTime(timestamp(r.reportedEventMillis()));
        }
        b.setFraudReport(report);
    } else if (e.kind() instanceof DepositReturn r) {
        var ret = dev.vigil.proto.v1.DepositReturn.newBuilder()
            .setDepositId(r.depositId()).setReturnReason(r.returnReason());
        if (r.depositMillis() != 0) {
          ret.setDepositTime(timestamp(r.depositMillis()));
        }
        b.setDepositReturn(ret);
    }
    return b.build();
  }

  private static dev.vigil.proto.v1.Money money(Money m) {
    return dev.vigil.proto.v1.Money.newBuilder()
        .setMinorUnits(m.minorUnits()).setCurrency(m.currency()).build();
  }

  public static Timestamp timestamp(long millis) {
    return Timestamp.newBuilder().setSeconds(Math.floorDiv(millis, 1000))
        .setNanos((int) Math.floorMod(millis, 1000) * 1_000_000).build();
  }
}
