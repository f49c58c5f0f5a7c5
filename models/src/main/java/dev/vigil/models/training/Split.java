package dev.vigil.models.training;

import dev.vigil.history.training.TrainingSet;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * How a training set's rows are divided into the rows a model learns from and the rows it is
 * judged on: by time ({@link TimeSplit}: learn from one period, judge on a later one after a gap),
 * by account ({@link Accounts}: a seeded share of the accounts is held out, for snapshot data with
 * one as-of date per account), or both (held-out accounts in the later period).
 *
 * @param from the first time of the rows considered (inclusive)
 * @param to the end of the rows considered (exclusive)
 * @param time the time split, or null to judge on the same period as learning
 * @param accounts the account split, or null to judge on the same accounts as learning
 */
public record Split(long from, long to, TimeSplit time, Accounts accounts) {
  public Split {
    if (time == null && accounts == null) {
      throw new IllegalArgumentException("a split is by time, by account, or both");
    }
    if (from >= to) {
      throw new IllegalArgumentException("from must be before to");
    }
  }

  /** Today's split: learn from one period, judge on a later one. */
  public static Split byTime(TimeSplit time) {
    return new Split(time.trainFrom(), time.testTo(), time, null);
  }

  /** A seeded share of the accounts held out, every row of [from, to) on both sides. */
  public static Split byAccount(long from, long to, Accounts accounts) {
    return new Split(from, to, null, accounts);
  }

  /** Held-out accounts in the later period; the other accounts in the earlier one. */
  public static Split byTimeAndAccount(TimeSplit time, Accounts accounts) {
    return new Split(time.trainFrom(), time.testTo(), time, accounts);
  }

  /** {@code time}, {@code entity} or {@code time+entity}, as the model card records it. */
  public String kind() {
    return time == null ? "entity" : accounts == null ? "time" : "time+entity";
  }

  public boolean inTraining(TrainingSet.Row r) {
    long t = r.asOfMillis();
    return (time != null ? time.inTraining(t) : t >= from && t < to)
        && (accounts == null || !accounts.heldOut(r.accountId()));
  }

  public boolean inTest(TrainingSet.Row r) {
    long t = r.asOfMillis();
    return (time != null ? time.inTest(t) : t >= from && t < to)
        && (accounts == null || accounts.heldOut(r.accountId()));
  }

  /**
   * Where {@code train --tune} learns and judges its candidates, never touching the test rows:
   * for a time split, the Fraud Detection Handbook's validation (the last test-length of the
   * training period, learnt from a training-length period one gap before it); for an entity
   * split, a seeded quarter of the training accounts, learnt from the other training accounts.
   *
   * @param seed chooses the validation accounts of an entity split
   * @return {fit rows, validation rows}
   */
  public List<List<TrainingSet.Row>> validation(List<TrainingSet.Row> rows, long seed) {
    if (time != null) {
      long[] w = validationWindow();
      long fitFrom = w[0];
      long fitTo = w[1];
      long validFrom = w[2];
      long validTo = w[3];
      var inTraining = rows.stream().filter(r -> accounts == null
          || !accounts.heldOut(r.accountId())).toList();
      return List.of(
          inTraining.stream().filter(r -> r.asOfMillis() >= fitFrom && r.asOfMillis() < fitTo)
              .toList(),
          inTraining.stream().filter(r -> r.asOfMillis() >= validFrom && r.asOfMillis() < validTo)
              .toList());
    }
    var validating = new Accounts(0.25, seed);
    var training = rows.stream().filter(this::inTraining).toList();
    return List.of(training.stream().filter(r -> !validating.heldOut(r.accountId())).toList(),
        training.stream().filter(r -> validating.heldOut(r.accountId())).toList());
  }

  /**
   * The earliest time {@link #validation} reads for a time split (a training length and a gap
   * before the training period), so that the training set is built from there; {@link #from()}
   * otherwise.
   */
  public long validationFrom() {
    return time == null ? from : Math.min(from, validationWindow()[0]);
  }

  /**
   * A time split's validation: {fit from, fit to, validation from, validation to}, the last
   * test-length of the training period and the training-length ending a gap before it.
   */
  private long[] validationWindow() {
    long gap = time.testFrom() - time.trainTo();
    long validTo = time.trainTo();
    long validFrom = Math.max(time.trainFrom(), validTo - (time.testTo() - time.testFrom()));
    long fitTo = validFrom - gap;
    return new long[] {fitTo - (time.trainTo() - time.trainFrom()), fitTo, validFrom, validTo};
  }

  /** The rows judged on, in words, for messages. */
  public String describeTest() {
    String period = time != null
        ? "the test period " + Instant.ofEpochMilli(time.testFrom()) + " to "
            + Instant.ofEpochMilli(time.testTo()) + " (exclusive)"
        : "the period " + Instant.ofEpochMilli(from) + " to " + Instant.ofEpochMilli(to)
            + " (exclusive)";
    return accounts == null ? period : "the held-out accounts (" + accounts.describe() + ") in "
        + period;
  }

  /**
   * A seeded split by account: an account is held out when a hash of the seed and its id falls in
   * the lowest {@code testShare} of the range, so the same seed holds out the same accounts in any
   * file, on any machine, and every row of an account is on one side.
   *
   * @param testShare the share of accounts held out, in (0, 1)
   * @param seed chooses which accounts
   */
  public record Accounts(double testShare, long seed) {
    public Accounts {
      if (!(testShare > 0 && testShare < 1)) {
        throw new IllegalArgumentException("the held-out share of accounts must be in (0, 1), not "
            + testShare);
      }
    }

    public boolean heldOut(String accountId) {
      try {
        var sha = MessageDigest.getInstance("SHA-256");
        sha.update(Long.toString(seed).getBytes(StandardCharsets.UTF_8));
        sha.update((byte) ':');
        byte[] h = sha.digest(accountId.getBytes(StandardCharsets.UTF_8));
        long top = 0;
        for (int i = 0; i < 7; i++) {
          top = top << 8 | (h[i] & 0xff);
        }
        return top < testShare * (1L << 56); // the first 56 bits, uniform in [0, 2^56)
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }

    String describe() {
      return String.format(Locale.ROOT, "%.0f%% of accounts, seed %d", testShare * 100,
          seed);
    }
  }
}
