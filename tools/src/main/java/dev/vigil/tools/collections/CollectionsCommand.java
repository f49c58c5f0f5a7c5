package dev.vigil.tools.collections;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.vigil.features.event.EventFiles;
import dev.vigil.features.event.EventFiles.OnBadLine;
import dev.vigil.features.profile.FeatureCatalogue;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.history.History;
import dev.vigil.history.cli.Instants;
import dev.vigil.history.cli.ToolCommandLine;
import dev.vigil.history.cli.VigilHome;
import dev.vigil.history.simulator.Simulator;
import dev.vigil.proto.v1.AuditRecord;
import dev.vigil.registry.ModelRegistry;
import dev.vigil.scoring.audit.EntityTokens;
import dev.vigil.scoring.model.ServedModel;
import dev.vigil.scoring.policy.Policy;
import dev.vigil.scoring.reason.ReasonCatalogue;
import dev.vigil.tools.audit.DecisionsTopic;
import dev.vigil.tools.collections.StrategyReport.Arm;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code ./vigil collections}: collections strategies tested against each other, on a simulated
 * book ({@code simulate}) and from audit records and later events ({@code report}).
 */
@Command(name = "collections", mixinStandardHelpOptions = true,
    subcommands = {CollectionsCommand.Simulate.class, CollectionsCommand.Report.class},
    description = "Collections strategies tested against each other: a simulated book treated"
        + " by the policy's champion and challenger; each arm's outcome.")
public final class CollectionsCommand implements Runnable {
  @Spec CommandSpec spec;

  /** The command, reading every time as a date (midnight UTC) or an instant. */
  public static CommandLine commandLine() {
    return new CommandLine(new CollectionsCommand()).registerConverter(Instant.class,
        Instants::parse);
  }

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "name a subcommand: simulate or report");
  }

  @Command(name = "simulate", mixinStandardHelpOptions = true,
      description = "Simulate a book whose past-due accounts are treated, every "
          + Simulator.CYCLE_DAYS + " days past due, as the policy's delinquency strategy"
          + " decides (champion or challenger by the account's arm, the registry's cure champion"
          + " with its roll champion beside it scoring a past-due account and its delinquency"
          + " champion a current one, on features"
          + " folded from the simulated events as of that day; no allow or block lists), and"
          + " whose customers respond to the treatment; write the events and each decision's"
          + " audit record.")
  static final class Simulate implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Option(names = "--policy", required = true, paramLabel = "FILE", description = "The policy"
        + " (YAML) whose delinquency rules and delinquency_challenger decide.") Path policy;
    @Option(names = "--registry", defaultValue = VigilHome.VAR + "/models", paramLabel = "DIR",
        description = "The model registry whose delinquency, cure and roll champions"
            + " score%n(default:"
            + " ${DEFAULT-VALUE}).") Path registry;
    @Option(names = "--key-file", defaultValue = VigilHome.VAR + "/collections/audit-token.key",
        paramLabel = "FILE", description = "The token key the records' entities are made with"
            + " (created when absent)%n(default: ${DEFAULT-VALUE}).") Path keyFile;
    @Option(names = "--seed", defaultValue = "42", description = "Random seed (default:"
        + " ${DEFAULT-VALUE}).") long seed;
    @Option(names = "--customers", defaultValue = "5000", description = "Customers, each with an"
        + " account (default: ${DEFAULT-VALUE}).") int customers;
    @Option(names = "--days", defaultValue = "120", description = "Days of history (default:"
        + " ${DEFAULT-VALUE}).") int days;
    @Option(names = "--start", defaultValue = "2026-01-01", description = "The first day, a date"
        + " or an instant (default: ${DEFAULT-VALUE}).") Instant start;
    @Option(names = "--zone", defaultValue = "America/Chicago", description = "The time zone of a"
        + " customer whose own is not known, for convenient hours (default: ${DEFAULT-VALUE}).")
    String zone;
    @Option(names = "--out", required = true, paramLabel = "FILE", description = "The events, JSON"
        + " Lines (.gz: compressed).") Path out;
    @Option(names = "--records", required = true, paramLabel = "FILE", description = "The"
        + " decisions' audit records, JSON Lines (protobuf's JSON mapping), for report.")
    Path records;

    @Override
    public Integer call() throws IOException {
      PrintWriter stdout = spec.commandLine().getOut();
      Policy parsed;
      try {
        parsed = Policy.parse(Files.readString(policy));
      } catch (Policy.InvalidPolicyException e) {
        throw new ParameterException(spec.commandLine(), "--policy: " + policy + ": "
            + e.getMessage());
      }
      ZoneId unknownZone;
      try {
        unknownZone = ZoneId.of(zone);
      } catch (DateTimeException e) {
        throw new ParameterException(spec.commandLine(), "--zone: " + zone + " is not a zone");
      }
      var models = new ModelRegistry(registry);
      var model = new EnumMap<Task, ServedModel>(Task.class);
      for (Task task : List.of(Task.DELINQUENCY, Task.CURE, Task.ROLL)) {
        String version = models.roles(task).champion();
        if (version == null) {
          throw new ParameterException(spec.commandLine(), "--registry: " + registry + " has no "
              + task.id() + " champion (./vigil up trains the defaults; ./vigil models train)");
        }
        model.put(task, new ServedModel(version, models.load(task, version),
            FeatureCatalogue.of(task)));
      }
      Simulator.Config config;
      try {
        config = new Simulator.Config(seed, customers, days, start, 0);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
      var printer = JsonFormat.printer().omittingInsignificantWhitespace();
      var arms = new LinkedHashMap<String, Long>();
      Files.createDirectories(records.toAbsolutePath().getParent());
      try (BufferedWriter recordsOut = Files.newBufferedWriter(records, StandardCharsets.UTF_8);
          var events = new EventFiles.EventWriter(out)) {
        var strategy = new PolicyStrategy(parsed, model, ReasonCatalogue.load(),
            EntityTokens.fromKeyFile(keyFile), unknownZone, r -> {
              arms.merge(r.getCollections().getStrategy().getStrategy(), 1L, Long::sum);
              try {
                printer.appendTo(r, recordsOut);
                recordsOut.write('\n');
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
        var sim = new Simulator(config, strategy);
        sim.run(e -> {
          strategy.accept(e);
          events.accept(e);
        });
        var s = sim.stats();
        stdout.printf(Locale.ROOT, "wrote %,d events to %s and %,d decisions to %s%n", s.events,
            out, arms.values().stream().mapToLong(Long::longValue).sum(), records);
        stdout.printf(Locale.ROOT, "policy %s, delinquency model %s, cure model %s, roll model"
            + " %s; decisions by strategy: %s; treatments delivered %,d, complaints %,d%n",
            parsed.version(), model.get(Task.DELINQUENCY).version(),
            model.get(Task.CURE).version(), model.get(Task.ROLL).version(),
            arms.entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining(", ")), s.treatments, s.complaints);
      }
      stdout.flush();
      return 0;
    }
  }

  @Command(name = "report", mixinStandardHelpOptions = true,
      description = "Each strategy arm's outcome from the delinquency decisions' audit records"
          + " and the events after them: accounts, cure and roll rates, promises kept, payments"
          + " collected (minor units per currency), contacts per cure, complaints (consents"
          + " revoked), hardship referrals, Regulation F call pauses and treatments without"
          + " consent for their preferred channel. Printed as a table; --out writes JSON.")
  static final class Report implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin DecisionsTopic decisions = new DecisionsTopic();
    @Option(names = "--records", paramLabel = "FILE", description = "The audit records, JSON"
        + " Lines (protobuf's JSON mapping), instead of the decisions topic.") Path records;
    @Option(names = "--events", required = true, paramLabel = "FILE", description = "The event"
        + " history after the decisions, JSON Lines (.gz read as compressed).") Path events;
    @Option(names = "--key-file", defaultValue = VigilHome.VAR + "/service/audit-token.key",
        paramLabel = "FILE", description = "The token key the records were made with, to find"
            + " the events' accounts in them%n(default: ${DEFAULT-VALUE}).") Path keyFile;
    @Option(names = "--horizon-days", defaultValue = "30", description = "How long after an"
        + " account's first past-due decision its outcome counts; accounts decided less than this"
        + " before the last event are not yet measured (default: ${DEFAULT-VALUE}).")
    int horizonDays;
    @Option(names = "--out", paramLabel = "FILE", description = "Also write the figures as"
        + " JSON.") Path json;

    @Override
    public Integer call() throws IOException {
      if (!Files.isRegularFile(keyFile)) {
        throw new ParameterException(spec.commandLine(), "--key-file: no key file at " + keyFile
            + " (the key the records were made with)");
      }
      if (!Files.isRegularFile(events)) {
        throw new ParameterException(spec.commandLine(), "--events: " + events
            + " is not a file");
      }
      if (horizonDays < 1) {
        throw new ParameterException(spec.commandLine(), "--horizon-days: must be 1 or more, not "
            + horizonDays);
      }
      EntityTokens tokens = EntityTokens.fromKeyFile(keyFile);
      List<AuditRecord> read = records != null ? fromFile(records) : fromTopic();
      List<Arm> arms = StrategyReport.compute(read,
          History.of(events, OnBadLine.SKIP), id -> tokens.token("ACCOUNT/" + id),
          Duration.ofDays(horizonDays).toMillis());
      PrintWriter out = spec.commandLine().getOut();
      out.printf(Locale.ROOT, "outcomes within %d days of each account's first past-due"
          + " decision%n", horizonDays);
      print(arms, out);
      out.flush();
      if (json != null) {
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .writeValue(json.toFile(), json(arms));
      }
      return arms.isEmpty() ? ToolCommandLine.FAILURE : 0;
    }

    private List<AuditRecord> fromTopic() throws IOException {
      var read = new ArrayList<AuditRecord>();
      for (ConsumerRecord<byte[], byte[]> r : decisions.readAll()) {
        if (r.value() != null) {
          try {
            read.add(AuditRecord.parseFrom(r.value()));
          } catch (InvalidProtocolBufferException e) {
            spec.commandLine().getErr().println("skipped " + decisions.topic() + " partition "
                + r.partition() + " offset " + r.offset() + ": not an audit record");
          }
        }
      }
      return read;
    }

    private List<AuditRecord> fromFile(Path file) throws IOException {
      var read = new ArrayList<AuditRecord>();
      var parser = JsonFormat.parser();
      try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        String line;
        int n = 0;
        while ((line = in.readLine()) != null) {
          n++;
          if (!line.isBlank()) {
            var record = AuditRecord.newBuilder();
            try {
              parser.merge(line, record);
            } catch (InvalidProtocolBufferException e) {
              throw new ParameterException(spec.commandLine(), "--records: " + file + " line "
                  + n + ": " + e.getMessage());
            }
            read.add(record.build());
          }
        }
      }
      return read;
    }
  }

  /** The table: one row per arm, then the challengers' cure-rate differences. */
  static void print(List<Arm> arms, PrintWriter out) {
    if (arms.isEmpty()) {
      out.println("no delinquency decision with a strategy arm in the records");
      return;
    }
    out.printf(Locale.ROOT, "%-20s %-10s %8s %9s %9s %9s %14s %9s %10s %9s %9s %9s%n",
        "strategy", "arm", "accounts", "cure", "roll", "promises", "collected", "contacts",
        "complaints", "hardship", "reg F", "no");
    out.printf(Locale.ROOT, "%-20s %-10s %8s %9s %9s %9s %14s %9s %10s %9s %9s %9s%n",
        "", "", "", "rate", "rate", "kept", "", "per cure", "", "referrals", "paused", "consent");
    for (Arm a : arms) {
      out.printf(Locale.ROOT, "%-20s %-10s %8d %8.1f%% %8.1f%% %8.1f%% %14s %9.1f %10d %9d %9d"
              + " %9d%n", a.key().strategy(), a.key().arm(), a.accounts(), 100 * a.cureRate(),
          100 * a.rollRate(), 100 * a.promiseKeptRate(), collected(a.collected()),
          a.contactsPerCure(), a.complaints(), a.hardshipReferrals(), a.callsPaused(),
          a.notConsented());
    }
    Arm champion = arms.get(0);
    for (Arm a : arms.subList(1, arms.size())) {
      if (champion.key().arm().equals("champion") && champion.accounts() > 0
          && a.accounts() > 0) {
        double[] d = StrategyReport.cureRateDifference(champion, a);
        out.printf(Locale.ROOT, "%s against champion: cure rate %+.1f points (95%% interval"
            + " %+.1f to %+.1f)%n", a.key().strategy(), 100 * d[0], 100 * (d[0] - d[1]),
            100 * (d[0] + d[1]));
      }
    }
  }

  private static String collected(Map<String, Long> byCurrency) {
    return byCurrency.isEmpty() ? "0" : byCurrency.entrySet().stream()
        .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
  }

  static List<Map<String, Object>> json(List<Arm> arms) {
    var out = new ArrayList<Map<String, Object>>();
    for (Arm a : arms) {
      var m = new LinkedHashMap<String, Object>();
      m.put("experiment", a.key().experiment());
      m.put("strategy", a.key().strategy());
      m.put("arm", a.key().arm());
      m.put("accounts", a.accounts());
      m.put("decisions", a.decisions());
      m.put("cured", a.cured());
      m.put("cure_rate", finite(a.cureRate()));
      m.put("rolled", a.rolled());
      m.put("roll_rate", finite(a.rollRate()));
      m.put("promises", a.promises());
      m.put("promises_kept", a.promisesKept());
      m.put("promise_kept_rate", finite(a.promiseKeptRate()));
      m.put("collected_minor_units", a.collected());
      m.put("contacts", a.contacts());
      m.put("contacts_per_cure", finite(a.contactsPerCure()));
      m.put("complaints", a.complaints());
      m.put("hardship_referrals", a.hardshipReferrals());
      m.put("regulation_f_calls_paused", a.callsPaused());
      m.put("channel_not_consented", a.notConsented());
      out.add(m);
    }
    return out;
  }

  /** JSON has no NaN: a rate with nothing to divide by is null. */
  private static Double finite(double x) {
    return Double.isFinite(x) ? x : null;
  }
}
