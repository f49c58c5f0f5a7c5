package dev.vigil.tools.history;

import dev.vigil.features.event.EventFiles;
import dev.vigil.features.event.EventFiles.OnBadLine;
import dev.vigil.features.profile.FeatureCatalogue;
import dev.vigil.features.profile.FeatureCatalogue.Feature;
import dev.vigil.features.profile.ProfileSettings;
import dev.vigil.history.History;
import dev.vigil.history.cli.Instants;
import dev.vigil.history.cli.ToolCommandLine;
import dev.vigil.history.simulator.Simulator;
import dev.vigil.history.training.TrainingSet;
import dev.vigil.history.training.TrainingSets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./vigil simulate | training-set | catalogue}: simulate event histories, build training
 * sets, list the catalogue.
 */
@Command(name = ToolCommandLine.PROGRAM, mixinStandardHelpOptions = true,
    subcommands = {FeaturesCommand.Simulate.class, FeaturesCommand.BuildTrainingSet.class,
        FeaturesCommand.Catalogue.class},
    description = "Event histories and the feature catalogue on the command line.")
public final class FeaturesCommand {
  /** The command line, reading every time as a date (midnight UTC) or an instant. */
  public static CommandLine commandLine() {
    return new CommandLine(new FeaturesCommand()).registerConverter(Instant.class,
        Instants::parse);
  }

  @Command(name = "simulate", mixinStandardHelpOptions = true,
      description = "Write a simulated, labelled event history as JSON Lines (.gz to compress).")
  static final class Simulate implements Callable<Integer> {
    @Option(names = "--seed", defaultValue = "42", description = "Random seed; the same seed"
        + " writes the same history (default: ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--customers", defaultValue = "10000", description = "Customers, each with"
        + " an account (default: ${DEFAULT-VALUE}).") int customers;
    @Option(names = "--days", defaultValue = "30", description = "Days of history (default:"
        + " ${DEFAULT-VALUE}).") int days;
    @Option(names = "--start", defaultValue = "2026-01-01", description = "The first day, a date"
        + " (2026-01-01, midnight UTC) or an instant (default: ${DEFAULT-VALUE}).") Instant start;
    @Option(names = "--disorder-seconds", defaultValue = "0", description = "Events arrive up to"
        + " this many seconds late, out of time order, in the file (default: ${DEFAULT-VALUE}).")
    long disorderSeconds;
    @Option(names = "--shape", defaultValue = "vigil",
        description = "vigil (a lender's whole book) or handbook (the Fraud Detection Handbook's"
            + " card-transaction generator, for comparing with its figures) (default:"
            + " ${DEFAULT-VALUE}).")
    String shape;
    @Option(names = "--merchant-skew", defaultValue = "0", description = "Card traffic's merchant"
        + " popularity: 0, customers buy near home, nearly uniformly; a Zipf exponent (1.1 is"
        + " typical of real card traffic), half of all purchases go to merchants drawn by"
        + " popularity (default: ${DEFAULT-VALUE}).") double merchantSkew;
    @Option(names = "--merchant-bursts", defaultValue = "0", description = "With --merchant-skew,"
        + " the share (0 to 1) of the purchases drawn by popularity that go instead to the most"
        + " popular merchant within its 20-minute burst of each day, as at a sale or a transit"
        + " gate's rush hour (default: ${DEFAULT-VALUE}).") double merchantBursts;
    @Option(names = "--out", required = true, paramLabel = "FILE", description = "The JSON Lines"
        + " file to write (.gz: compressed), relative to where you run the command.") Path out;

    @Override
    public Integer call() throws Exception {
      Simulator.Shape worldShape;
      try {
        worldShape = Simulator.Shape.valueOf(shape.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(new CommandLine(this),
            "--shape: '" + shape + "' is neither vigil nor handbook");
      }
      Simulator.Config config;
      try {
        config = new Simulator.Config(seed, customers, days, start, disorderSeconds * 1000,
            worldShape, merchantSkew, merchantBursts);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(new CommandLine(this), e.getMessage());
      }
      var sim = new Simulator(config);
      long t0 = System.nanoTime();
      try (var writer = new EventFiles.EventWriter(out)) {
        sim.run(writer);
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      var s = sim.stats();
      System.out.printf("wrote %,d events to %s in %.1f s (%,.0f events/minute)%n", s.events, out,
          seconds, s.events / seconds * 60);
      System.out.printf("transactions %,d (fraudulent %,d = %.2f%%), deposits %,d (returned %,d,"
              + " duplicate presentments %,d, the customer's own fraud %,d), statements %,d,"
              + " missed payments %,d%n",
          s.transactions, s.fraudulentTransactions, 100.0 * s.fraudulentTransactions
              / Math.max(1, s.transactions), s.deposits, s.returnedDeposits, s.duplicateDeposits,
          s.firstPartyDepositFrauds, s.statements, s.missedPayments);
      return 0;
    }
  }

  @Command(name = "training-set", mixinStandardHelpOptions = true,
      description = "Build a point-in-time training set (CSV) from an event file.")
  static final class BuildTrainingSet implements Callable<Integer> {
    @Option(names = "--events", required = true, paramLabel = "FILE", description = "The event"
        + " history, JSON Lines (.gz read as compressed), streamed, never held in memory.")
    Path events;
    @Option(names = "--task", required = true,
        description = "fraud, deposit, delinquency, cure or roll")
    String task;
    @Option(names = "--out", required = true, paramLabel = "FILE", description = "The CSV to"
        + " write: id, as_of, account_id, label, then one column per feature.") Path out;
    @Option(names = "--from", description = "First time included (inclusive), a date (2026-02-01,"
        + " midnight UTC) or an instant (default: the first event).")
    Instant from;
    @Option(names = "--to", description = "End of the times included (exclusive), a date or an"
        + " instant (default: after the last event).")
    Instant to;
    @Option(names = "--as-of", split = ",", description = "Delinquency as-of times, dates or"
        + " instants, comma-separated (default: --schedule).")
    List<Instant> asOf = new ArrayList<>();
    @Option(names = "--schedule", defaultValue = "weekly",
        description = "Delinquency schedule when --as-of is absent: weekly, monthly, or a"
            + " comma-separated list of dates (2026-02-01,2026-03-01) (default: ${DEFAULT-VALUE}).")
    String schedule;
    @Option(names = "--horizon-days", description = "Delinquency label: 30+ days past due"
        + " within this many days after the as-of time; cure label: not back to current within"
        + " them; roll label: a later 30-day bucket within them (default: 90 for delinquency, 30"
        + " for cure and roll).")
    Integer horizonDays;
    @Option(names = "--on-bad-line", defaultValue = "skip", description = "An invalid line: skip"
        + " it (counted, the first reported) or fail naming it (default: ${DEFAULT-VALUE}).")
    String onBadLine;

    private List<Long> asOfTimes(long lo, long hi) {
      return asOf.isEmpty() ? TrainingSets.schedule(schedule, lo, hi)
          : asOf.stream().map(Instant::toEpochMilli).toList();
    }

    @Override
    public Integer call() {
      long t0 = System.nanoTime();
      var policy = OnBadLine.valueOf(onBadLine.toUpperCase());
      // streamed: a first pass for the time range, then the training set's own two passes
      var report = EventFiles.read(events, policy, e -> { });
      if (report.badLines() > 0) {
        System.err.printf("skipped %,d bad lines; first: %s%n", report.badLines(),
            report.firstBadLines().get(0));
      }
      var history = History.of(events, policy);
      long first = report.events() == 0 ? 0 : report.firstMillis();
      long last = report.events() == 0 ? 0 : report.lastMillis();
      long lo = from == null ? first : from.toEpochMilli();
      long hi = to == null ? last + 1 : to.toEpochMilli();
      var settings = ProfileSettings.DEFAULT;
      TrainingSet set = switch (task.toLowerCase()) {
        case "fraud" -> TrainingSets.fraud(history, settings, lo, hi);
        case "deposit" -> TrainingSets.deposits(history, settings, lo, hi);
        case "delinquency" -> TrainingSets.delinquency(history, settings, asOfTimes(lo, hi),
            Duration.ofDays(horizonDays != null ? horizonDays
                : TrainingSets.DEFAULT_HORIZON_DAYS));
        case "cure" -> TrainingSets.cure(history, settings, asOfTimes(lo, hi),
            Duration.ofDays(horizonDays != null ? horizonDays
                : TrainingSets.DEFAULT_CURE_HORIZON_DAYS), FeatureCatalogue.CURE);
        case "roll" -> TrainingSets.roll(history, settings, asOfTimes(lo, hi),
            Duration.ofDays(horizonDays != null ? horizonDays
                : TrainingSets.DEFAULT_ROLL_HORIZON_DAYS), FeatureCatalogue.ROLL);
        default -> throw new CommandLine.ParameterException(new CommandLine(this),
            "--task must be fraud, deposit, delinquency, cure or roll");
      };
      try {
        set.writeCsv(out);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      System.out.printf("%s: %,d rows (%,d positive), %d features, schema %s, from %,d events"
              + " in %.1f s -> %s%n", set.task(), set.rows().size(), set.positives(),
          set.features().names().size(), set.features().fingerprint(), report.events(),
          (System.nanoTime() - t0) / 1e9, out);
      return 0;
    }
  }

  @Command(name = "catalogue", mixinStandardHelpOptions = true,
      description = "Print the feature catalogue as a Markdown table, or write it into a"
          + " Markdown file between its catalogue markers (--docs docs/features.md).")
  static final class Catalogue implements Callable<Integer> {
    /** Where the generated table starts in a Markdown file. */
    public static final String BEGIN = "<!-- catalogue: generated by ./vigil catalogue --docs"
        + " docs/features.md from FeatureCatalogue; do not edit by hand -->";
    /** Where it ends. */
    public static final String END = "<!-- end of the generated catalogue -->";

    @Option(names = "--docs", paramLabel = "FILE", description = "Replace the table between the"
        + " catalogue markers of this Markdown file instead of printing it.")
    Path docs;

    /**
     * The catalogue as a Markdown table: task, feature, what it reads, what it means, and what it
     * says as a reason (code, adverse side and the history it needs, text; "never" for a feature
     * that is never a reason).
     */
    public static String table() {
      var out = new StringBuilder("| task | feature | reads | meaning | reason | adverse when |"
          + " reason text |\n|---|---|---|---|---|---|---|\n");
      for (Feature f : FeatureCatalogue.all()) {
        var r = f.reason();
        out.append(String.format(Locale.ROOT, "| %s | `%s` | %s | %s | %s | %s | %s |%n",
            f.task().name().toLowerCase(Locale.ROOT), f.name(), f.reads() == null
                ? "the scored event" : f.reads().name().toLowerCase(Locale.ROOT),
            f.description(), r == null ? "never" : "`" + r.code() + "`",
            r == null ? "" : switch (r.adverse()) {
              case HIGHER -> "higher";
              case LOWER -> "lower";
              case EITHER -> "unusual";
            } + (r.history() == null ? "" : ", never with `" + r.history().count() + "` < "
                + r.history().least() + " (no history)"), r == null ? "" : r.text()));
      }
      return out.toString();
    }

    /** {@code markdown} with the text between the catalogue markers replaced by the table. */
    public static String withTable(String markdown) {
      int begin = markdown.indexOf(BEGIN);
      int end = markdown.indexOf(END);
      if (begin < 0 || end < begin) {
        throw new IllegalArgumentException("no catalogue markers: put " + BEGIN + " and " + END
            + " where the table goes");
      }
      return markdown.substring(0, begin + BEGIN.length()) + "\n" + table()
          + markdown.substring(end);
    }

    @Override
    public Integer call() throws IOException {
      if (docs == null) {
        System.out.print(table());
        return 0;
      }
      Files.writeString(docs, withTable(Files.readString(docs)));
      System.out.println("wrote the catalogue (" + FeatureCatalogue.all().size()
          + " features) into " + docs);
      return 0;
    }
  }

}
