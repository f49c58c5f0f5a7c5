package dev.vigil.features.profile;

import dev.vigil.features.event.Event.CheckDeposit;
import dev.vigil.features.event.Event.ContactChannel;
import dev.vigil.features.event.Event.Endorsement;
import dev.vigil.features.event.Event.Transaction;
import dev.vigil.features.state.Cycle;
import dev.vigil.features.state.LedgerEntry;
import dev.vigil.features.state.Promise;
import dev.vigil.features.window.Hashing;
import dev.vigil.features.window.Timeline;
import dev.vigil.features.window.Timeline.Aggregate;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.DayOfWeek;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Every feature Vigil computes: its name, the task it serves, what it means, and its one
 * definition, a function of {@link FeatureInputs} as of a time T. The streaming job, the scoring
 * service and training all call these definitions; nothing else computes a feature.
 *
 * <p>Windows are {@code (T - W, T]} with the boundary error documented on {@link Timeline} (at most
 * 1/60 of the window, at the old edge). Amounts are minor units of the account's currency. No
 * feature uses, or could use, a protected characteristic: the events carry none.
 */
public final class FeatureCatalogue {
  /**
   * Bumped whenever a definition changes meaning; part of every feature-schema fingerprint.
   * 2: the calendar features are judged in local time ({@link LocalCalendar}), no longer in UTC.
   * 3: missed payments and kept or broken promises are derived from the cycles, payments and
   * promises kept, whatever order they came in (exact due dates, no bucket slack; up to 16
   * promises, not 8 open ones).
   */
  public static final int VERSION = 3;

  private static final long MINUTE = 60_000L;
  private static final long HOUR = 60 * MINUTE;
  private static final long DAY = 24 * HOUR;
  private static final double NEVER_SECONDS = 30 * 86_400;
  private static final double NEVER_DAYS = 365;

  /**
   * The scoring tasks; each has its own feature set and model. Mapped to the wire's {@code
   * vigil.v1.Task} here and nowhere else.
   */
  public enum Task {
    FRAUD(dev.vigil.proto.v1.Task.TASK_FRAUD),
    DEPOSIT(dev.vigil.proto.v1.Task.TASK_DEPOSIT),
    /** Early warning: a current account 30 or more days past due within 90 days. */
    DELINQUENCY(dev.vigil.proto.v1.Task.TASK_DELINQUENCY),
    /**
     * Collections: an account already past due that is not back to current within 30 days (the
     * adverse outcome, so that, as for every task, a higher probability is worse and the reasons
     * explain the adverse side; the probability of curing is 1 minus it). Its features are the
     * delinquency features, the same definitions.
     */
    CURE(dev.vigil.proto.v1.Task.TASK_CURE),
    /**
     * Collections, beside the cure model: an account already past due that is reported in a later
     * 30-day bucket of days past due within 30 days (1-29 to 30-59, 30-59 to 60-89, and so on to
     * charge-off). Near a bucket's end an account can be likely to cure and still likely to roll
     * first. Its features are the delinquency features, the same definitions.
     */
    ROLL(dev.vigil.proto.v1.Task.TASK_ROLL);

    private final String id = name().toLowerCase(java.util.Locale.ROOT);
    private final dev.vigil.proto.v1.Task wire;

    Task(dev.vigil.proto.v1.Task wire) {
      this.wire = wire;
    }

    /** The task's name in model ids, registry folders, metrics labels and commands: lower case. */
    public String id() {
      return id;
    }

    /**
     * Whether the task scores accounts as of dates, labelled by what their statuses report within
     * a horizon after (delinquency, cure, roll), rather than events as they arrive (fraud,
     * deposits).
     */
    public boolean asOfDates() {
      return this == DELINQUENCY || this == CURE || this == ROLL;
    }

    /** Whether the task scores accounts already past due ({@link #pastDue}): cure and roll. */
    public boolean pastDueAccounts() {
      return this == CURE || this == ROLL;
    }

    /** This task as the wire spells it. */
    public dev.vigil.proto.v1.Task wire() {
      return wire;
    }

    /**
     * The task a wire value names.
     *
     * @param wire a value read from the wire
     * @return the task it names
     * @throws IllegalArgumentException naming the value, for {@code TASK_UNSPECIFIED} and values
     *     this build does not know ({@code UNRECOGNIZED})
     */
    public static Task of(dev.vigil.proto.v1.Task wire) {
      for (Task task : values()) {
        if (task.wire == wire) {
          return task;
        }
      }
      throw new IllegalArgumentException("task: " + wire + " names no task");
    }
  }

  /** Which values of a feature are adverse: higher ones, lower ones, or unusual ones either way. */
  public enum Adverse { HIGHER, LOWER, EITHER }

  /**
   * What a feature says when it is a reason for a score: its stable code, which of its values are
   * adverse, and the text a lender can show (true of any value on the adverse side of the
   * population's typical one, so it compares with what is typical). A feature that is never a
   * reason (contact counts, consent: nothing about the customer's risk a lender could show)
   * has none.
   */
  public record ReasonFact(String code, Adverse adverse, String text, History history) {
    /** A reason whose feature is measured on every request (no window that can be empty). */
    public ReasonFact(String code, Adverse adverse, String text) {
      this(code, adverse, text, null);
    }

    /** The same reason, for a feature that has no history when {@code history} says so. */
    ReasonFact measuredWith(History evidence) {
      return new ReasonFact(code, adverse, text, evidence);
    }
  }

  /**
   * How to tell, from a feature vector alone, that a feature's value is its window's default
   * rather than a measurement (a mean of 0, a ratio of 1, a count of 0 when the window holds
   * nothing): the companion count feature of the same window, and the least count at which the
   * feature measures anything. Such a value is never a reason: it says only that there is no
   * history, which no text about the customer's behaviour describes.
   *
   * @param count the count feature of the same window (the feature itself, for a count)
   * @param least the count below which the feature's value is its default
   */
  public record History(String count, int least) {
    /** Whether the feature measures something, given its companion count's value. */
    public boolean measured(double countValue) {
      return countValue >= least;
    }
  }

  /**
   * One named feature, and the facts about it: its description, what it reads, how it is
   * computed, and what it says as a reason.
   *
   * @param reads the entity whose profile the feature reads; null when it reads only the event
   *     being scored
   * @param reason what the feature says as a reason; null when it is never one
   */
  public record Feature(String name, Task task, String description, EntityType reads,
      ToDoubleFunction<FeatureInputs> definition, ReasonFact reason) {
    public double valueOf(FeatureInputs in) {
      return definition.applyAsDouble(in);
    }
  }

  /**
   * A feature of one task's set, resolved by name when it was taken ({@link FeatureSet#handle}):
   * read by position from a feature vector, or by name from a map of values.
   */
  public record Handle(Task task, int index, String name) {
    /** The feature's value in {@code values}, a vector of its task's set. */
    public double in(double[] values) {
      return values[index];
    }

    /**
     * The feature's value in {@code values} (name to value), or {@code absent} when the map has
     * none (a stand-in assessment computes no features).
     */
    public double in(java.util.Map<String, Double> values, double absent) {
      Double v = values.get(name);
      return v == null ? absent : v;
    }
  }

  /** The ordered features of one task, as models consume them. */
  public static final class FeatureSet {
    private final Task task;
    private final List<Feature> features;
    private final List<String> names;
    private final String fingerprint;

    FeatureSet(Task task, List<Feature> features) {
      for (Feature f : features) {
        if (f.reason() == Marks.NOT_DECLARED) {
          throw new IllegalStateException(f.name() + ": declare its reason (.because(higher(...)),"
              + " lower, either) or .because(notAReason())");
        }
      }
      this.task = task;
      this.features = List.copyOf(features);
      this.names = this.features.stream().map(Feature::name).toList();
      this.fingerprint = fingerprint(task, names);
    }

    public Task task() {
      return task;
    }

    public List<Feature> features() {
      return features;
    }

    public List<String> names() {
      return names;
    }

    /**
     * Identifies the feature schema: task, catalogue version, names and order. A model trained on
     * another schema must be refused.
     */
    public String fingerprint() {
      return fingerprint;
    }

    /**
     * A handle on the feature {@code name} of this set, to be taken once, where the code that
     * reads it is loaded ({@code static final}): a feature renamed or removed from the catalogue
     * then fails that class's loading, and every test that touches it, instead of reading as a
     * silent default.
     *
     * @throws IllegalArgumentException if this set has no feature of that name
     */
    public Handle handle(String name) {
      int index = names.indexOf(name);
      if (index < 0) {
        throw new IllegalArgumentException("no feature " + name + " in the " + task
            + " feature set (catalogue version " + VERSION + ")");
      }
      return new Handle(task, index, name);
    }

    /**
     * The named features only, in the order given: for ablations and comparisons. Its fingerprint
     * differs from this set's, so a model trained on it is never served for the task.
     */
    public FeatureSet only(List<String> wanted) {
      var chosen = new java.util.ArrayList<Feature>();
      for (String name : wanted) {
        chosen.add(features.stream().filter(f -> f.name().equals(name)).findFirst()
            .orElseThrow(() -> new IllegalArgumentException(
                "feature " + name + " is not in the " + task + " set")));
      }
      return new FeatureSet(task, chosen);
    }

    public double[] vector(FeatureInputs in) {
      double[] v = new double[features.size()];
      for (int i = 0; i < v.length; i++) {
        v[i] = features.get(i).definition.applyAsDouble(in);
      }
      return v;
    }

    private static String fingerprint(Task task, List<String> names) {
      try {
        var sha = MessageDigest.getInstance("SHA-256");
        sha.update((task + "|" + VERSION + "|" + String.join(",", names))
            .getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(sha.digest(), 0, 12);
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  public static final FeatureSet FRAUD = complete(new FeatureSet(Task.FRAUD, fraud()));
  public static final FeatureSet DEPOSIT = complete(new FeatureSet(Task.DEPOSIT, deposit()));
  public static final FeatureSet DELINQUENCY =
      complete(new FeatureSet(Task.DELINQUENCY, delinquency(Task.DELINQUENCY)));
  /** The cure model's features: the delinquency features, the same definitions and order. */
  public static final FeatureSet CURE = complete(new FeatureSet(Task.CURE, delinquency(Task.CURE)));
  /** The roll model's features: the delinquency features, the same definitions and order. */
  public static final FeatureSet ROLL = complete(new FeatureSet(Task.ROLL, delinquency(Task.ROLL)));
  /**
   * The raw-statement baseline for delinquency: per statement, the last {@link #RAW_CYCLES}
   * cycles' balance, credit limit, minimum due, amount paid and days past due, as a lender's
   * statement file has them (and as the public card-default books publish them). Computed by the
   * same fold, as of the same times; for comparisons only (its fingerprint is not the task's, so a
   * model trained on it is never served).
   */
  public static final FeatureSet RAW_STATEMENTS_DELINQUENCY =
      new FeatureSet(Task.DELINQUENCY, rawStatements(Task.DELINQUENCY));
  /** As {@link #RAW_STATEMENTS_DELINQUENCY}, for the cure model. */
  public static final FeatureSet RAW_STATEMENTS_CURE =
      new FeatureSet(Task.CURE, rawStatements(Task.CURE));
  /** Statement cycles in the raw-statement baseline. */
  public static final int RAW_CYCLES = 6;

  /** A task's whole set, refused when a feature's history count is not one of its features. */
  private static FeatureSet complete(FeatureSet set) {
    for (Feature f : set.features()) {
      History h = f.reason() == null ? null : f.reason().history();
      if (h != null && !set.names().contains(h.count())) {
        throw new IllegalStateException(f.name() + ": its history count " + h.count()
            + " is no " + set.task() + " feature");
      }
    }
    return set;
  }

  private FeatureCatalogue() {}

  public static FeatureSet of(Task task) {
    return switch (task) {
      case FRAUD -> FRAUD;
      case DEPOSIT -> DEPOSIT;
      case DELINQUENCY -> DELINQUENCY;
      case CURE -> CURE;
      case ROLL -> ROLL;
    };
  }

  /**
   * A task's feature set by name: {@code default} (the task's own, {@link #of}) or {@code
   * raw-statements} (delinquency and cure: {@link #RAW_STATEMENTS_DELINQUENCY}).
   *
   * @throws IllegalArgumentException naming the set, when the task has none of that name
   */
  public static FeatureSet named(Task task, String name) {
    return switch (name) {
      case "default" -> of(task);
      case "raw-statements" -> switch (task) {
        case DELINQUENCY -> RAW_STATEMENTS_DELINQUENCY;
        case CURE -> RAW_STATEMENTS_CURE;
        default -> throw new IllegalArgumentException("features: raw-statements is a delinquency"
            + " and cure baseline, not a " + task.id() + " one");
      };
      default -> throw new IllegalArgumentException("features: \"" + name + "\" is not default or"
          + " raw-statements");
    };
  }

  /**
   * Whether the account has a payment past due as of the inputs' time (days past due above 0, as
   * last reported): the one test of which delinquency model answers for it (the cure model when
   * past due, the early-warning model when current) and of which training set its rows are in.
   */
  public static boolean pastDue(FeatureInputs in) {
    return daysPastDue(in) > 0;
  }

  /**
   * Every feature of every task, each once: the cure set's features are the delinquency set's
   * (the same definitions), listed as delinquency's.
   */
  public static List<Feature> all() {
    var all = new ArrayList<Feature>();
    all.addAll(FRAUD.features());
    all.addAll(DEPOSIT.features());
    all.addAll(DELINQUENCY.features());
    return all;
  }

  // ---- transaction fraud -----------------------------------------------------------------

  private static List<Feature> fraud() {
    var f = new Features(Task.FRAUD);
    for (long[] w : new long[][] {{1, HOUR}, {24, HOUR}, {7, DAY}, {30, DAY}}) {
      String label = label(w);
      long width = w[0] * w[1];
      f.add("acct_txn_count_" + label, "Debit transactions on the account in the last " + label,
          in -> in.account().debits.count(in.asOfMillis() - width, in.asOfMillis()))
          .because(higher("VELOCITY_" + label.toUpperCase(Locale.ROOT),
              "More transactions on the account in the last " + span(label) + " than is typical"));
    }
    for (long[] w : new long[][] {{1, HOUR}, {24, HOUR}, {7, DAY}}) {
      String label = label(w);
      long width = w[0] * w[1];
      f.add("acct_txn_sum_" + label, "Amount spent on the account in the last " + label + " (minor units)",
          in -> in.account().debits.sum(in.asOfMillis() - width, in.asOfMillis()))
          .because(higher("SPEND_" + label.toUpperCase(Locale.ROOT),
              "More spent on the account in the last " + span(label) + " than is typical"));
    }
    f.add("acct_txn_mean_7d", "Mean debit amount over 7 days (minor units)",
        in -> debits(in, 7 * DAY).mean())
        .because(either("AVERAGE_SPEND_7D",
            "Unusual average transaction amount over 7 days")
            .measuredWith(new History("acct_txn_count_7d", 1)));
    f.add("acct_txn_mean_30d", "Mean debit amount over 30 days (minor units)",
        in -> debits(in, 30 * DAY).mean())
        .because(either("AVERAGE_SPEND_30D",
            "Unusual average transaction amount over 30 days")
            .measuredWith(new History("acct_txn_count_30d", 1)));
    f.add("acct_txn_max_30d", "Largest debit over 30 days",
        in -> debits(in, 30 * DAY).maxOrZero())
        .because(higher("LARGEST_SPEND_30D",
            "Largest transaction of the last 30 days higher than is typical")
            .measuredWith(new History("acct_txn_count_30d", 1)));
    f.reading(null).add("txn_amount", "Amount of the transaction being scored (minor units)",
        FeatureCatalogue::txnAmount)
        .because(higher("AMOUNT",
            "Transaction amount higher than is typical"));
    f.reading(EntityType.ACCOUNT).add("txn_amount_zscore_30d",
        "Standard deviations of the amount above the account's 30-day mean (0 with under 2 debits)",
        in -> {
          Aggregate a = debits(in, 30 * DAY);
          if (a.count() < 2) {
            return 0;
          }
          double z = (txnAmount(in) - a.mean()) / Math.max(a.standardDeviation(), 1.0);
          return Math.max(-50, Math.min(50, z));
        })
        .because(higher("AMOUNT_UNUSUAL",
            "Amount further above the account's usual spending than is typical")
            .measuredWith(new History("acct_txn_count_30d", 2)));
    f.add("txn_amount_to_mean_30d", "Amount over the account's 30-day mean debit (1 without history)",
        in -> {
          Aggregate a = debits(in, 30 * DAY);
          return a.count() == 0 ? 1.0 : txnAmount(in) / Math.max(a.mean(), 1.0);
        })
        .because(higher("AMOUNT_ABOVE_AVERAGE",
            "Amount large compared with the account's average transaction")
            .measuredWith(new History("acct_txn_count_30d", 1)));
    f.add("secs_since_prev_txn", "Seconds since the account's previous debit (capped at 30 days)",
        in -> {
          long last = in.account().lastDebitMillis;
          if (last == Long.MIN_VALUE) {
            return NEVER_SECONDS;
          }
          return Math.min(NEVER_SECONDS, Math.max(0, in.asOfMillis() - last) / 1000.0);
        })
        .because(lower("TIME_SINCE_LAST",
            "Less time than is typical since the previous transaction"));
    f.add("merchant_new_90d", "The merchant was not used by the account in the last 90 days",
        in -> txn(in) != null && !txn(in).merchantId().isEmpty()
            && !in.account().merchants.seen(Hashing.of(txn(in).merchantId()),
                in.asOfMillis() - 90 * DAY, in.asOfMillis()) ? 1 : 0)
        .because(higher("NEW_MERCHANT",
            "Merchant not used by the account in 90 days"));
    f.add("device_new_90d", "The device was not used by the account in the last 90 days",
        in -> txn(in) != null && !txn(in).deviceId().isEmpty()
            && !in.account().devices.seen(Hashing.of(txn(in).deviceId()),
                in.asOfMillis() - 90 * DAY, in.asOfMillis()) ? 1 : 0)
        .because(higher("NEW_DEVICE",
            "Device not used by the account in 90 days"));
    f.add("country_new_90d", "The country was not seen on the account in the last 90 days",
        in -> txn(in) != null && !txn(in).country().isEmpty()
            && !in.account().countries.seen(Hashing.of(txn(in).country()),
                in.asOfMillis() - 90 * DAY, in.asOfMillis()) ? 1 : 0)
        .because(higher("NEW_COUNTRY",
            "Country not seen on the account in 90 days"));
    f.add("cnp_share_30d", "Share of the account's 30-day debits made card-not-present",
        in -> {
          long n = in.account().debits.count(in.asOfMillis() - 30 * DAY, in.asOfMillis());
          return n == 0 ? 0 : (double) in.account().cardNotPresent.count(
              in.asOfMillis() - 30 * DAY, in.asOfMillis()) / n;
        })
        .because(higher("CARD_NOT_PRESENT_SHARE",
            "Higher share of card-not-present transactions than is typical")
            .measuredWith(new History("acct_txn_count_30d", 1)));
    f.reading(null).add("txn_card_not_present",
        "The transaction is card-not-present (e-commerce, phone, mail)",
        in -> txn(in) != null && txn(in).cardNotPresent() ? 1 : 0)
        .because(higher("CARD_NOT_PRESENT",
            "Card-not-present transaction"));
    f.add("txn_cash", "The transaction takes cash (ATM or quasi-cash merchant)",
        in -> txn(in) != null && txn(in).cashAdvance() ? 1 : 0)
        .because(higher("CASH",
            "Cash or quasi-cash transaction"));
    f.add("txn_night", "The transaction happens between 00:00 and 05:59 ("
            + LocalCalendar.RULE + ")",
        in -> LocalCalendar.of(in).at(in.asOfMillis()).getHour() < 6 ? 1 : 0)
        .because(higher("NIGHT_TIME",
            "Transaction at night"));
    f.add("txn_weekend", "The transaction happens on a Saturday or Sunday ("
            + LocalCalendar.RULE + ")",
        in -> {
          DayOfWeek d = LocalCalendar.of(in).at(in.asOfMillis()).getDayOfWeek();
          return d == DayOfWeek.SATURDAY || d == DayOfWeek.SUNDAY ? 1 : 0;
        })
        .because(higher("WEEKEND",
            "Transaction at the weekend"));
    f.reading(EntityType.ACCOUNT).add("acct_distinct_merchants_24h",
        "Distinct merchants used by the account in 24 hours",
        in -> in.account().merchants.distinct(in.asOfMillis() - DAY, in.asOfMillis()))
        .because(higher("MANY_MERCHANTS_24H",
            "More different merchants in 24 hours than is typical"));
    f.reading(EntityType.MERCHANT);
    for (long days : new long[] {1, 7, 30}) {
      f.add("merchant_txn_count_" + days + "d",
          "Transactions at the merchant/terminal over " + days + " day(s) ending one label delay ago",
          in -> merchantWindow(in, days * DAY, in.merchant().transactions))
          .because(either("MERCHANT_VOLUME_" + days + "D",
              "Unusual transaction volume at this merchant or terminal over the last "
                  + span(days + "d"))
              .measuredWith(new History("merchant_txn_count_" + days + "d", 1)));
    }
    for (long days : new long[] {1, 7, 30}) {
      f.add("merchant_fraud_rate_" + days + "d",
          "Share of the merchant's transactions over " + days + " day(s) ending one label delay ago"
              + " reported as fraud by now",
          in -> {
            double n = merchantWindow(in, days * DAY, in.merchant().transactions);
            return n == 0 ? 0 : merchantWindow(in, days * DAY, in.merchant().frauds) / n;
          })
          .because(higher("MERCHANT_FRAUD_" + days + "D",
              "Fraud reported at this merchant or terminal in the last " + span(days + "d"))
              .measuredWith(new History("merchant_txn_count_" + days + "d", 1)));
    }
    f.reading(EntityType.DEVICE).add("device_distinct_accounts_7d", "Distinct accounts the device served in 7 days (capped at 64)",
        in -> in.device().accounts.distinct(in.asOfMillis() - 7 * DAY, in.asOfMillis()))
        .because(higher("DEVICE_MANY_ACCOUNTS",
            "Device used by more accounts than is typical"));
    f.reading(EntityType.CUSTOMER).add("customer_txn_count_24h", "Debits across all the customer's accounts in 24 hours",
        in -> in.customer().transactions.count(in.asOfMillis() - DAY, in.asOfMillis()))
        .because(higher("CUSTOMER_VELOCITY_24H",
            "More transactions across the customer's accounts in 24 hours than is typical"));
    return f.list;
  }

  // ---- check deposits ----------------------------------------------------------------------

  private static List<Feature> deposit() {
    var f = new Features(Task.DEPOSIT);
    for (long days : new long[] {1, 7, 30}) {
      String label = days == 1 ? "24h" : days + "d";
      f.add("acct_deposit_count_" + label, "Check deposits on the account in the last " + label,
          in -> in.account().deposits.count(in.asOfMillis() - days * DAY, in.asOfMillis()))
          .because(higher("DEPOSIT_VELOCITY_" + label.toUpperCase(Locale.ROOT),
              "More check deposits in the last " + span(label) + " than is typical"));
      f.add("acct_deposit_sum_" + label, "Amount deposited by check in the last " + label + " (minor units)",
          in -> in.account().deposits.sum(in.asOfMillis() - days * DAY, in.asOfMillis()))
          .because(higher("DEPOSIT_AMOUNT_" + label.toUpperCase(Locale.ROOT),
              "More deposited by check in the last " + span(label) + " than is typical"));
    }
    f.reading(null).add("deposit_amount", "Amount of the deposit being scored (minor units)",
        FeatureCatalogue::depositAmount)
        .because(higher("DEPOSIT_AMOUNT",
            "Deposit amount higher than is typical"));
    f.reading(EntityType.ACCOUNT).add("deposit_history_count_90d", "Check deposits on the account in 90 days",
        in -> deposits90(in).count())
        .because(lower("DEPOSIT_HISTORY",
            "Less check-deposit history on the account than is typical"));
    f.add("deposit_amount_to_mean_90d",
        "Amount over the account's 90-day mean deposit (0 without history)",
        in -> {
          Aggregate a = deposits90(in);
          return a.count() == 0 ? 0 : depositAmount(in) / Math.max(a.mean(), 1.0);
        })
        .because(higher("DEPOSIT_ABOVE_AVERAGE",
            "Deposit large compared with the account's average deposit")
            .measuredWith(new History("deposit_history_count_90d", 1)));
    f.add("deposit_amount_to_max_90d",
        "Amount over the account's largest deposit in 90 days (0 without history)",
        in -> {
          Aggregate a = deposits90(in);
          return a.count() == 0 ? 0 : depositAmount(in) / Math.max(a.maxOrZero(), 1.0);
        })
        .because(higher("DEPOSIT_ABOVE_LARGEST",
            "Deposit large compared with the account's largest recent deposit")
            .measuredWith(new History("deposit_history_count_90d", 1)));
    f.add("account_age_days", "Days since the account was opened (or first seen)",
        in -> {
          AccountProfile a = in.account();
          long since = a.openedMillis != 0 ? a.openedMillis : a.firstSeenMillis;
          return since == Long.MIN_VALUE ? 0 : Math.max(0, in.asOfMillis() - since) / (double) DAY;
        })
        .because(lower("NEW_ACCOUNT",
            "Account opened more recently than is typical"));
    f.reading(EntityType.CHECK).add("check_seen_same_account",
        "This check (MICR line or image) was deposited before on this account",
        in -> duplicates(in).sameAccount() ? 1 : 0)
        .because(higher("DUPLICATE_SAME_ACCOUNT",
            "Check already deposited on this account"));
    f.add("check_seen_other_account",
        "This check (MICR line or image) was deposited before on another account",
        in -> duplicates(in).otherAccount() ? 1 : 0)
        .because(higher("DUPLICATE_PRESENTMENT",
            "Check already deposited on another account"));
    f.reading(EntityType.ACCOUNT).add("acct_returned_deposits_90d", "Deposits returned unpaid on the account in 90 days",
        in -> in.account().returnedDeposits.count(in.asOfMillis() - 90 * DAY, in.asOfMillis()))
        .because(higher("RETURNED_DEPOSITS",
            "Deposits returned unpaid in the last 90 days"));
    f.add("acct_duplicate_presentments_90d",
        "Duplicate check presentments on the account in 90 days",
        in -> in.account().duplicatePresentments.count(in.asOfMillis() - 90 * DAY, in.asOfMillis()))
        .because(higher("PRIOR_DUPLICATES",
            "Duplicate check presentments on the account in 90 days"));
    f.add("money_out_24h_after_deposit",
        "Amount debited in the 24 hours after the account's previous deposit (minor units)",
        in -> {
          long d = in.account().lastDepositMillis;
          if (d == Long.MIN_VALUE || d > in.asOfMillis()) {
            return 0;
          }
          return in.account().debits.sum(d, Math.min(d + DAY, in.asOfMillis()));
        })
        .because(higher("FUNDS_OUT_AFTER_DEPOSIT",
            "Funds withdrawn quickly after a previous deposit"));
    f.reading(null).add("endorsement_missing",
        "The check lacks the restrictive endorsement (\"For mobile deposit only\")",
        in -> in.current() != null && in.current().kind() instanceof CheckDeposit d
            && d.endorsement() != Endorsement.RESTRICTIVE ? 1 : 0)
        .because(higher("ENDORSEMENT_MISSING",
            "Check lacks the restrictive mobile-deposit endorsement"));
    return f.list;
  }

  // ---- delinquency -------------------------------------------------------------------------

  private static List<Feature> delinquency(Task task) {
    var f = new Features(task);
    f.add("dpd_current", "Days past due as last reported by the core system",
        FeatureCatalogue::daysPastDue)
        .because(higher("PAST_DUE",
            "Payment currently past due"));
    f.add("dpd_max_90d", "Highest days past due reported in 90 days",
        in -> dpdMax(in, 90 * DAY))
        .because(higher("PAST_DUE_90D",
            "Serious delinquency in the last 90 days"));
    f.add("dpd_max_12m", "Highest days past due reported in 12 months",
        in -> dpdMax(in, 365 * DAY))
        .because(higher("PAST_DUE_12M",
            "Serious delinquency in the last 12 months"));
    f.add("missed_payments_6m", "Statement cycles in 6 months whose minimum due was not paid",
        in -> missed(in, 182 * DAY))
        .because(higher("MISSED_PAYMENTS_6M",
            "Missed payments in the last 6 months"));
    f.add("missed_payments_12m", "Statement cycles in 12 months whose minimum due was not paid",
        in -> missed(in, 365 * DAY))
        .because(higher("MISSED_PAYMENTS_12M",
            "Missed payments in the last 12 months"));
    f.add("paid_to_min_due_3m",
        "Payments over minimum amounts due in 3 months (1 when nothing was due; capped at 10)",
        in -> {
          long due = in.account().minimumDue.sum(in.asOfMillis() - 90 * DAY, in.asOfMillis());
          long paid = in.account().payments.sum(in.asOfMillis() - 90 * DAY, in.asOfMillis());
          return due <= 0 ? 1.0 : Math.min(10.0, (double) paid / due);
        })
        .because(lower("LOW_PAYMENTS",
            "Payments smaller relative to the minimum due than is typical"));
    f.add("utilisation", "Statement balance over credit limit (0 without a limit)",
        in -> in.account().creditLimit <= 0 ? 0
            : (double) in.account().balance / in.account().creditLimit)
        .because(higher("HIGH_UTILISATION",
            "Balance higher relative to the credit limit than is typical"));
    f.add("utilisation_trend_3m",
        "Utilisation now minus its 3-month statement average (positive: rising)",
        in -> {
          AccountProfile a = in.account();
          Aggregate u = a.utilisation.over(in.asOfMillis() - 90 * DAY, in.asOfMillis());
          if (a.creditLimit <= 0 || u.count() == 0) {
            return 0;
          }
          return (double) a.balance / a.creditLimit - u.mean() / 10_000.0;
        })
        .because(higher("RISING_UTILISATION",
            "Balance rising relative to the credit limit"));
    f.add("nsf_payments_90d", "Payments returned (NSF and others) in 90 days",
        in -> in.account().returnedPayments.count(in.asOfMillis() - 90 * DAY, in.asOfMillis()))
        .because(higher("RETURNED_PAYMENTS",
            "Payments returned unpaid in the last 90 days"));
    f.add("promises_made_180d", "Promises to pay made in 180 days",
        in -> in.account().promisesMade.count(in.asOfMillis() - 180 * DAY, in.asOfMillis()))
        .because(either("PROMISES_MADE",
            "Promises to pay in the last 6 months"));
    f.add("promises_kept_180d", "Promises to pay kept in 180 days",
        in -> in.account().promisesKept(in.asOfMillis() - 180 * DAY, in.asOfMillis()))
        .because(lower("PROMISES_KEPT",
            "Fewer promises to pay kept in the last 6 months than is typical"));
    f.add("promises_broken_180d", "Promises to pay broken in 180 days",
        in -> in.account().promisesBroken(in.asOfMillis() - 180 * DAY, in.asOfMillis()))
        .because(higher("PROMISES_BROKEN",
            "Promises to pay broken in the last 6 months"));
    f.add("inflow_30d_to_avg_90d",
        "Payroll-like inflows in 30 days over their 90-day monthly average (1 without inflows)",
        in -> {
          long n90 = in.account().inflows.sum(in.asOfMillis() - 90 * DAY, in.asOfMillis());
          if (n90 <= 0) {
            return 1.0;
          }
          long n30 = in.account().inflows.sum(in.asOfMillis() - 30 * DAY, in.asOfMillis());
          return n30 / (n90 / 3.0);
        })
        .because(lower("INCOME_DROP",
            "Income deposits lower than usual"));
    f.add("cash_advance_count_90d", "Cash withdrawals and quasi-cash debits in 90 days",
        in -> in.account().cashAdvances.count(in.asOfMillis() - 90 * DAY, in.asOfMillis()))
        .because(higher("CASH_ADVANCES",
            "Cash advances in the last 90 days"));
    f.add("calls_7d", "Calls placed about the account in 7 days (Regulation F counts these)",
        in -> in.account().calls.count(in.asOfMillis() - 7 * DAY, in.asOfMillis()))
        .because(notAReason());
    f.add("texts_7d", "Text messages sent about the account in 7 days",
        in -> in.account().texts.count(in.asOfMillis() - 7 * DAY, in.asOfMillis()))
        .because(notAReason());
    f.add("emails_7d", "Emails sent about the account in 7 days",
        in -> in.account().emails.count(in.asOfMillis() - 7 * DAY, in.asOfMillis()))
        .because(notAReason());
    f.add("days_since_right_party_contact",
        "Days since the customer was last reached in person about the debt (365 if never)",
        in -> {
          long last = in.account().lastRightPartyContactMillis;
          if (last == Long.MIN_VALUE || last > in.asOfMillis()) {
            return NEVER_DAYS;
          }
          return Math.min(NEVER_DAYS, (in.asOfMillis() - last) / (double) DAY);
        })
        .because(notAReason());
    f.reading(EntityType.CUSTOMER).add("consent_call", "The customer consents to automated calls",
        in -> in.customer().consents(ContactChannel.CALL) ? 1 : 0)
        .because(notAReason());
    f.add("consent_sms", "The customer consents to text messages",
        in -> in.customer().consents(ContactChannel.SMS) ? 1 : 0)
        .because(notAReason());
    f.add("consent_email", "The customer consents to email",
        in -> in.customer().consents(ContactChannel.EMAIL) ? 1 : 0)
        .because(notAReason());
    f.reading(EntityType.ACCOUNT).add("hardship", "A hardship declaration is active on the account",
        in -> in.account().hardship ? 1 : 0)
        .because(higher("HARDSHIP",
            "Hardship declared on the account"));
    // what credit-risk practitioners add to the raw statements: payment-to-bill ratios, worst
    // status over several windows, time since the last delinquency, paid-in-full and
    // minimum-only habits, partial payments, promises outstanding
    f.add("past_due", "1 when a payment is past due (days past due above 0): the cure model"
        + " answers for the account, else the early-warning model",
        in -> pastDue(in) ? 1 : 0)
        .because(notAReason());
    f.add("dpd_max_30d", "Highest days past due reported in 30 days",
        in -> dpdMax(in, 30 * DAY))
        .because(higher("PAST_DUE_30D",
            "Delinquency in the last 30 days"));
    f.add("dpd_max_6m", "Highest days past due reported in 6 months",
        in -> dpdMax(in, 182 * DAY))
        .because(higher("PAST_DUE_6M",
            "Serious delinquency in the last 6 months"));
    f.add("months_since_missed_payment", "Months (30 days) since the due date of the newest"
        + " cycle whose minimum due was not paid by it (13 when none in the cycles kept)",
        FeatureCatalogue::monthsSinceMissed)
        .because(lower("RECENT_MISSED_PAYMENT",
            "A payment missed more recently than is typical"));
    f.add("paid_to_balance_last_cycle", "Payments since the newest statement over its balance"
        + " (1 when its balance was not positive; capped at 2)",
        FeatureCatalogue::paidToBalanceLastCycle)
        .because(lower("LOW_PAYMENT_TO_BALANCE",
            "Paid less of the last statement's balance than is typical"));
    f.add("paid_in_full_6m", "Statement cycles due in 6 months whose whole balance was paid by"
        + " the due date",
        in -> cycles(in, 182 * DAY, CycleOutcome.PAID_IN_FULL))
        .because(lower("FEW_PAID_IN_FULL",
            "Fewer statements paid in full in the last 6 months than is typical"));
    f.add("paid_in_full_share_12m", "Share of the statement cycles due in 12 months whose whole"
        + " balance was paid by the due date (1 when none was due)",
        in -> {
          double due = 0;
          for (CycleOutcome o : CycleOutcome.values()) {
            due += o == CycleOutcome.NOTHING_DUE ? 0 : cycles(in, 365 * DAY, o);
          }
          return due == 0 ? 1 : cycles(in, 365 * DAY, CycleOutcome.PAID_IN_FULL) / due;
        })
        .because(lower("RARELY_PAID_IN_FULL",
            "A smaller share of statements paid in full in the last 12 months than is typical"));
    f.add("balance", "The newest balance reported (a statement's or a status report's; minor"
        + " units)",
        in -> Math.max(0, in.account().balance))
        .because(higher("HIGH_BALANCE",
            "Balance higher than is typical"));
    f.add("balance_mean_6_statements", "Mean balance of the last six statements (fewer when"
        + " fewer were kept; 0 without one; minor units)",
        in -> statements(in, Statements.BALANCE))
        .because(higher("HIGH_AVERAGE_BALANCE",
            "Balance over the last six statements higher than is typical"));
    f.add("paid_to_balance_6_statements", "Payments from each of the last six statements to the"
        + " next (or now), over their balances (1 when they were not positive; capped at 2)",
        in -> statements(in, Statements.PAID_TO_BALANCE))
        .because(lower("LOW_PAYMENTS_TO_BALANCE_6M",
            "Paid less of the last six statements' balances than is typical"));
    f.add("balance_growth_6m", "The newest statement balance less the balance of the statement"
        + " six cycles before it (or the oldest kept), over the credit limit (0 without a limit)",
        FeatureCatalogue::balanceGrowth)
        .because(higher("GROWING_BALANCE",
            "Balance grown relative to the credit limit in 6 months"));
    f.add("partial_payments_6m", "Statement cycles due in 6 months with a payment by the due"
        + " date that fell short of the minimum due",
        in -> cycles(in, 182 * DAY, CycleOutcome.PARTIAL))
        .because(higher("PARTIAL_PAYMENTS",
            "Paid part of the minimum due in the last 6 months"));
    f.add("minimum_only_streak", "Newest consecutive statement cycles (due by now) paid at least"
        + " the minimum due but not the balance",
        FeatureCatalogue::minimumOnlyStreak)
        .because(higher("MINIMUM_PAYMENTS_ONLY",
            "Only minimum payments made for several statements"));
    f.add("days_since_payment", "Days since the newest payment kept (365 if none)",
        in -> {
          long last = Long.MIN_VALUE;
          for (LedgerEntry e : in.account().ledger) {
            if (e.getAmount() > 0 && e.getMillis() <= in.asOfMillis()) {
              last = Math.max(last, e.getMillis());
            }
          }
          return last == Long.MIN_VALUE ? NEVER_DAYS
              : Math.min(NEVER_DAYS, (in.asOfMillis() - last) / (double) DAY);
        })
        .because(higher("NO_RECENT_PAYMENT",
            "Longer since the last payment than is typical"));
    f.add("past_due_amount_to_limit", "Minimum due of the cycles past their due date and not"
        + " yet paid, over the credit limit (0 without a limit)",
        FeatureCatalogue::pastDueAmountToLimit)
        .because(higher("PAST_DUE_AMOUNT",
            "Amount past due high relative to the credit limit"));
    f.add("promise_open", "A promise to pay made and not yet due is not kept yet",
        in -> {
          AccountProfile a = in.account();
          for (Promise p : a.promises) {
            if (p.getMadeMillis() <= in.asOfMillis() && p.getDueMillis() >= in.asOfMillis()
                && a.keptAt(p, in.asOfMillis()) == Long.MIN_VALUE) {
              return 1;
            }
          }
          return 0;
        })
        .because(notAReason());
    f.add("inflow_30d_to_balance", "Payroll-like inflows in 30 days over the statement balance"
        + " (10 when the balance is not positive; capped at 10)",
        in -> {
          long balance = in.account().balance;
          if (balance <= 0) {
            return 10;
          }
          long n30 = in.account().inflows.sum(in.asOfMillis() - 30 * DAY, in.asOfMillis());
          return Math.min(10.0, (double) n30 / balance);
        })
        .because(lower("LOW_INCOME_TO_BALANCE",
            "Income low relative to the balance"));
    // the traces a customer's circumstances leave between statements: income that stopped (none
    // at all reads 0, not as steady), a statement still unpaid late in its cycle, and a habit of
    // paying at the last moment
    f.add("payroll_28d_to_avg_84d", "Payroll-like inflows in 28 days over their 84-day average"
        + " per 28 days (0 without any in 84 days: no income is no steady income; windows of"
        + " whole fortnights, so that a steady weekly or biweekly pay reads about 1: the"
        + " windows' edges are kept to within a day and a half)",
        FeatureCatalogue::payrollToAverage)
        .because(lower("INCOME_DOWN_OR_NONE",
            "Income deposits lower than usual, or none"));
    f.add("days_statement_unpaid", "Days since the newest statement while its minimum due is"
        + " not paid (payments since it, net of returns); 0 once paid or when nothing is due",
        FeatureCatalogue::daysStatementUnpaid)
        .because(higher("STATEMENT_UNPAID",
            "The newest statement has gone unpaid longer than is typical"));
    f.add("paid_late_in_cycle_share_6m", "Share of the statement cycles due in 6 months whose"
        + " first payment came less than 5 days before the due date or later, or not before the"
        + " next statement (0 when none was due; a payment returned later still counts as the"
        + " first)",
        FeatureCatalogue::paidLateInCycleShare)
        .because(higher("PAYS_LATE_IN_CYCLE",
            "Payments made close to or after the due date more often than is typical"));
    return f.list;
  }

  /**
   * Payroll-like inflows in 28 days over a third of those in 84: 1 for a steady weekly or
   * biweekly pay, below 1 when it fell, 0 when none came in 84 days.
   */
  private static double payrollToAverage(FeatureInputs in) {
    long t = in.asOfMillis();
    long n84 = in.account().inflows.sum(t - 84 * DAY, t);
    if (n84 <= 0) {
      return 0;
    }
    return in.account().inflows.sum(t - 28 * DAY, t) / (n84 / 3.0);
  }

  /** Days since the newest statement stated by now, while its minimum due is not paid. */
  private static double daysStatementUnpaid(FeatureInputs in) {
    AccountProfile a = in.account();
    long t = in.asOfMillis();
    for (int i = a.cycles.size() - 1; i >= 0; i--) {
      Cycle c = a.cycles.get(i);
      if (c.getStatementMillis() <= t) {
        if (c.getMinimumDue() <= 0
            || a.paid(c.getStatementMillis(), t, t, true) >= c.getMinimumDue()) {
          return 0;
        }
        return (t - c.getStatementMillis()) / (double) DAY;
      }
    }
    return 0;
  }

  /**
   * Of the cycles due in {@code (T - 182 days, T)} with a minimum due, the share whose first
   * payment after the statement (and by the next statement, or now) came less than 5 days before
   * the due date or later, or never.
   */
  private static double paidLateInCycleShare(FeatureInputs in) {
    AccountProfile a = in.account();
    long t = in.asOfMillis();
    int due = 0;
    int late = 0;
    for (int i = 0; i < a.cycles.size(); i++) {
      Cycle c = a.cycles.get(i);
      if (c.getStatementMillis() > t || c.getDueMillis() >= t || c.getDueMillis() <= t - 182 * DAY
          || c.getMinimumDue() <= 0) {
        continue;
      }
      long end = i + 1 < a.cycles.size() ? Math.min(t, a.cycles.get(i + 1).getStatementMillis())
          : t;
      long first = Long.MAX_VALUE;
      for (LedgerEntry e : a.ledger) {
        if (e.getAmount() > 0 && e.getMillis() > c.getStatementMillis() && e.getMillis() <= end) {
          first = Math.min(first, e.getMillis());
        }
      }
      due++;
      if (first == Long.MAX_VALUE || first > c.getDueMillis() - 5 * DAY) {
        late++;
      }
    }
    return due == 0 ? 0 : late / (double) due;
  }

  private static List<Feature> rawStatements(Task task) {
    var f = new Features(task);
    for (int k = 1; k <= RAW_CYCLES; k++) {
      int back = k;
      String n = "stmt" + k + "_";
      String which = k == 1 ? "the newest statement" : "statement " + k + " back";
      f.add(n + "balance", "Balance of " + which + " (0 without one)",
          in -> rawCycle(in, back, RawColumn.BALANCE)).because(notAReason());
      f.add(n + "limit", "Credit limit of " + which + " (0 without one)",
          in -> rawCycle(in, back, RawColumn.LIMIT)).because(notAReason());
      f.add(n + "min_due", "Minimum due of " + which + " (0 without one)",
          in -> rawCycle(in, back, RawColumn.MINIMUM_DUE)).because(notAReason());
      f.add(n + "paid", "Payments from " + which + " to the next (or now)",
          in -> rawCycle(in, back, RawColumn.PAID)).because(notAReason());
      f.add(n + "dpd", "Highest days past due reported from the statement before " + which
          + " to it (30 days before it for the oldest kept)",
          in -> rawCycle(in, back, RawColumn.DAYS_PAST_DUE)).because(notAReason());
    }
    return f.list;
  }

  private enum RawColumn { BALANCE, LIMIT, MINIMUM_DUE, PAID, DAYS_PAST_DUE }

  /** A column of the {@code back}-th newest cycle stated by the inputs' time (1: the newest). */
  private static double rawCycle(FeatureInputs in, int back, RawColumn column) {
    AccountProfile a = in.account();
    long t = in.asOfMillis();
    int newest = -1;
    for (int i = 0; i < a.cycles.size(); i++) {
      if (a.cycles.get(i).getStatementMillis() <= t) {
        newest = i;
      }
    }
    int at = newest - (back - 1);
    if (newest < 0 || at < 0) {
      return 0;
    }
    Cycle c = a.cycles.get(at);
    return switch (column) {
      case BALANCE -> c.getBalance();
      case LIMIT -> c.getCreditLimit();
      case MINIMUM_DUE -> c.getMinimumDue();
      case PAID -> a.paid(c.getStatementMillis(),
          at == newest ? t : a.cycles.get(at + 1).getStatementMillis(), t, false);
      case DAYS_PAST_DUE -> a.daysPastDueMax.over(at > 0
          ? a.cycles.get(at - 1).getStatementMillis() : c.getStatementMillis() - 30 * DAY,
          c.getStatementMillis()).maxOrZero();
    };
  }

  /** What a cycle's payments by its due date came to. */
  private enum CycleOutcome { PAID_IN_FULL, MINIMUM_ONLY, PARTIAL, NOTHING, NOTHING_DUE }

  private static CycleOutcome outcome(AccountProfile a, Cycle c, long asOf) {
    if (c.getMinimumDue() <= 0) {
      return CycleOutcome.NOTHING_DUE;
    }
    long paid = a.paid(c.getStatementMillis(), c.getDueMillis(), asOf, true);
    if (paid >= c.getBalance() && c.getBalance() > 0) {
      return CycleOutcome.PAID_IN_FULL;
    }
    if (paid >= c.getMinimumDue()) {
      return CycleOutcome.MINIMUM_ONLY;
    }
    return paid > 0 ? CycleOutcome.PARTIAL : CycleOutcome.NOTHING;
  }

  /** Cycles due in {@code (T - window, T)} whose payments came to {@code wanted}. */
  private static double cycles(FeatureInputs in, long window, CycleOutcome wanted) {
    AccountProfile a = in.account();
    long t = in.asOfMillis();
    int n = 0;
    for (Cycle c : a.cycles) {
      if (c.getStatementMillis() <= t && c.getDueMillis() < t && c.getDueMillis() > t - window
          && outcome(a, c, t) == wanted) {
        n++;
      }
    }
    return n;
  }

  private static double minimumOnlyStreak(FeatureInputs in) {
    AccountProfile a = in.account();
    long t = in.asOfMillis();
    int n = 0;
    for (int i = a.cycles.size() - 1; i >= 0; i--) {
      Cycle c = a.cycles.get(i);
      if (c.getStatementMillis() > t || c.getDueMillis() >= t) {
        continue; // not due yet: says nothing either way
      }
      if (outcome(a, c, t) != CycleOutcome.MINIMUM_ONLY) {
        break;
      }
      n++;
    }
    return n;
  }

  private static double monthsSinceMissed(FeatureInputs in) {
    AccountProfile a = in.account();
    long t = in.asOfMillis();
    for (int i = a.cycles.size() - 1; i >= 0; i--) {
      Cycle c = a.cycles.get(i);
      if (c.getStatementMillis() <= t && c.getDueMillis() < t) {
        CycleOutcome o = outcome(a, c, t);
        if (o == CycleOutcome.PARTIAL || o == CycleOutcome.NOTHING) {
          return Math.min(13.0, (t - c.getDueMillis()) / (30.0 * DAY));
        }
      }
    }
    return 13;
  }

  private static double paidToBalanceLastCycle(FeatureInputs in) {
    AccountProfile a = in.account();
    long t = in.asOfMillis();
    for (int i = a.cycles.size() - 1; i >= 0; i--) {
      Cycle c = a.cycles.get(i);
      if (c.getStatementMillis() <= t) {
        if (c.getBalance() <= 0) {
          return 1;
        }
        // net of returned payments, and never below 0: a returned payment pays nothing
        return Math.min(2.0, Math.max(0, a.paid(c.getStatementMillis(), t, t, true))
            / (double) c.getBalance());
      }
    }
    return 1;
  }

  private enum Statements { BALANCE, PAID_TO_BALANCE }

  /** Over the last six statements stated by the inputs' time: their mean balance, or paid share. */
  private static double statements(FeatureInputs in, Statements what) {
    AccountProfile a = in.account();
    long t = in.asOfMillis();
    int newest = -1;
    for (int i = 0; i < a.cycles.size(); i++) {
      if (a.cycles.get(i).getStatementMillis() <= t) {
        newest = i;
      }
    }
    long balance = 0;
    long paid = 0;
    int n = 0;
    for (int i = newest; i >= 0 && i > newest - RAW_CYCLES; i--) {
      Cycle c = a.cycles.get(i);
      balance += Math.max(0, c.getBalance());
      long to = i == newest ? t : a.cycles.get(i + 1).getStatementMillis();
      paid += a.paid(c.getStatementMillis(), to, t, false);
      n++;
    }
    return switch (what) {
      case BALANCE -> n == 0 ? 0 : balance / (double) n;
      case PAID_TO_BALANCE -> balance <= 0 ? 1 : Math.min(2.0, paid / (double) balance);
    };
  }

  private static double balanceGrowth(FeatureInputs in) {
    AccountProfile a = in.account();
    long t = in.asOfMillis();
    int newest = -1;
    for (int i = 0; i < a.cycles.size(); i++) {
      if (a.cycles.get(i).getStatementMillis() <= t) {
        newest = i;
      }
    }
    if (newest < 0 || a.creditLimit <= 0) {
      return 0;
    }
    Cycle then = a.cycles.get(Math.max(0, newest - 6));
    return (a.cycles.get(newest).getBalance() - then.getBalance()) / (double) a.creditLimit;
  }

  private static double pastDueAmountToLimit(FeatureInputs in) {
    AccountProfile a = in.account();
    long t = in.asOfMillis();
    if (a.creditLimit <= 0) {
      return 0;
    }
    long owed = 0;
    for (Cycle c : a.cycles) {
      if (c.getStatementMillis() <= t && c.getDueMillis() < t && c.getMinimumDue() > 0) {
        // what is still unpaid of its minimum, counting payments up to now
        owed = Math.max(owed,
            c.getMinimumDue() - a.paid(c.getStatementMillis(), t, t, true));
      }
    }
    return Math.max(0, owed) / (double) a.creditLimit;
  }

  private static double daysPastDue(FeatureInputs in) {
    return in.account().statusMillis <= in.asOfMillis() ? in.account().daysPastDue : 0;
  }

  // ---- helpers -----------------------------------------------------------------------------

  /** A feature just added, waiting for what it says as a reason. */
  private static final class Declared {
    private final List<Feature> list;
    private final int at;

    Declared(List<Feature> list, int at) {
      this.list = list;
      this.at = at;
    }

    /** What the feature says as a reason ({@link #notAReason()}: nothing). */
    void because(ReasonFact reason) {
      Feature f = list.get(at);
      list.set(at, new Feature(f.name(), f.task(), f.description(), f.reads(), f.definition(),
          reason == Marks.NOT_A_REASON ? null : reason));
    }
  }

  /**
   * Marks a feature whose reason is not declared yet (the catalogue refuses to load with one),
   * and a feature declared never a reason. In a class of their own: the catalogue's feature sets
   * are built while the catalogue class initialises, before its later static fields are set.
   */
  private static final class Marks {
    static final ReasonFact NOT_DECLARED = new ReasonFact("", Adverse.EITHER, "");
    static final ReasonFact NOT_A_REASON = new ReasonFact("-", Adverse.EITHER, "");
  }

  private static ReasonFact higher(String code, String text) {
    return new ReasonFact(code, Adverse.HIGHER, text);
  }

  private static ReasonFact lower(String code, String text) {
    return new ReasonFact(code, Adverse.LOWER, text);
  }

  private static ReasonFact either(String code, String text) {
    return new ReasonFact(code, Adverse.EITHER, text);
  }

  private static ReasonFact notAReason() {
    return Marks.NOT_A_REASON;
  }

  /** A window label in words: "1h" is "hour", "24h" "24 hours", "1d" "day", "7d" "7 days". */
  private static String span(String label) {
    long n = Long.parseLong(label.substring(0, label.length() - 1));
    String unit = label.endsWith("h") ? "hour" : "day";
    return n == 1 ? unit : n + " " + unit + "s";
  }

  private static final class Features {
    final Task task;
    final List<Feature> list = new ArrayList<>();
    EntityType reads = EntityType.ACCOUNT;

    Features(Task task) {
      this.task = task;
    }

    /** The entity the features added next read (null: the scored event alone). */
    Features reading(EntityType entity) {
      this.reads = entity;
      return this;
    }

    Declared add(String name, String description, ToDoubleFunction<FeatureInputs> definition) {
      list.add(new Feature(name, task, description, reads, definition, Marks.NOT_DECLARED));
      return new Declared(list, list.size() - 1);
    }
  }

  private static String label(long[] w) {
    return w[0] + (w[1] == HOUR ? "h" : "d");
  }

  private static Transaction txn(FeatureInputs in) {
    return in.current() != null && in.current().kind() instanceof Transaction t ? t : null;
  }

  private static double txnAmount(FeatureInputs in) {
    Transaction t = txn(in);
    return t == null ? 0 : t.amount().minorUnits();
  }

  private static double depositAmount(FeatureInputs in) {
    return in.current() != null && in.current().kind() instanceof CheckDeposit d
        ? d.amount().minorUnits() : 0;
  }

  private static Aggregate debits(FeatureInputs in, long window) {
    return in.account().debits.over(in.asOfMillis() - window, in.asOfMillis());
  }

  private static Aggregate deposits90(FeatureInputs in) {
    return in.account().deposits.over(in.asOfMillis() - 90 * DAY, in.asOfMillis());
  }

  private static double merchantWindow(FeatureInputs in, long window, Timeline t) {
    long end = in.asOfMillis() - in.merchant().settings.labelDelay().toMillis();
    return t.count(end - window, end);
  }

  private static CheckProfile.Duplicates duplicates(FeatureInputs in) {
    if (in.current() == null || !(in.current().kind() instanceof CheckDeposit d)) {
      return CheckProfile.Duplicates.NONE;
    }
    String account = in.current().accountId();
    var micr = in.micrCheck().duplicatesOf(account, d.depositId(), in.asOfMillis());
    var image = in.imageCheck().duplicatesOf(account, d.depositId(), in.asOfMillis());
    return new CheckProfile.Duplicates(micr.sameAccount() || image.sameAccount(),
        micr.otherAccount() || image.otherAccount());
  }

  /** The highest days past due the core system reported within {@code window} before as-of. */
  private static double dpdMax(FeatureInputs in, long window) {
    return in.account().daysPastDueMax.over(in.asOfMillis() - window, in.asOfMillis())
        .maxOrZero();
  }

  private static double missed(FeatureInputs in, long window) {
    return in.account().missedCycles(in.asOfMillis() - window, in.asOfMillis());
  }
}
