package dev.vigil.job.intake;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.Event.AccountStatus;
import dev.vigil.features.event.Event.CheckDeposit;
import dev.vigil.features.event.Event.ConsentChange;
import dev.vigil.features.event.Event.ContactAttempt;
import dev.vigil.features.event.Event.CustomerDetails;
import dev.vigil.features.event.Event.DepositReturn;
import dev.vigil.features.event.Event.FraudReport;
import dev.vigil.features.event.Event.HardshipFlag;
import dev.vigil.features.event.Event.Money;
import dev.vigil.features.event.Event.Payment;
import dev.vigil.features.event.Event.PromiseToPay;
import dev.vigil.features.event.Event.Statement;
import dev.vigil.features.event.Event.Transaction;
import java.io.IOException;
import java.time.ZoneId;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * A validated event between the job's operators, field by field: an event is parsed and validated
 * once, at intake ({@link EventIntake}), and travels typed from there to the folds; a shuffle
 * writes and reads its fields, never the protobuf form, and no operator validates it again.
 *
 * <p>For records in flight only (network buffers; never keyed state): enums travel as their
 * ordinals, so both ends must run the same build, as the operators of one job do. A change to
 * {@link Event} or its enums changes this format; {@link Snapshot} carries the version should it
 * ever be checkpointed (unaligned checkpoints).
 */
public final class EventSerializer extends InFlightSerializer<Event> {
  static final EventSerializer INSTANCE = new EventSerializer();
  private static final long serialVersionUID = 1L;
  /** Time zones by id, parsed once per process (a few hundred at most). */
  private static final Map<String, ZoneId> ZONES = new ConcurrentHashMap<>();

  private static final int TRANSACTION = 0;
  private static final int CHECK_DEPOSIT = 1;
  private static final int PAYMENT = 2;
  private static final int STATEMENT = 3;
  private static final int ACCOUNT_STATUS = 4;
  private static final int PROMISE_TO_PAY = 5;
  private static final int CONTACT_ATTEMPT = 6;
  private static final int CONSENT_CHANGE = 7;
  private static final int HARDSHIP_FLAG = 8;
  private static final int FRAUD_REPORT = 9;
  private static final int DEPOSIT_RETURN = 10;
  private static final int CUSTOMER_DETAILS = 11;

  private EventSerializer() {}

  private Object readResolve() {
    return INSTANCE;
  }

  @Override
  public void serialize(Event e, DataOutputView out) throws IOException {
    StringValue.writeString(e.eventId(), out);
    out.writeLong(e.timeMillis());
    StringValue.writeString(e.accountId(), out);
    StringValue.writeString(e.customerId(), out);
    Event.Kind k = e.kind();
    if (k instanceof Transaction t) {
      out.writeByte(TRANSACTION);
      money(t.amount(), out);
      out.writeByte(t.direction().ordinal());
      out.writeByte(t.channel().ordinal());
      strings(out, t.merchantId(), t.mcc(), t.country(), t.deviceId(), t.counterpartyId(),
          t.merchantZone() == null ? "" : t.merchantZone().getId());
    } else if (k instanceof CheckDeposit d) {
      out.writeByte(CHECK_DEPOSIT);
      StringValue.writeString(d.depositId(), out);
      money(d.amount(), out);
      strings(out, d.routingNumber(), d.payerAccountFingerprint(), d.checkNumber(),
          d.imageFingerprint());
      out.writeByte(d.endorsement().ordinal());
      StringValue.writeString(d.deviceId(), out);
    } else if (k instanceof Payment p) {
      out.writeByte(PAYMENT);
      StringValue.writeString(p.paymentId(), out);
      money(p.amount(), out);
      out.writeBoolean(p.returned());
      StringValue.writeString(p.returnReason(), out);
    } else if (k instanceof Statement s) {
      out.writeByte(STATEMENT);
      money(s.balance(), out);
      money(s.minimumDue(), out);
      out.writeLong(s.dueMillis());
      money(s.creditLimit(), out);
    } else if (k instanceof AccountStatus s) {
      out.writeByte(ACCOUNT_STATUS);
      out.writeInt(s.daysPastDue());
      money(s.balance(), out);
      out.writeLong(s.openedMillis());
    } else if (k instanceof PromiseToPay p) {
      out.writeByte(PROMISE_TO_PAY);
      money(p.amount(), out);
      out.writeLong(p.dueMillis());
    } else if (k instanceof ContactAttempt c) {
      out.writeByte(CONTACT_ATTEMPT);
      out.writeByte(c.channel().ordinal());
      out.writeBoolean(c.rightPartyContact());
    } else if (k instanceof ConsentChange c) {
      out.writeByte(CONSENT_CHANGE);
      out.writeByte(c.channel().ordinal());
      out.writeBoolean(c.granted());
    } else if (k instanceof HardshipFlag h) {
      out.writeByte(HARDSHIP_FLAG);
      out.writeBoolean(h.active());
      StringValue.writeString(h.reason(), out);
    } else if (k instanceof FraudReport r) {
      out.writeByte(FRAUD_REPORT);
      strings(out, r.reportedEventId(), r.merchantId());
      out.writeLong(r.reportedEventMillis());
      out.writeBoolean(r.chargeback());
    } else if (k instanceof DepositReturn r) {
      out.writeByte(DEPOSIT_RETURN);
      strings(out, r.depositId(), r.returnReason());
      out.writeLong(r.depositMillis());
    } else if (k instanceof CustomerDetails c) {
      out.writeByte(CUSTOMER_DETAILS);
      StringValue.writeString(c.timeZone().getId(), out);
    } else {
      throw new IllegalStateException("an event kind this serializer does not know: "
          + k.getClass().getName());
    }
  }

  @Override
  public Event deserialize(DataInputView in) throws IOException {
    String eventId = StringValue.readString(in);
    long time = in.readLong();
    String accountId = StringValue.readString(in);
    String customerId = StringValue.readString(in);
    int tag = in.readByte();
    Event.Kind kind = switch (tag) {
      case TRANSACTION -> {
        Money amount = money(in);
        var direction = Event.Direction.values()[in.readByte()];
        var channel = Event.Channel.values()[in.readByte()];
        String merchant = StringValue.readString(in);
        String mcc = StringValue.readString(in);
        String country = StringValue.readString(in);
        String device = StringValue.readString(in);
        String counterparty = StringValue.readString(in);
        String zone = StringValue.readString(in);
        yield new Transaction(amount, direction, channel, merchant, mcc, country, device,
            counterparty, zone.isEmpty() ? null : zone(zone));
      }
      case CHECK_DEPOSIT -> {
        String depositId = StringValue.readString(in);
        Money amount = money(in);
        String routing = StringValue.readString(in);
        String payer = StringValue.readString(in);
        String checkNumber = StringValue.readString(in);
        String image = StringValue.readString(in);
        var endorsement = Event.Endorsement.values()[in.readByte()];
        yield new CheckDeposit(depositId, amount, routing, payer, checkNumber, image, endorsement,
            StringValue.readString(in));
      }
      case PAYMENT -> {
        String paymentId = StringValue.readString(in);
        Money amount = money(in);
        boolean returned = in.readBoolean();
        yield new Payment(paymentId, amount, returned, StringValue.readString(in));
      }
      case STATEMENT -> {
        Money balance = money(in);
        Money minimumDue = money(in);
        long due = in.readLong();
        yield new Statement(balance, minimumDue, due, money(in));
      }
      case ACCOUNT_STATUS -> {
        int daysPastDue = in.readInt();
        Money balance = money(in);
        yield new AccountStatus(daysPastDue, balance, in.readLong());
      }
      case PROMISE_TO_PAY -> {
        Money amount = money(in);
        yield new PromiseToPay(amount, in.readLong());
      }
      case CONTACT_ATTEMPT -> new ContactAttempt(Event.ContactChannel.values()[in.readByte()],
          in.readBoolean());
      case CONSENT_CHANGE -> new ConsentChange(Event.ContactChannel.values()[in.readByte()],
          in.readBoolean());
      case HARDSHIP_FLAG -> {
        boolean active = in.readBoolean();
        yield new HardshipFlag(active, StringValue.readString(in));
      }
      case FRAUD_REPORT -> {
        String reported = StringValue.readString(in);
        String merchant = StringValue.readString(in);
        long reportedMillis = in.readLong();
        yield new FraudReport(reported, merchant, reportedMillis, in.readBoolean());
      }
      case DEPOSIT_RETURN -> {
        String depositId = StringValue.readString(in);
        String reason = StringValue.readString(in);
        yield new DepositReturn(depositId, reason, in.readLong());
      }
      case CUSTOMER_DETAILS -> new CustomerDetails(zone(StringValue.readString(in)));
      default -> throw new IOException("not an event kind this build writes: tag " + tag);
    };
    return new Event(eventId, time, accountId, customerId, kind);
  }

  @Override
  public TypeSerializerSnapshot<Event> snapshotConfiguration() {
    return new Snapshot();
  }

  private static void money(Money m, DataOutputView out) throws IOException {
    out.writeLong(m.minorUnits());
    StringValue.writeString(m.currency(), out);
  }

  private static Money money(DataInputView in) throws IOException {
    long minor = in.readLong();
    return new Money(minor, StringValue.readString(in));
  }

  private static void strings(DataOutputView out, String... values) throws IOException {
    for (String v : values) {
      StringValue.writeString(v, out);
    }
  }

  private static ZoneId zone(String id) {
    return ZONES.computeIfAbsent(id, ZoneId::of);
  }

  /** The serializer's configuration snapshot: it has none beyond its version. */
  public static final class Snapshot extends SimpleTypeSerializerSnapshot<Event> {
    public Snapshot() {
      super(() -> INSTANCE);
    }
  }
}
