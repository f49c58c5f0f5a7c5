package dev.vigil.features.profile;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.Event.AccountStatus;
import dev.vigil.features.event.Event.CheckDeposit;
import dev.vigil.features.event.Event.ContactAttempt;
import dev.vigil.features.event.Event.DepositReturn;
import dev.vigil.features.event.Event.Direction;
import dev.vigil.features.event.Event.HardshipFlag;
import dev.vigil.features.event.Event.Money;
import dev.vigil.features.event.Event.Payment;
import dev.vigil.features.event.Event.PromiseToPay;
import dev.vigil.features.event.Event.Statement;
import dev.vigil.features.event.Event.Transaction;
import dev.vigil.features.state.AccountState;
import dev.vigil.features.state.Cycle;
import dev.vigil.features.state.LedgerEntry;
import dev.vigil.features.state.Promise;
import dev.vigil.features.window.Hashing;
import dev.vigil.features.window.RecentSet;
import dev.vigil.features.window.Timeline;
import dev.vigil.features.window.Timeline.Shape;
import dev.vigil.features.window.Timeline.Stats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * An account's rolling profile: spending, deposits, credit behaviour, collections contacts.
 *
 * <p>Amounts are aggregated in the account's currency (the first one seen); an event in another
 * currency is counted in {@code foreignCurrencyEvents} and left out of amount statistics.
 */
public final class AccountProfile extends Profile {
  static final Shape D30_FULL = Shape.of(Stats.FULL, Duration.ofDays(30));
  static final Shape D30_COUNT = Shape.of(Stats.COUNT, Duration.ofDays(30));
  static final Shape D90_COUNT = Shape.of(Stats.COUNT, Duration.ofDays(90));
  static final Shape D90_SUM = Shape.of(Stats.COUNT_SUM, Duration.ofDays(90));
  static final Shape D90_FULL = Shape.of(Stats.FULL, Duration.ofDays(90));
  static final Shape D180_COUNT = Shape.of(Stats.COUNT, Duration.ofDays(180));
  static final Shape D365_COUNT = Shape.of(Stats.COUNT, Duration.ofDays(365));
  static final Shape D365_FULL = Shape.of(Stats.FULL, Duration.ofDays(365));
  static final Shape D7_COUNT = Shape.of(Stats.COUNT, Duration.ofDays(7));
  static final int MERCHANTS = 64;
  static final int DEVICES = 16;
  static final int COUNTRIES = 16;
  /** Statement cycles kept: a year of monthly statements and the current one. */
  static final int CYCLES = 14;
  /** Payments (and returned payments) kept: the newest, enough for a year of cycles. */
  static final int PAYMENT_LEDGER = 96;
  /**
   * Promises to pay kept: the newest, by the time they were made. Enough for the 180-day promise
   * features to stay exact with a promise every three days: an account in collections for months
   * makes many (16, the limit before, was exceeded by the credit world's long delinquencies, and
   * the kept and broken counts then undercounted: LateEventsProperties, seed 10).
   */
  static final int PROMISES = 64;
  static final int DUPLICATE_DEPOSITS = 8;

  String currency = "";
  long firstSeenMillis = Long.MIN_VALUE;
  long openedMillis;
  long foreignCurrencyEvents;

  // spending
  Timeline debits = new Timeline(D30_FULL);
  Timeline cardNotPresent = new Timeline(D30_COUNT);
  Timeline cashAdvances = new Timeline(D90_COUNT);
  Timeline inflows = new Timeline(D90_SUM);
  RecentSet merchants = new RecentSet(MERCHANTS);
  RecentSet devices = new RecentSet(DEVICES);
  RecentSet countries = new RecentSet(COUNTRIES);
  long lastDebitMillis = Long.MIN_VALUE;

  // deposits
  Timeline deposits = new Timeline(D90_FULL);
  Timeline returnedDeposits = new Timeline(D90_COUNT);
  Timeline duplicatePresentments = new Timeline(D90_COUNT);
  RecentSet duplicateDeposits = new RecentSet(DUPLICATE_DEPOSITS);
  long lastDepositMillis = Long.MIN_VALUE;

  // credit
  long statusMillis = Long.MIN_VALUE;
  int daysPastDue;
  Timeline daysPastDueMax = new Timeline(D365_FULL);
  long balance;
  long creditLimit;
  Timeline utilisation = new Timeline(D90_SUM);
  Timeline minimumDue = new Timeline(D90_SUM);
  Timeline payments = new Timeline(D90_SUM);
  Timeline returnedPayments = new Timeline(D90_COUNT);
  long balanceMillis = Long.MIN_VALUE;
  // each sorted oldest first and capped to its newest entries: the same lists whatever order
  // the events came in (a late payment still counts for the cycle and the promise it belongs to)
  final List<Cycle> cycles = new ArrayList<>();
  final List<LedgerEntry> ledger = new ArrayList<>();
  final List<Promise> promises = new ArrayList<>();
  Timeline promisesMade = new Timeline(D180_COUNT);

  // collections
  Timeline calls = new Timeline(D7_COUNT);
  Timeline texts = new Timeline(D7_COUNT);
  Timeline emails = new Timeline(D7_COUNT);
  long lastRightPartyContactMillis = Long.MIN_VALUE;
  long hardshipMillis = Long.MIN_VALUE;
  boolean hardship;

  public AccountProfile(ProfileSettings settings) {
    super(settings);
  }

  @Override
  public EntityType type() {
    return EntityType.ACCOUNT;
  }

  @Override
  void apply(Event e) {
    long t = e.timeMillis();
    if (firstSeenMillis == Long.MIN_VALUE || t < firstSeenMillis) {
      firstSeenMillis = t;
    }
    Event.Kind k = e.kind();
    if (k instanceof Transaction tx) {
      onTransaction(t, tx);
    } else if (k instanceof CheckDeposit d) {
      if (inCurrency(d.amount())) {
        deposits.add(t, d.amount().minorUnits());
      }
      lastDepositMillis = Math.max(lastDepositMillis, t);
    } else if (k instanceof Payment p) {
      onPayment(t, p);
    } else if (k instanceof Statement s) {
      onStatement(t, s);
    } else if (k instanceof AccountStatus s) {
      daysPastDueMax.add(t, s.daysPastDue());
      if (t >= statusMillis) {
        statusMillis = t;
        daysPastDue = s.daysPastDue();
      }
      if (inCurrency(s.balance())) {
        setBalance(t, s.balance().minorUnits());
      }
      if (s.openedMillis() != 0) {
        openedMillis = s.openedMillis();
      }
    } else if (k instanceof PromiseToPay p) {
      promisesMade.add(t, 1);
      if (inCurrency(p.amount())) {
        keepNewest(promises, Promise.newBuilder().setMadeMillis(t).setDueMillis(p.dueMillis())
            .setAmount(p.amount().minorUnits()).build(), PROMISE_ORDER, PROMISES);
      }
    } else if (k instanceof ContactAttempt c) {
      switch (c.channel()) {
        case CALL -> calls.add(t, 1);
        case SMS -> texts.add(t, 1);
        case EMAIL -> emails.add(t, 1);
        default -> { }
      }
      if (c.rightPartyContact()) {
        lastRightPartyContactMillis = Math.max(lastRightPartyContactMillis, t);
      }
    } else if (k instanceof HardshipFlag h) {
      if (t >= hardshipMillis) {
        hardshipMillis = t;
        hardship = h.active();
      }
    } else if (k instanceof DepositReturn) {
      returnedDeposits.add(t, 1);
    }
  }

  /**
   * The check of deposit {@code depositId} was presented before (on this account or another): the
   * cross-entity signal from a check profile. Counted once per deposit, whichever of the check's
   * fingerprints (MICR line, image) reported it.
   */
  /** Regulation F's presumption: more than this many calls in 7 consecutive days harass. */
  public static final int REG_F_CALLS_PER_7_DAYS = 7;

  /**
   * The earliest time at or after {@code nowMillis} at which a call about this account stays
   * within Regulation F's presumption (12 CFR 1006.14(b)(2)): the call would not be the eighth in
   * 7 consecutive days, and it is not within 7 days after a telephone conversation with the
   * customer. Calls are counted from this profile with the window bound of {@link
   * dev.vigil.features.window.Timeline} (at most 1/60 of the window extra, at the old edge), so the
   * answer errs late, never early.
   */
  public long callsAllowedFromMillis(long nowMillis) {
    long week = 7 * 86_400_000L;
    long t = nowMillis;
    if (lastRightPartyContactMillis != Long.MIN_VALUE && lastRightPartyContactMillis + week > t) {
      t = lastRightPartyContactMillis + week;
    }
    long step = 15 * 60_000L;
    // calls after now are unknown, so the count only falls as t moves on; 7 days clears all
    while (t < nowMillis + week && calls.count(t - week, nowMillis) >= REG_F_CALLS_PER_7_DAYS) {
      t += step;
    }
    return t;
  }

  public void recordDuplicatePresentment(String depositId, long atMillis) {
    long deposit = Hashing.of(depositId);
    if (duplicateDeposits.seen(deposit, Long.MIN_VALUE / 2, Long.MAX_VALUE)) {
      return;
    }
    duplicateDeposits.add(deposit, atMillis);
    duplicatePresentments.add(atMillis, 1);
    version++;
    lastEventMillis = Math.max(lastEventMillis, atMillis);
  }

  private boolean inCurrency(Money m) {
    if (m.currency().isEmpty()) {
      return false;
    }
    if (currency.isEmpty()) {
      currency = m.currency();
    }
    if (currency.equals(m.currency())) {
      return true;
    }
    foreignCurrencyEvents++;
    return false;
  }

  private void onTransaction(long t, Transaction tx) {
    boolean same = inCurrency(tx.amount());
    if (tx.direction() == Direction.CREDIT) {
      if (tx.payrollLike() && same) {
        inflows.add(t, tx.amount().minorUnits());
      }
      return;
    }
    if (same) {
      debits.add(t, tx.amount().minorUnits());
    }
    if (tx.cardNotPresent()) {
      cardNotPresent.add(t, 1);
    }
    if (tx.cashAdvance()) {
      cashAdvances.add(t, 1);
    }
    lastDebitMillis = Math.max(lastDebitMillis, t);
    if (!tx.merchantId().isEmpty()) {
      merchants.add(Hashing.of(tx.merchantId()), t);
    }
    if (!tx.deviceId().isEmpty()) {
      devices.add(Hashing.of(tx.deviceId()), t);
    }
    if (!tx.country().isEmpty()) {
      countries.add(Hashing.of(tx.country()), t);
    }
  }

  private void onPayment(long t, Payment p) {
    if (!inCurrency(p.amount())) {
      return;
    }
    long amount = p.amount().minorUnits();
    if (p.returned()) {
      returnedPayments.add(t, 1);
      keepNewest(ledger, LedgerEntry.newBuilder().setMillis(t).setAmount(-amount).build(),
          LEDGER_ORDER, PAYMENT_LEDGER);
      return;
    }
    payments.add(t, amount);
    keepNewest(ledger, LedgerEntry.newBuilder().setMillis(t).setAmount(amount).build(),
        LEDGER_ORDER, PAYMENT_LEDGER);
  }

  private void onStatement(long t, Statement s) {
    if (!inCurrency(s.minimumDue())) {
      return;
    }
    minimumDue.add(t, s.minimumDue().minorUnits());
    if (s.creditLimit().minorUnits() > 0) {
      utilisation.add(t, s.balance().minorUnits() * 10_000 / s.creditLimit().minorUnits());
    }
    var cycle = Cycle.newBuilder().setStatementMillis(t).setDueMillis(s.dueMillis())
        .setMinimumDue(s.minimumDue().minorUnits()).setCreditLimit(s.creditLimit().minorUnits())
        .setBalance(s.balance().minorUnits()).build();
    // one cycle per statement time: of two statements at the same time, the greater stays
    int same = -1;
    for (int i = 0; i < cycles.size(); i++) {
      if (cycles.get(i).getStatementMillis() == t) {
        same = i;
      }
    }
    if (same >= 0) {
      if (CYCLE_ORDER.compare(cycle, cycles.get(same)) <= 0) {
        return;
      }
      cycles.remove(same);
    }
    keepNewest(cycles, cycle, CYCLE_ORDER, CYCLES);
    creditLimit = cycles.get(cycles.size() - 1).getCreditLimit();
    setBalance(t, s.balance().minorUnits());
  }

  /** The newest balance reported (a statement's or a status report's); ties: the larger. */
  private void setBalance(long t, long amount) {
    if (t > balanceMillis || (t == balanceMillis && amount > balance)) {
      balanceMillis = t;
      balance = amount;
    }
  }

  private static final java.util.Comparator<Cycle> CYCLE_ORDER = java.util.Comparator
      .comparingLong(Cycle::getStatementMillis).thenComparingLong(Cycle::getDueMillis)
      .thenComparingLong(Cycle::getMinimumDue).thenComparingLong(Cycle::getCreditLimit)
      .thenComparingLong(Cycle::getBalance);
  private static final java.util.Comparator<LedgerEntry> LEDGER_ORDER = java.util.Comparator
      .comparingLong(LedgerEntry::getMillis).thenComparingLong(LedgerEntry::getAmount);
  private static final java.util.Comparator<Promise> PROMISE_ORDER = java.util.Comparator
      .comparingLong(Promise::getMadeMillis).thenComparingLong(Promise::getDueMillis)
      .thenComparingLong(Promise::getAmount);

  /**
   * Inserts {@code item} into {@code sorted} in order and drops the oldest beyond {@code cap}:
   * the list ends as the {@code cap} greatest of all items ever given, whatever their order.
   */
  private static <T> void keepNewest(List<T> sorted, T item, java.util.Comparator<T> order,
      int cap) {
    int at = java.util.Collections.binarySearch(sorted, item, order);
    sorted.add(at < 0 ? -at - 1 : at, item);
    while (sorted.size() > cap) {
      sorted.remove(0);
    }
  }

  // ---- reads used by the feature catalogue -------------------------------------------------

  /**
   * Payments in {@code (fromExclusive, toInclusive]} known as of {@code asOf}: net of returned
   * payments when {@code net}, else payments only.
   */
  long paid(long fromExclusive, long toInclusive, long asOf, boolean net) {
    long to = Math.min(toInclusive, asOf);
    long sum = 0;
    for (LedgerEntry e : ledger) {
      if (e.getMillis() > fromExclusive && e.getMillis() <= to && (net || e.getAmount() > 0)) {
        sum += e.getAmount();
      }
    }
    return sum;
  }

  /**
   * Statement cycles due in {@code (fromExclusive, asOf)} whose minimum due was not paid by the
   * due date (payments between the statement and the due date, net of returns).
   */
  int missedCycles(long fromExclusive, long asOf) {
    int n = 0;
    for (Cycle c : cycles) {
      if (c.getStatementMillis() <= asOf && c.getDueMillis() < asOf
          && c.getDueMillis() > fromExclusive && c.getMinimumDue() > 0
          && paid(c.getStatementMillis(), c.getDueMillis(), asOf, true) < c.getMinimumDue()) {
        n++;
      }
    }
    return n;
  }

  /**
   * When {@code p} was kept as known at {@code asOf}: the payment at which the payments made after
   * the promise and by its due date first reached its amount; {@code Long.MIN_VALUE} if not (yet).
   */
  long keptAt(Promise p, long asOf) {
    long to = Math.min(p.getDueMillis(), asOf);
    long sum = 0;
    for (LedgerEntry e : ledger) {
      if (e.getMillis() > p.getMadeMillis() && e.getMillis() <= to && e.getAmount() > 0) {
        sum += e.getAmount();
        if (sum >= p.getAmount()) {
          return e.getMillis();
        }
      }
    }
    return Long.MIN_VALUE;
  }

  /** Promises kept, by the payment that kept them, in {@code (fromExclusive, asOf]}. */
  int promisesKept(long fromExclusive, long asOf) {
    int n = 0;
    for (Promise p : promises) {
      long kept = p.getMadeMillis() <= asOf ? keptAt(p, asOf) : Long.MIN_VALUE;
      if (kept != Long.MIN_VALUE && kept > fromExclusive) {
        n++;
      }
    }
    return n;
  }

  /** Promises due in {@code (fromExclusive, asOf)} and not kept by their due date. */
  int promisesBroken(long fromExclusive, long asOf) {
    int n = 0;
    for (Promise p : promises) {
      if (p.getMadeMillis() <= asOf && p.getDueMillis() < asOf
          && p.getDueMillis() > fromExclusive && keptAt(p, asOf) == Long.MIN_VALUE) {
        n++;
      }
    }
    return n;
  }

  /** Whether a statement was ever folded in. */
  boolean hasStatements() {
    return !cycles.isEmpty();
  }

  // ---- state -------------------------------------------------------------------------------

  AccountState toState() {
    var b = AccountState.newBuilder();
    b.setCurrency(currency);
    b.setFirstSeenMillis(firstSeenMillis);
    b.setOpenedMillis(openedMillis);
    b.setForeignCurrencyEvents(foreignCurrencyEvents);
    b.setLastDebitMillis(lastDebitMillis);
    b.setLastDepositMillis(lastDepositMillis);
    b.setStatusMillis(statusMillis);
    b.setDaysPastDue(daysPastDue);
    b.setBalance(balance);
    b.setCreditLimit(creditLimit);
    b.setBalanceMillis(balanceMillis);
    b.addAllCycles(cycles);
    b.addAllPaymentLedger(ledger);
    b.addAllPromises(promises);
    b.setLastRightPartyContactMillis(lastRightPartyContactMillis);
    b.setHardship(hardship);
    b.setHardshipMillis(hardshipMillis);
    if (!debits.isEmpty()) {
      b.setDebits(debits.toState());
    }
    if (!cardNotPresent.isEmpty()) {
      b.setCardNotPresent(cardNotPresent.toState());
    }
    if (!cashAdvances.isEmpty()) {
      b.setCashAdvances(cashAdvances.toState());
    }
    if (!inflows.isEmpty()) {
      b.setInflows(inflows.toState());
    }
    if (!merchants.isEmpty()) {
      b.setMerchants(merchants.toState());
    }
    if (!devices.isEmpty()) {
      b.setDevices(devices.toState());
    }
    if (!countries.isEmpty()) {
      b.setCountries(countries.toState());
    }
    if (!deposits.isEmpty()) {
      b.setDeposits(deposits.toState());
    }
    if (!returnedDeposits.isEmpty()) {
      b.setReturnedDeposits(returnedDeposits.toState());
    }
    if (!duplicatePresentments.isEmpty()) {
      b.setDuplicatePresentments(duplicatePresentments.toState());
    }
    if (!duplicateDeposits.isEmpty()) {
      b.setDuplicateDeposits(duplicateDeposits.toState());
    }
    if (!daysPastDueMax.isEmpty()) {
      b.setDaysPastDueMax(daysPastDueMax.toState());
    }
    if (!utilisation.isEmpty()) {
      b.setUtilisation(utilisation.toState());
    }
    if (!minimumDue.isEmpty()) {
      b.setMinimumDue(minimumDue.toState());
    }
    if (!payments.isEmpty()) {
      b.setPayments(payments.toState());
    }
    if (!returnedPayments.isEmpty()) {
      b.setReturnedPayments(returnedPayments.toState());
    }
    if (!promisesMade.isEmpty()) {
      b.setPromisesMade(promisesMade.toState());
    }
    if (!calls.isEmpty()) {
      b.setCalls(calls.toState());
    }
    if (!texts.isEmpty()) {
      b.setTexts(texts.toState());
    }
    if (!emails.isEmpty()) {
      b.setEmails(emails.toState());
    }
    return b.build();
  }

  static AccountProfile fromState(ProfileSettings settings, AccountState s) {
    var p = new AccountProfile(settings);
    p.currency = s.getCurrency();
    p.firstSeenMillis = s.getFirstSeenMillis();
    p.openedMillis = s.getOpenedMillis();
    p.foreignCurrencyEvents = s.getForeignCurrencyEvents();
    p.debits = Timeline.fromState(D30_FULL, s.getDebits());
    p.cardNotPresent = Timeline.fromState(D30_COUNT, s.getCardNotPresent());
    p.cashAdvances = Timeline.fromState(D90_COUNT, s.getCashAdvances());
    p.inflows = Timeline.fromState(D90_SUM, s.getInflows());
    p.merchants = RecentSet.fromState(MERCHANTS, s.getMerchants());
    p.devices = RecentSet.fromState(DEVICES, s.getDevices());
    p.countries = RecentSet.fromState(COUNTRIES, s.getCountries());
    p.lastDebitMillis = s.getLastDebitMillis();
    p.deposits = Timeline.fromState(D90_FULL, s.getDeposits());
    p.returnedDeposits = Timeline.fromState(D90_COUNT, s.getReturnedDeposits());
    p.duplicatePresentments = Timeline.fromState(D90_COUNT, s.getDuplicatePresentments());
    p.duplicateDeposits = RecentSet.fromState(DUPLICATE_DEPOSITS, s.getDuplicateDeposits());
    p.lastDepositMillis = s.getLastDepositMillis();
    p.statusMillis = s.getStatusMillis();
    p.daysPastDue = s.getDaysPastDue();
    p.daysPastDueMax = Timeline.fromState(D365_FULL, s.getDaysPastDueMax());
    p.balance = s.getBalance();
    p.creditLimit = s.getCreditLimit();
    p.utilisation = Timeline.fromState(D90_SUM, s.getUtilisation());
    p.minimumDue = Timeline.fromState(D90_SUM, s.getMinimumDue());
    p.payments = Timeline.fromState(D90_SUM, s.getPayments());
    p.returnedPayments = Timeline.fromState(D90_COUNT, s.getReturnedPayments());
    p.balanceMillis = s.getBalanceMillis();
    p.cycles.addAll(s.getCyclesList());
    p.ledger.addAll(s.getPaymentLedgerList());
    p.promises.addAll(s.getPromisesList());
    p.promisesMade = Timeline.fromState(D180_COUNT, s.getPromisesMade());
    p.calls = Timeline.fromState(D7_COUNT, s.getCalls());
    p.texts = Timeline.fromState(D7_COUNT, s.getTexts());
    p.emails = Timeline.fromState(D7_COUNT, s.getEmails());
    p.lastRightPartyContactMillis = s.getLastRightPartyContactMillis();
    p.hardship = s.getHardship();
    p.hardshipMillis = s.getHardshipMillis();
    return p;
  }
}
