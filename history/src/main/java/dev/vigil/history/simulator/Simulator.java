package dev.vigil.history.simulator;

import dev.vigil.features.event.Event;
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
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * A seeded, deterministic generator of realistic labelled histories: the same configuration
 * always yields the same events.
 *
 * <ul>
 *   <li>Customers with their own spending habits (amount, frequency, hours), a home location and
 *       the merchants/terminals near it (as in the Fraud Detection Handbook's simulator). The
 *       100×100 grid spans the continental United States west to east, so customers and terminals
 *       live in four time zones (Los Angeles, Denver, Chicago, New York); customers shop, are
 *       paid, deposit checks and are contacted in their own local hours. Nine customers in ten
 *       have a {@code CustomerDetails} event with their zone; every terminal's transactions carry
 *       the terminal's zone. Core systems post statements and payments at 02:00 UTC, in batches.
 *   <li>Card fraud, the Handbook's three scenarios: amounts over a threshold; terminals compromised
 *       for 28 days; cards compromised for 14 days with a third of their transactions inflated
 *       five-fold. Plus account takeover: a new device, then a burst of online spending.
 *   <li>Check fraud: the same check deposited on two accounts (or twice on one), deposits far above
 *       the account's history followed by cash-out, and ordinary returned deposits.
 *   <li>Credit behaviour: statements, payments (some returned NSF), missed payments, delinquency,
 *       collections contacts, promises to pay kept and broken, income loss and hardship,
 *       contact consent granted and revoked. Delinquency follows from that behaviour.
 *   <li>Outcomes arrive late: fraud reports a day plus an exponential delay (mean 4 days, at most
 *       60) after the transaction, deposit returns 2-6 days after the deposit.
 * </ul>
 *
 * Events are emitted in event-time order, or with {@code maxDisorderMillis} of jitter in arrival
 * order to exercise out-of-order handling.
 *
 * <p>Collections strategies (opt-in: {@link #Simulator(Config, TreatmentChooser)}; without a
 * chooser a seed's history is what it always was). Every {@link #CYCLE_DAYS} days past due a
 * {@link TreatmentChooser} picks the account's treatment and the customer responds as their
 * circumstances allow: a reminder moves a customer who can pay (employed, little strain) and
 * barely anyone else; a payment plan is taken and kept mostly by the strained, for whom an
 * affordable instalment is within reach; an agent call reaches a third of those called, who
 * mostly promise, and keep the promise as their strain allows, and it presses those who cannot
 * pay into complaints; a hardship referral eases strain and offers a plan, a counselling referral
 * eases strain. Contacts beyond two in 7 days annoy: complaints, which a customer makes by
 * revoking the consent of the channel used ({@code ConsentChange}). Paying what is due (the
 * plan's first instalment, a kept promise, a payment unprompted) brings the account current.
 * These draws come from a generator of their own.
 */
public final class Simulator {
  static final long MINUTE = 60_000L;
  static final long HOUR = 60 * MINUTE;
  static final long DAY = 24 * HOUR;
  static final String CURRENCY = "USD";
  /**
   * How often a past-due account's treatment is chosen, in days past due: from the second day
   * (the first day's status is known by then), every third (2, 5, 8...).
   */
  public static final int CYCLE_DAYS = 3;

  /**
   * What world to simulate.
   *
   * <ul>
   *   <li>{@code VIGIL}: everything above, for a lender's whole book.
   *   <li>{@code HANDBOOK}: the Fraud Detection Handbook's own generator, for a like-for-like
   *       comparison with its published figures: card transactions only, two terminals per
   *       customer, terminals within a radius of 5 on the 100×100 grid, 0 to 4 transactions a day
   *       around noon (σ 20,000 s), amounts of mean $5-100; its scenarios 1-3 only (over $220; 2
   *       terminals per 10,000 compromised a day for 28 days; 3 cards per 5,000 a day for 14 days,
   *       a third of their transactions five times larger). Every fraud is reported exactly one
   *       label delay (7 days) after it happened, which is the Handbook's assumption.
   * </ul>
   */
  public enum Shape { VIGIL, HANDBOOK }

  /**
   * What to simulate.
   *
   * @param merchantSkew card traffic's merchant popularity (the Vigil shape): 0 (the default),
   *     every customer buys from merchants near them, nearly uniformly; above 0, half of all card
   *     purchases go to merchants drawn from one Zipf distribution of this exponent over all
   *     merchants (1.1 over 2,000 merchants: the most popular takes about a sixth of those, 8% of
   *     all purchases), as a large retailer, a transit gate or a payment processor does in real
   *     card traffic
   * @param merchantBursts with skew, the share of the purchases drawn by popularity that go instead
   *     to the most popular merchant within its burst of the day (a sale, a rush hour at a transit
   *     gate): {@link #BURST_MINUTES} minutes starting at a time of day that changes from day to
   *     day; 0 (the default) for none, and a history without bursts is what it always was
   */
  public record Config(long seed, int customers, int days, Instant start, long maxDisorderMillis,
      Shape shape, double merchantSkew, double merchantBursts) {
    /** How long the most popular merchant's daily burst lasts. */
    public static final int BURST_MINUTES = 20;

    public Config {
      if (customers < 1 || days < 1) {
        throw new IllegalArgumentException("customers and days must be positive");
      }
      if (shape == null) {
        throw new IllegalArgumentException("shape must be given");
      }
      if (!(merchantSkew >= 0)) {
        throw new IllegalArgumentException("merchantSkew must be 0 or more, not " + merchantSkew);
      }
      if (!(merchantBursts >= 0 && merchantBursts <= 1)) {
        throw new IllegalArgumentException("merchantBursts must be within 0 to 1, not "
            + merchantBursts);
      }
      if (merchantBursts > 0 && merchantSkew == 0) {
        throw new IllegalArgumentException("merchantBursts needs merchantSkew above 0: bursts are"
            + " the most popular merchant's");
      }
    }

    public Config(long seed, int customers, int days, Instant start, long maxDisorderMillis,
        Shape shape, double merchantSkew) {
      this(seed, customers, days, start, maxDisorderMillis, shape, merchantSkew, 0);
    }

    public Config(long seed, int customers, int days, Instant start, long maxDisorderMillis,
        Shape shape) {
      this(seed, customers, days, start, maxDisorderMillis, shape, 0, 0);
    }

    /** The same world with card traffic skewed to popular merchants (see {@code merchantSkew}). */
    public Config withMerchantSkew(double exponent) {
      return new Config(seed, customers, days, start, maxDisorderMillis, shape, exponent,
          merchantBursts);
    }

    /** The same world with the most popular merchant's daily bursts (see {@code merchantBursts}). */
    public Config withMerchantBursts(double share) {
      return new Config(seed, customers, days, start, maxDisorderMillis, shape, merchantSkew,
          share);
    }

    public Config(long seed, int customers, int days, Instant start, long maxDisorderMillis) {
      this(seed, customers, days, start, maxDisorderMillis, Shape.VIGIL);
    }

    public static Config of(long seed, int customers, int days) {
      return new Config(seed, customers, days, Instant.parse("2026-01-01T00:00:00Z"), 0);
    }

    public long startMillis() {
      return start.toEpochMilli();
    }
  }

  /** What the simulator produced, by kind and label. */
  public static final class Stats {
    public long events;
    public long transactions;
    public long fraudulentTransactions;
    public long deposits;
    public long returnedDeposits;
    public long duplicateDeposits;
    /** Deposits by the account's own customer, who meant them to come back unpaid. */
    public long firstPartyDepositFrauds;
    public long statements;
    public long missedPayments;
    /** With a treatment chooser: treatments delivered, and complaints they drew. */
    public long treatments;
    public long complaints;
  }

  private final Config config;
  private final SplittableRandom random;
  /**
   * The draws of customers' own deposit fraud, apart from {@link #random}: adding that kind of
   * fraud left every other draw, and so the rest of each history, as it was.
   */
  private final SplittableRandom firstParty;
  private final Stats stats = new Stats();
  private final List<Customer> customers = new ArrayList<>();
  private final Terminal[] terminals;
  private final PriorityQueue<Event> pending =
      new PriorityQueue<>(Comparator.comparingLong(Event::timeMillis));
  private final List<Event> today = new ArrayList<>();
  private long sequence;
  private long dayEnd;
  private long nextCheckNumber = 1000;
  private final boolean handbook;
  /** The cumulative popularity of merchants by rank, or null without skew. */
  private final double[] popularity;
  /** The collections strategy, or null: the default history, with its own contacts. */
  private final TreatmentChooser chooser;
  /** The customers' responses to treatments, apart from {@link #random}; null without a chooser. */
  private final SplittableRandom responses;

  public Simulator(Config config) {
    this(config, null);
  }

  /**
   * A simulation whose past-due accounts are treated as {@code chooser} decides (null: the
   * default history, byte for byte the same for a seed).
   */
  public Simulator(Config config, TreatmentChooser chooser) {
    this.chooser = chooser;
    this.responses = chooser == null ? null : new SplittableRandom(config.seed() ^ 0x5EED_C011L);
    this.config = config;
    this.random = new SplittableRandom(config.seed());
    this.firstParty = new SplittableRandom(~config.seed());
    handbook = config.shape() == Shape.HANDBOOK;
    int terminalCount = handbook ? 2 * config.customers() : Math.max(10, config.customers() / 5);
    terminals = new Terminal[terminalCount];
    for (int i = 0; i < terminalCount; i++) {
      terminals[i] = new Terminal(String.format("m-%06d", i), random.nextDouble() * 100,
          random.nextDouble() * 100, MCCS[random.nextInt(MCCS.length)], handbook);
    }
    for (int i = 0; i < config.customers(); i++) {
      customers.add(new Customer(i));
    }
    popularity = config.merchantSkew() > 0 ? zipf(terminalCount, config.merchantSkew()) : null;
  }

  /** The cumulative Zipf distribution over {@code n} ranks: P(rank r) ∝ 1 / r^s. */
  static double[] zipf(int n, double s) {
    double[] cdf = new double[n];
    double sum = 0;
    for (int r = 1; r <= n; r++) {
      sum += 1 / Math.pow(r, s);
      cdf[r - 1] = sum;
    }
    for (int i = 0; i < n; i++) {
      cdf[i] /= sum;
    }
    return cdf;
  }

  /**
   * When the most popular merchant's burst begins on the day starting at {@code dayStart}: 10 to 20
   * hours into the day, a different time each day (the same for every customer).
   */
  static long burstStart(long dayStart) {
    long day = Math.floorDiv(dayStart, DAY);
    return dayStart + 10 * HOUR + Math.floorMod(day * 7_919L, 600L) * MINUTE;
  }

  /** A merchant drawn by popularity (the first is the most popular). */
  private Terminal popularMerchant() {
    int i = Arrays.binarySearch(popularity, random.nextDouble());
    return terminals[Math.min(terminals.length - 1, i >= 0 ? i : -i - 1)];
  }

  public Stats stats() {
    return stats;
  }

  /** Generates the whole history into {@code sink}, day by day. */
  public void run(Consumer<Event> sink) {
    long start = config.startMillis();
    dayEnd = start + DAY;
    if (!handbook) {
      for (Customer c : customers) {
        c.onboard(start);
      }
    }
    for (int d = 0; d < config.days(); d++) {
      long dayStart = start + d * DAY;
      dayEnd = dayStart + DAY;
      compromiseTerminalsAndCards(dayStart);
      for (Customer c : customers) {
        if (handbook) {
          c.spendAsTheHandbook(dayStart);
        } else {
          c.live(d, dayStart);
        }
      }
      flushDay(dayStart + DAY, sink);
    }
    // outcomes about the simulated period keep arriving after it
    dayEnd = Long.MAX_VALUE;
    flushDay(Long.MAX_VALUE, sink);
  }

  private void flushDay(long until, Consumer<Event> sink) {
    while (!pending.isEmpty() && pending.peek().timeMillis() < until) {
      today.add(pending.poll());
    }
    if (config.maxDisorderMillis() > 0) {
      long[] arrival = new long[today.size()];
      Integer[] order = new Integer[today.size()];
      for (int i = 0; i < arrival.length; i++) {
        arrival[i] = today.get(i).timeMillis() + random.nextLong(config.maxDisorderMillis() + 1);
        order[i] = i;
      }
      Arrays.sort(order, Comparator.comparingLong(i -> arrival[i]));
      for (Integer i : order) {
        emit(today.get(i), sink);
      }
    } else {
      today.sort(Comparator.comparingLong(Event::timeMillis));
      today.forEach(e -> emit(e, sink));
    }
    today.clear();
  }

  private void emit(Event e, Consumer<Event> sink) {
    stats.events++;
    sink.accept(e);
  }

  private String nextId(String prefix) {
    return prefix + "-" + Long.toString(sequence++, 36);
  }

  private void schedule(long at, Customer c, Event.Kind kind) {
    add(new Event(nextId("e"), at, c.account, c.customer, kind));
  }

  private void now(long at, Customer c, Event.Kind kind) {
    add(new Event(nextId("e"), at, c.account, c.customer, kind));
  }

  /** Today's events are emitted tonight; later ones wait in time order. */
  private void add(Event e) {
    if (e.timeMillis() < dayEnd) {
      today.add(e);
    } else {
      pending.add(e);
    }
  }

  private static Money usd(long cents) {
    return new Money(cents, CURRENCY);
  }

  // ---- card fraud scenarios ------------------------------------------------------------------

  private void compromiseTerminalsAndCards(long dayStart) {
    if (handbook) {
      for (int i = times(terminals.length / 5000.0); i > 0; i--) {
        terminals[random.nextInt(terminals.length)].compromisedUntil = dayStart + 28 * DAY;
      }
      for (int i = times(customers.size() * 3 / 5000.0); i > 0; i--) {
        customers.get(random.nextInt(customers.size())).cardCompromisedUntil = dayStart + 14 * DAY;
      }
      return;
    }
    // rates chosen so that about 1% of transactions are fraudulent (the Handbook: 0.84%)
    for (int i = times(terminals.length / 2000.0); i > 0; i--) {
      terminals[random.nextInt(terminals.length)].compromisedUntil = dayStart + 28 * DAY;
    }
    for (int i = times(customers.size() / 1200.0); i > 0; i--) {
      customers.get(random.nextInt(customers.size())).cardCompromisedUntil = dayStart + 14 * DAY;
    }
    for (int i = times(customers.size() / 4000.0); i > 0; i--) {
      customers.get(random.nextInt(customers.size())).takeoverAt =
          dayStart + random.nextLong(DAY);
    }
  }

  /** A whole number whose expectation is {@code mean}. */
  private int times(double mean) {
    int whole = (int) mean;
    return whole + (random.nextDouble() < mean - whole ? 1 : 0);
  }

  private static final String[] MCCS = {"5411", "5812", "5541", "5999", "5311", "5732", "4121",
      "5912", "7011", "5691"};
  private static final String[] COUNTRIES = {"FR", "GB", "NG", "BR", "RU", "CN", "MX"};

  private static final ZoneId[] ZONES_WEST_TO_EAST = {ZoneId.of("America/Los_Angeles"),
      ZoneId.of("America/Denver"), ZoneId.of("America/Chicago"), ZoneId.of("America/New_York")};

  /** The time zone of a place on the grid, by its west-east coordinate; null in the Handbook. */
  static ZoneId zoneAt(double x, boolean handbook) {
    if (handbook) {
      return null;
    }
    return ZONES_WEST_TO_EAST[x < 25 ? 0 : x < 45 ? 1 : x < 70 ? 2 : 3];
  }

  private static final class Terminal {
    final String id;
    final double x;
    final double y;
    final String mcc;
    final ZoneId zone;
    long compromisedUntil;

    Terminal(String id, double x, double y, String mcc, boolean handbook) {
      this.id = id;
      this.x = x;
      this.y = y;
      this.mcc = mcc;
      this.zone = zoneAt(x, handbook);
    }
  }

  private enum Payer { RELIABLE, STRUGGLING, CHAOTIC }

  private final class Customer {
    final String customer;
    final String account;
    final double x;
    final double y;
    final double meanAmount;
    final double sdAmount;
    final double txPerDay;
    final String device;
    final List<Terminal> nearby = new ArrayList<>();
    final Payer payer;
    final boolean depositsChecks;
    final ZoneId zone;
    /** Whether the core system sends this customer's zone (nine in ten). */
    final boolean zoneKnown;
    final long creditLimit;
    final int statementDay;
    boolean employed = true;
    long salary;
    int payday;
    long cardCompromisedUntil;
    long takeoverAt = Long.MIN_VALUE;
    boolean smsConsent;

    long balance;
    long cycleMinimumDue;
    long cycleDue = Long.MIN_VALUE;
    long cyclePaid;
    int daysPastDue;
    long lastDepositMax;
    /** The customer's own deposits so far (not counting fraud by others on the account). */
    int depositsMade;
    /** Whether the customer has once deposited a check meant to come back unpaid. */
    boolean bustedOut;
    boolean promiseOpen;
    /** With a chooser: when this customer was last contacted, newest last (7 days kept). */
    final ArrayDeque<Long> contacted = new ArrayDeque<>();
    /**
     * Financial strain, 0 (none) to 1: drifts day to day around the customer's own level, jumps
     * when income stops or a large bill comes, and eases when income comes back. It decides
     * paying in full, in part, late or not at all; the data shows only its effects.
     */
    double strain;
    double usualStrain;

    Customer(int i) {
      customer = String.format("c-%06d", i);
      account = String.format("a-%06d", i);
      x = random.nextDouble() * 100;
      y = random.nextDouble() * 100;
      zone = zoneAt(x, handbook);
      zoneKnown = zone != null && i % 10 != 9;
      meanAmount = 500 + random.nextDouble() * 9500; // cents
      sdAmount = meanAmount / 2;
      txPerDay = handbook ? random.nextDouble() * 4 : 0.3 + random.nextDouble() * 3.7;
      device = "d-" + Long.toString(random.nextLong() & Long.MAX_VALUE, 36);
      double p = random.nextDouble();
      payer = p < 0.85 ? Payer.RELIABLE : p < 0.96 ? Payer.STRUGGLING : Payer.CHAOTIC;
      // the Handbook's world has no credit: no draw, so its histories stay as they were
      usualStrain = handbook ? 0 : switch (payer) {
        case RELIABLE -> 0.05 + 0.3 * random.nextDouble();
        case STRUGGLING -> 0.2 + 0.4 * random.nextDouble();
        case CHAOTIC -> 0.35 + 0.45 * random.nextDouble();
      };
      strain = usualStrain;
      depositsChecks = random.nextDouble() < 0.25;
      creditLimit = (5 + random.nextInt(46)) * 100_00L;
      statementDay = random.nextInt(30);
      salary = (1500 + random.nextInt(4000)) * 100L;
      payday = random.nextInt(14);
      double radius = handbook ? 5 : 20;
      for (Terminal t : terminals) {
        if (Math.hypot(t.x - x, t.y - y) < radius) {
          nearby.add(t);
        }
      }
      if (nearby.isEmpty() && !handbook) {
        nearby.add(terminals[random.nextInt(terminals.length)]);
      }
    }

    /**
     * {@code sinceMidnight} after the start of the customer's local day that begins on the UTC
     * date of {@code dayStart} (DST-aware: a local time in a spring-forward gap moves forward);
     * UTC where the customer has no zone. Never before {@code dayStart}: the grid's zones all
     * trail UTC.
     */
    long local(long dayStart, long sinceMidnight) {
      if (zone == null) {
        return dayStart + sinceMidnight;
      }
      LocalDate date = Instant.ofEpochMilli(dayStart).atZone(ZoneOffset.UTC).toLocalDate();
      return date.atStartOfDay().plus(Duration.ofMillis(sinceMidnight)).atZone(zone)
          .toInstant().toEpochMilli();
    }

    void onboard(long start) {
      long at = start + random.nextLong(HOUR);
      // accounts opened over the past three years; a few brand new
      long opened = start - (random.nextDouble() < 0.05 ? random.nextLong(20 * DAY)
          : random.nextLong(3 * 365 * DAY));
      // a delinquent minority starts the period already behind
      if (payer != Payer.RELIABLE && random.nextDouble() < 0.25) {
        daysPastDue = 1 + random.nextInt(45);
        balance = creditLimit / 2 + random.nextLong(creditLimit / 2);
        cycleMinimumDue = Math.max(2_500, balance * 3 / 100);
        cycleDue = start + 20 * DAY;
      } else {
        balance = random.nextLong(creditLimit / 3);
      }
      if (zoneKnown) {
        now(at, this, new CustomerDetails(zone));
      }
      now(at, this, new AccountStatus(daysPastDue, usd(balance), opened));
      smsConsent = random.nextDouble() < 0.6;
      if (smsConsent) {
        now(at + MINUTE, this, new ConsentChange(ContactChannel.SMS, true));
      }
      if (random.nextDouble() < 0.8) {
        now(at + 2 * MINUTE, this, new ConsentChange(ContactChannel.EMAIL, true));
      }
      if (random.nextDouble() < 0.4) {
        now(at + 3 * MINUTE, this, new ConsentChange(ContactChannel.CALL, true));
      }
      if (payer != Payer.RELIABLE && random.nextDouble() < 0.2) {
        employed = false; // income already lost: a hardship signal the data can show
      }
    }

    void live(int d, long dayStart) {
      spend(dayStart);
      if (takeoverAt >= dayStart && takeoverAt < dayStart + DAY) {
        takeover(takeoverAt);
      }
      if (employed && (d % 14) == payday) {
        now(local(dayStart, 6 * HOUR + random.nextLong(HOUR)), this, new Transaction(usd(salary),
            Direction.CREDIT, Channel.ACH, "", "", "US", "", "employer-" + customer.hashCode() % 97));
      }
      // income shocks and recoveries: anyone may lose income (the less secure more often), and
      // most find it again within a few months; a large bill now and then; the holidays' bills
      // in January; otherwise strain drifts around the customer's usual level
      double loss = switch (payer) {
        case RELIABLE -> 0.0012;
        case STRUGGLING -> 0.002;
        case CHAOTIC -> 0.003;
      };
      if (employed && random.nextDouble() < loss) {
        employed = false;
        strain = Math.min(1, strain + 0.45);
        if (random.nextDouble() < 0.5) {
          now(dayStart + random.nextLong(DAY), this, new HardshipFlag(true, "job_loss"));
        }
      } else if (!employed && random.nextDouble() < 1.0 / 60) {
        employed = true;
        strain = Math.max(0, strain - 0.25);
      }
      if (random.nextDouble() < 0.004) {
        // circumstances change for good or ill (a move, a divorce, a raise): a new usual level
        usualStrain = 0.05 + 0.6 * random.nextDouble();
      }
      if (random.nextDouble() < 0.006) {
        strain = Math.min(1, strain + 0.25 + 0.25 * random.nextDouble());
      }
      if (Instant.ofEpochMilli(dayStart).atZone(ZoneOffset.UTC).getDayOfYear() == 5) {
        strain = Math.min(1, strain + 0.1 * random.nextDouble());
      }
      strain = Math.max(0, Math.min(1, strain + 0.02 * (usualStrain - strain)
          + 0.02 * random.nextGaussian()));
      if (depositsChecks && random.nextDouble() < 2.0 / 30) {
        deposit(local(dayStart, 8 * HOUR + random.nextLong(12 * HOUR)));
      }
      if (random.nextDouble() < 0.0005) {
        depositFraud(local(dayStart, 9 * HOUR + random.nextLong(10 * HOUR)));
      }
      // first-party deposit fraud: a customer who has deposited checks as usual for a while, now
      // under strain and without income (or under great strain), deposits one more that looks
      // like the others and spends it before it comes back unpaid (no draw from the shared
      // generator: everyone's history stays as it was)
      if (depositsChecks && !bustedOut && depositsMade >= 2 && strain > 0.6
          && (!employed || strain > 0.8) && firstParty.nextDouble() < 0.05) {
        bustOut(local(dayStart, 8 * HOUR + firstParty.nextLong(12 * HOUR)));
      }
      if (smsConsent && random.nextDouble() < 0.001) {
        smsConsent = false; // "STOP"
        now(dayStart + random.nextLong(DAY), this, new ConsentChange(ContactChannel.SMS, false));
      }
      credit(d, dayStart);
    }

    // ---- spending --------------------------------------------------------------------------

    void spend(long dayStart) {
      int n = poisson(txPerDay);
      for (int i = 0; i < n; i++) {
        long at = local(dayStart, 7 * HOUR + random.nextLong(16 * HOUR));
        // without skew, no extra draw: a seed gives the same history as before skew existed
        Terminal t;
        if (popularity != null && random.nextBoolean()) {
          if (config.merchantBursts() > 0 && random.nextDouble() < config.merchantBursts()) {
            t = terminals[0];
            at = burstStart(dayStart) + random.nextLong(Config.BURST_MINUTES * 60_000L);
          } else {
            t = popularMerchant();
          }
        } else {
          t = nearby.get(random.nextInt(nearby.size()));
        }
        long amount = Math.max(50, (long) (meanAmount + sdAmount * random.nextGaussian()));
        boolean fraud = false;
        if (cardCompromisedUntil > at && random.nextDouble() < 1.0 / 3) {
          amount *= 5;
          fraud = true;
        }
        if (t.compromisedUntil > at) {
          fraud = true;
        }
        if (amount > 220_00) {
          fraud = true; // the Handbook's scenario 1
        }
        Channel channel = random.nextDouble() < 0.25 ? Channel.ECOMMERCE
            : random.nextDouble() < 0.08 ? Channel.ATM : Channel.CARD_PRESENT;
        card(at, amount, channel, t, channel == Channel.ATM ? "6011" : t.mcc, "US",
            channel == Channel.ECOMMERCE ? device : "", fraud);
      }
    }

    /** The Handbook's generate_transactions_table, with its scenarios 1-3. */
    void spendAsTheHandbook(long dayStart) {
      if (nearby.isEmpty()) {
        return; // the Handbook's customers without a terminal in reach never transact
      }
      int n = poisson(txPerDay);
      for (int i = 0; i < n; i++) {
        long secondOfDay = Math.round(DAY / 2000.0 + 20_000 * random.nextGaussian());
        if (secondOfDay < 0 || secondOfDay >= DAY / 1000) {
          continue; // as the Handbook: times falling outside the day are dropped
        }
        long amount = Math.round(meanAmount + sdAmount * random.nextGaussian());
        if (amount < 0) {
          amount = (long) (random.nextDouble() * 2 * meanAmount);
        }
        amount = Math.max(1, amount); // a card transaction of 0.00 is not a valid event
        Terminal t = nearby.get(random.nextInt(nearby.size()));
        long at = dayStart + secondOfDay * 1000;
        boolean fraud = amount > 220_00 || t.compromisedUntil > at;
        if (cardCompromisedUntil > at && random.nextDouble() < 1.0 / 3) {
          amount *= 5;
          fraud = true;
        }
        card(at, amount, Channel.CARD_PRESENT, t, t.mcc, "US", "", fraud);
      }
    }

    void takeover(long at) {
      String stolenDevice = "d-ato-" + Long.toString(random.nextLong() & Long.MAX_VALUE, 36);
      String country = COUNTRIES[random.nextInt(COUNTRIES.length)];
      int burst = 3 + random.nextInt(6);
      long t = at;
      for (int i = 0; i < burst; i++) {
        t += random.nextLong(10 * MINUTE);
        Terminal merchant = terminals[random.nextInt(terminals.length)];
        card(t, (long) (meanAmount * (2 + random.nextDouble() * 4)), Channel.ECOMMERCE,
            merchant, "5732", country, stolenDevice, true);
      }
    }

    void card(long at, long amount, Channel channel, Terminal merchant, String mcc, String country,
        String deviceId, boolean fraud) {
      String id = nextId("t");
      add(new Event(id, at, account, customer, new Transaction(usd(amount), Direction.DEBIT,
          channel, merchant.id, mcc, country, deviceId, "", merchant.zone)));
      stats.transactions++;
      balance += amount;
      if (fraud) {
        stats.fraudulentTransactions++;
        if (handbook) {
          schedule(at + 7 * DAY, this, new FraudReport(id, merchant.id, at, false));
        } else if (random.nextDouble() < 0.95) { // most fraud is eventually reported
          // most reports come within days (the customer calls); chargebacks take weeks
          long delay = DAY + (long) Math.min(60.0 * DAY, -Math.log(1 - random.nextDouble()) * 4 * DAY);
          schedule(at + delay, this, new FraudReport(id, merchant.id, at,
              random.nextDouble() < 0.3));
        }
      }
    }

    // ---- deposits --------------------------------------------------------------------------

    void deposit(long at) {
      long amount = (long) Math.max(1_000, 15_000 + 40_000 * Math.abs(random.nextGaussian()));
      String check = Long.toString(nextCheckNumber++);
      String payer = "p-" + random.nextInt(1_000_000);
      String deposit = depositEvent(at, amount, routingNumber(random), payer, check,
          imageFingerprint(random),
          random.nextDouble() < 0.9 ? Endorsement.RESTRICTIVE : Endorsement.SIGNATURE_ONLY);
      lastDepositMax = Math.max(lastDepositMax, amount);
      depositsMade++;
      if (random.nextDouble() < 0.01) {
        returned(at, deposit, "NSF");
      }
    }

    /**
     * The customer's own check fraud, which looks normal until it does not: the usual kind of
     * check (a new payer, the usual endorsement, from the customer's own device), somewhat larger
     * than the largest before it but nowhere near the tenfold of a stranger's, then drawn at the
     * ATM and spent at the usual shops over the next day or two; it comes back unpaid. What gives
     * it away is the customer's circumstances (income gone, payments falling behind), not the
     * deposit.
     */
    void bustOut(long at) {
      bustedOut = true;
      stats.firstPartyDepositFrauds++;
      long amount = (long) (lastDepositMax * (1.2 + 1.3 * firstParty.nextDouble()));
      String deposit = depositEvent(at, amount, routingNumber(firstParty),
          "p-" + firstParty.nextInt(1_000_000), Long.toString(900_000 + firstParty.nextInt(99_999)),
          imageFingerprint(firstParty),
          firstParty.nextDouble() < 0.9 ? Endorsement.RESTRICTIVE : Endorsement.SIGNATURE_ONLY);
      long t = at;
      for (int i = 0; i < 3; i++) {
        // drawn from the deposit account (the card's own balance is not touched)
        t += 4 * HOUR + firstParty.nextLong(20 * HOUR);
        Terminal where = nearby.get(firstParty.nextInt(nearby.size()));
        boolean atm = i == 0 || firstParty.nextBoolean();
        add(new Event(nextId("t"), t, account, customer, new Transaction(usd(amount / 3),
            Direction.DEBIT, atm ? Channel.ATM : Channel.CARD_PRESENT, where.id,
            atm ? "6011" : where.mcc, "US", "", "", where.zone)));
        stats.transactions++;
      }
      returned(at, deposit, "NSF", firstParty);
    }

    /** One of the check-fraud patterns, chosen at random. */
    void depositFraud(long at) {
      double kind = random.nextDouble();
      String routing = routingNumber(random);
      String payer = "p-" + random.nextInt(1_000_000);
      String check = Long.toString(nextCheckNumber++);
      String image = imageFingerprint(random);
      long amount = 50_000 + random.nextLong(200_000);
      if (kind < 0.5) {
        // the same check on this account, then on an accomplice's (or again here)
        depositEvent(at, amount, routing, payer, check, image, Endorsement.SIGNATURE_ONLY);
        Customer other = random.nextDouble() < 0.7
            ? customers.get(random.nextInt(customers.size())) : this;
        long later = at + HOUR + random.nextLong(3 * DAY);
        String second = other.depositEvent(later, amount, routing, payer, check, image,
            Endorsement.MISSING);
        stats.duplicateDeposits++;
        other.returned(later, second, "DUPLICATE");
      } else {
        // far above the account's history, then cash out within hours
        long big = Math.max(amount, 10 * Math.max(lastDepositMax, 20_000));
        String deposit = depositEvent(at, big, routing, payer, check, image,
            Endorsement.SIGNATURE_ONLY);
        long t = at;
        for (int i = 0; i < 3; i++) {
          t += HOUR + random.nextLong(6 * HOUR);
          card(t, big / 4, Channel.ATM, nearby.get(0), "6011", "US", "", false);
        }
        returned(at, deposit, random.nextDouble() < 0.5 ? "ALTERED" : "NSF");
      }
    }

    String depositEvent(long at, long amount, String routing, String payer, String check,
        String image, Endorsement endorsement) {
      String depositId = nextId("dep");
      Event e = new Event(nextId("e"), at, account, customer, new CheckDeposit(depositId,
          usd(amount), routing, payer, check, image, endorsement, device));
      add(e);
      stats.deposits++;
      return depositId;
    }

    void returned(long depositAt, String depositId, String reason) {
      returned(depositAt, depositId, reason, random);
    }

    /** As {@link #returned(long, String, String)}, the delay drawn from {@code draws}. */
    void returned(long depositAt, String depositId, String reason, SplittableRandom draws) {
      stats.returnedDeposits++;
      schedule(depositAt + 2 * DAY + draws.nextLong(4 * DAY), this,
          new DepositReturn(depositId, reason, depositAt));
    }

    /** A routing number drawn from {@code draws}. */
    static String routingNumber(SplittableRandom draws) {
      return "0" + (10_000_000 + draws.nextInt(80_000_000));
    }

    /** A check image's fingerprint drawn from {@code draws}. */
    static String imageFingerprint(SplittableRandom draws) {
      return "img-" + Long.toString(draws.nextLong() & Long.MAX_VALUE, 36);
    }

    // ---- credit ----------------------------------------------------------------------------

    void credit(int d, long dayStart) {
      long at = dayStart + 2 * HOUR;
      if (d % 30 == statementDay) {
        statement(at);
      }
      if (cycleDue != Long.MIN_VALUE && dayStart >= cycleDue && cyclePaid < cycleMinimumDue
          && daysPastDue == 0) {
        daysPastDue = (int) ((dayStart - cycleDue) / DAY) + 1;
        stats.missedPayments++;
      } else if (daysPastDue > 0) {
        daysPastDue++;
      }
      if (daysPastDue > 0) {
        now(at + 30 * MINUTE, this, new AccountStatus(daysPastDue, usd(balance), 0));
        if (chooser == null) {
          collect(dayStart);
        } else if (daysPastDue % CYCLE_DAYS == 2 % CYCLE_DAYS) {
          treat(dayStart);
        }
        // some catch up on their own, the less strained the likelier
        if (!promiseOpen && (chooser == null || daysPastDue > 0)
            && random.nextDouble() < (employed ? 0.04 : 0.01) * (1 - strain)) {
          long owed = Math.max(0, cycleMinimumDue - cyclePaid);
          if (owed > 0) {
            long when = dayStart + 10 * HOUR + random.nextLong(8 * HOUR);
            if (chooser == null) {
              pay(when, owed, false);
            } else {
              settle(when, owed);
            }
          }
        }
      }
    }

    void statement(long at) {
      long minimum = balance <= 0 ? 0 : Math.max(2_500, balance * 3 / 100);
      long due = at + 25 * DAY;
      now(at, this, new Statement(usd(balance), usd(minimum), due, usd(creditLimit)));
      stats.statements++;
      cycleMinimumDue = minimum;
      cycleDue = due;
      cyclePaid = 0;
      if (minimum == 0) {
        return;
      }
      // paying depends on this month's strain and income, not on a fixed type: a reliable payer
      // under strain misses, a chaotic one in a good month pays
      double payProbability = Math.max(0.05, Math.min(0.99, 1.05 - strain));
      if (!employed) {
        payProbability *= 0.5;
      }
      if (random.nextDouble() < payProbability) {
        long amount = strain < 0.3 && random.nextDouble() < 0.7 ? balance : minimum;
        if (random.nextDouble() < strain * 0.4) {
          amount = minimum * (4 + random.nextInt(5)) / 10; // a part of what is due
        }
        // usually well before the due date; under strain sometimes days after it
        long days = 3 + random.nextLong(20) + (random.nextDouble() < strain * 0.5
            ? 5 + random.nextLong(12) : 0);
        long when = at + days * DAY + random.nextLong(DAY);
        pay(when, Math.max(1, amount), random.nextDouble() < 0.12 * strain);
      }
    }

    void pay(long when, long amount, boolean bounces) {
      String id = nextId("pay");
      schedule(when, this, new Payment(id, usd(amount), false, ""));
      if (when <= cycleDue) {
        cyclePaid += amount; // known to the simulator now; the profile learns it when it arrives
      }
      balance -= amount;
      if (bounces) {
        schedule(when + 2 * DAY, this, new Payment(id, usd(amount), true, "R01"));
        if (when <= cycleDue) {
          cyclePaid -= amount;
        }
        balance += amount;
      } else if (cyclePaid >= cycleMinimumDue) {
        long cured = Math.max(when, cycleDue) + HOUR;
        daysPastDue = 0;
        schedule(cured, this, new AccountStatus(0, usd(balance), 0));
      }
    }

    void collect(long dayStart) {
      long at = local(dayStart, 9 * HOUR + random.nextLong(10 * HOUR));
      if (random.nextDouble() < 0.6) {
        boolean reached = random.nextDouble() < 0.25;
        now(at, this, new ContactAttempt(ContactChannel.CALL, reached));
        if (reached && !promiseOpen && random.nextDouble() < 0.7) {
          promise(at + 5 * MINUTE);
        }
      } else if (smsConsent) {
        now(at, this, new ContactAttempt(ContactChannel.SMS, false));
      }
    }

    // ---- treatments (with a chooser) -------------------------------------------------------

    /** This cycle's treatment, as the chooser decides, and the customer's response. */
    void treat(long dayStart) {
      TreatmentChooser.Choice choice = chooser.choose(account, customer, dayStart);
      if (choice.action() == TreatmentChooser.Action.NONE) {
        return;
      }
      long at = Math.max(local(dayStart, 9 * HOUR + responses.nextLong(10 * HOUR)),
          choice.earliestMillis());
      if (at >= dayStart + DAY) {
        return; // put off past today (a call Regulation F holds back): the next cycle decides
      }
      stats.treatments++;
      ContactChannel channel = choice.channel();
      while (!contacted.isEmpty() && contacted.peekFirst() <= at - 7 * DAY) {
        contacted.pollFirst();
      }
      contacted.addLast(at);
      // a call reaches the customer a third of the time; a text, an email, a letter is read
      boolean reached = responses.nextDouble() < switch (channel) {
        case CALL -> 0.35;
        case SMS -> 0.6;
        case EMAIL -> 0.4;
        case LETTER -> 0.5;
        case PUSH -> 0.3;
      };
      now(at, this, new ContactAttempt(channel, channel == ContactChannel.CALL && reached));
      boolean canPay = employed && strain < 0.45;
      long owed = Math.max(2_500, cycleMinimumDue - cyclePaid);
      double complaint = Math.max(0, contacted.size() - 2) * 0.1;
      if (reached) {
        switch (choice.action()) {
          case REMINDER -> {
            if (responses.nextDouble() < (canPay ? 0.55 : 0.05)) {
              settle(at + responses.nextLong(3 * DAY) + HOUR, owed);
            }
          }
          case PAYMENT_PLAN_OFFER, HARDSHIP_REFERRAL -> {
            if (choice.action() == TreatmentChooser.Action.HARDSHIP_REFERRAL) {
              strain = Math.max(0, strain - 0.15);
            }
            // an affordable first instalment, half of what is due: taken by those who need it
            if (responses.nextDouble() < (canPay ? 0.3 : 0.7)) {
              long instalment = Math.max(2_500, owed / 2);
              double keep = (0.95 - 0.35 * strain) * (employed ? 1 : 0.85);
              commit(at + 5 * MINUTE, instalment, keep);
            }
          }
          case DEBT_COUNSELLING_REFERRAL -> strain = Math.max(0, strain - 0.1);
          case AGENT_CALL, ESCALATION -> {
            if (channel == ContactChannel.CALL) {
              // a promise of what is due, kept as circumstances allow; pressure on one who
              // cannot pay draws complaints
              if (responses.nextDouble() < 0.7) {
                double keep = Math.max(0.1, 1.0 - strain) * (employed ? 1 : 0.5);
                commit(at + 5 * MINUTE, owed, keep);
              }
              if (!canPay) {
                complaint += choice.action() == TreatmentChooser.Action.ESCALATION ? 0.3 : 0.2;
              }
            } else if (responses.nextDouble() < (canPay ? 0.3 : 0.03)) {
              // no call consent: a message asking to call back, as a firmer reminder
              settle(at + responses.nextLong(3 * DAY) + HOUR, owed);
            }
          }
          case NONE -> { }
        }
      }
      if (channel != ContactChannel.LETTER && responses.nextDouble() < complaint) {
        stats.complaints++;
        if (channel == ContactChannel.SMS) {
          smsConsent = false;
        }
        now(at + 10 * MINUTE, this, new ConsentChange(channel, false));
      }
    }

    /** A promise (or a plan's first instalment) of {@code amount}, kept with {@code keep}. */
    void commit(long at, long amount, double keep) {
      now(at, this, new PromiseToPay(usd(amount), at + 7 * DAY));
      if (responses.nextDouble() < keep) {
        settle(at + responses.nextLong(6 * DAY) + HOUR, amount);
      }
    }

    /**
     * A payment that brings the account current (what is due, or an agreed instalment that the
     * lender accepts as such): paid at {@code when}, the account current an hour later.
     */
    void settle(long when, long amount) {
      schedule(when, this, new Payment(nextId("pay"), usd(amount), false, ""));
      balance -= amount;
      cyclePaid = Math.max(cyclePaid, cycleMinimumDue);
      daysPastDue = 0;
      schedule(when + HOUR, this, new AccountStatus(0, usd(balance), 0));
    }

    void promise(long at) {
      long amount = Math.max(cycleMinimumDue, 2_500);
      long due = at + 7 * DAY;
      now(at, this, new PromiseToPay(usd(amount), due));
      promiseOpen = true;
      // kept as circumstances allow: strain and income, not a fixed type
      double keep = Math.max(0.1, Math.min(0.9, 1.0 - strain));
      if (!employed) {
        keep *= 0.6;
      }
      if (random.nextDouble() < keep) {
        cyclePaid = Math.max(cyclePaid, cycleMinimumDue - amount);
        pay(at + random.nextLong(6 * DAY) + HOUR, amount, false);
        daysPastDue = 0;
      }
      promiseOpen = false;
    }

    private int poisson(double mean) {
      double l = Math.exp(-mean);
      int k = 0;
      double p = 1;
      do {
        k++;
        p *= random.nextDouble();
      } while (p > l);
      return k - 1;
    }
  }

}
