package dev.vigil.tools.policy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.sun.management.OperatingSystemMXBean;
import dev.vigil.features.event.EventFiles;
import dev.vigil.features.event.EventFiles.OnBadLine;
import dev.vigil.features.profile.FeatureCatalogue;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.history.History;
import dev.vigil.history.cli.Instants;
import dev.vigil.history.cli.VigilHome;
import dev.vigil.history.training.Labels;
import dev.vigil.history.training.TrainingSets;
import dev.vigil.registry.ModelRegistry;
import dev.vigil.scoring.model.ServedModel;
import dev.vigil.scoring.policy.ListBook;
import dev.vigil.scoring.policy.Policy;
import dev.vigil.scoring.reason.ReasonCatalogue;
import dev.vigil.proto.v1.AuditRecord;
import dev.vigil.tools.audit.AuditReplay;
import dev.vigil.tools.audit.DecisionsTopic;
import dev.vigil.tools.lists.ListsCommand;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code ./vigil policy}: what a policy change would do, before it serves. */
@Command(name = "policy", mixinStandardHelpOptions = true,
    description = "Policy evidence and lists: backtest a policy over a history; report shadow"
        + " policies against the live one from the audit records; the allow and block lists.")
public final class PolicyCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(),
        "name a subcommand: backtest, shadow-report or lists");
  }

  /** The command with its subcommands. */
  public static CommandLine commandLine() {
    var line = new CommandLine(new PolicyCommand());
    line.addSubcommand("backtest", new BacktestCommand());
    line.addSubcommand("shadow-report", new ShadowReportCommand());
    line.addSubcommand("lists", ListsCommand.commandLine());
    // --from/--to: a date (midnight UTC) or an instant; registered on the subcommands added above
    line.registerConverter(Instant.class, Instants::parse);
    return line;
  }

  /** The service's embedded default policy, as text. */
  static String defaultPolicy() throws IOException {
    try (InputStream in = Policy.class.getResourceAsStream("default-policy.yaml")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /**
   * The policy in {@code file}, named by {@code option} in the error when it does not validate
   * (with Policy.parse's field).
   */
  static Policy policy(String option, Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    try {
      return Policy.parse(text);
    } catch (Policy.InvalidPolicyException e) {
      throw new IllegalArgumentException(option + " " + file + ": " + e.getMessage());
    }
  }

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  /** The names of {@code task}'s rules in a policy's text, in order (it parsed already). */
  static List<String> ruleNames(String text, Task task) {
    try {
      Policy.Spec spec = YAML.readValue(text, Policy.Spec.class);
      Policy.TaskSpec t = switch (task) {
        case FRAUD -> spec.transaction();
        case DEPOSIT -> spec.deposit();
        case DELINQUENCY, CURE, ROLL -> spec.delinquency();
      };
      var names = new ArrayList<String>();
      if (t != null && t.rules() != null) {
        t.rules().forEach(r -> names.add(r.name()));
      }
      return names;
    } catch (IOException e) {
      return List.of();
    }
  }

  /** {@code ./vigil policy backtest}. */
  @Command(name = "backtest", mixinStandardHelpOptions = true,
      description = "Backtest a policy: replay an event history through the serving fold"
          + " (point-in-time features), score every debit transaction, check deposit and"
          + " delinquency as-of date with the registry's model, decide with the new policy and"
          + " the baseline, and report the differences with the history's outcomes (JSON and"
          + " HTML in --out, a summary on stdout).")
  static final class BacktestCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--events", required = true, paramLabel = "FILE", description = "The event"
        + " history, JSON Lines (.gz read as compressed), in arrival order, streamed.")
    Path events;

    @Option(names = "--policy", required = true, paramLabel = "FILE",
        description = "The policy to try (YAML, as the service's policy.yaml).")
    Path policy;

    @Option(names = "--baseline", paramLabel = "FILE", description = "The policy to compare"
        + " with (default: the service's embedded default policy).")
    Path baseline;

    @Option(names = "--from", description = "First event time included, a date (2026-02-01,"
        + " midnight UTC) or an instant (default: the first event).")
    Instant from;

    @Option(names = "--to", description = "End of the times included (exclusive), a date or an"
        + " instant (default: after the last event).")
    Instant to;

    @Option(names = "--task", split = ",", paramLabel = "TASK", description = "The tasks to"
        + " backtest: fraud, deposit, delinquency, comma-separated (default: all three).")
    List<String> taskNames = new ArrayList<>();

    @Option(names = "--model-version", paramLabel = "TASK=VERSION", description = "The model"
        + " version to score a task with: fraud, deposit, delinquency, cure or roll (repeatable;"
        + " default: the registry's champion of each task).")
    Map<String, String> modelVersions = new LinkedHashMap<>();

    @Option(names = "--registry", defaultValue = VigilHome.VAR + "/models", paramLabel = "DIR",
        description = "The model registry (default: ${DEFAULT-VALUE}).")
    Path registry;

    @Option(names = "--schedule", defaultValue = "weekly", description = "Delinquency as-of"
        + " times: weekly (midnight UTC every 7 days), monthly, or dates (default:"
        + " ${DEFAULT-VALUE}).")
    String schedule;

    @Option(names = "--horizon-days", defaultValue = "90", description = "Delinquency outcome"
        + " of a current account: 30+ days past due within this many days of the as-of date"
        + " (default: ${DEFAULT-VALUE}); an account past due is bad when not back to current"
        + " within 30 days (the cure model's outcome).")
    int horizonDays;

    @Option(names = "--lists", paramLabel = "FILE", description = "The allow and block lists'"
        + " change log, JSON Lines as `./vigil policy lists export` writes it: each case sees the"
        + " entries that applied at its own time (default: no lists).")
    Path lists;

    @Option(names = "--out", defaultValue = "backtest", paramLabel = "DIR", description = "Where"
        + " to write report.json and report.html (default: ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() throws IOException {
      long t0 = System.nanoTime();
      PrintWriter stdout = spec.commandLine().getOut();
      if (!Files.isRegularFile(events)) {
        throw new NoSuchFileException(events.toString());
      }
      Set<Task> tasks = tasks(spec, taskNames);
      String proposedText = Files.readString(policy, StandardCharsets.UTF_8);
      Policy proposed = policy("--policy", policy);
      String baselineText = baseline == null ? defaultPolicy()
          : Files.readString(baseline, StandardCharsets.UTF_8);
      Policy base = baseline == null ? Policy.parse(baselineText)
          : policy("--baseline", baseline);
      if (horizonDays < 1) {
        throw new ParameterException(spec.commandLine(), "--horizon-days: must be at least 1,"
            + " not " + horizonDays);
      }
      Map<Task, ServedModel> models = models(spec, registry, tasks, modelVersions);
      // two passes: the outcomes (and the history's span), then the fold
      var labels = new Labels();
      var report = EventFiles.read(events, OnBadLine.SKIP, labels::observe);
      if (report.events() == 0) {
        throw new IllegalArgumentException("--events " + events + ": holds no event");
      }
      long lo = from == null ? report.firstMillis() : from.toEpochMilli();
      long hi = to == null ? report.lastMillis() + 1 : to.toEpochMilli();
      if (hi <= lo) {
        throw new ParameterException(spec.commandLine(), "--to: must be after --from");
      }
      var window = new Backtest.Window(lo, hi, TrainingSets.schedule(schedule, lo, hi),
          Duration.ofDays(horizonDays));
      if (lists != null && !Files.isRegularFile(lists)) {
        throw new NoSuchFileException(lists.toString());
      }
      ListBook book = lists == null ? ListBook.EMPTY : ListBook.load(lists);
      var backtest = new Backtest(base, proposed, models, ReasonCatalogue.load(), tasks, book);
      var comparison = new PolicyComparison("baseline", "proposed");
      for (Task task : tasks) {
        comparison.declareRules(task, false, ruleNames(baselineText, task));
        comparison.declareRules(task, true, ruleNames(proposedText, task));
      }
      Backtest.Run run = backtest.run(History.of(events, OnBadLine.SKIP), window, labels,
          report.lastMillis(), comparison::add);
      double seconds = (System.nanoTime() - t0) / 1e9;
      double cpu = processCpuSeconds();
      var about = new LinkedHashMap<String, String>();
      about.put("history", events + " (" + String.format(Locale.ROOT, "%,d", run.events())
          + " events" + (report.badLines() > 0 ? ", " + report.badLines() + " bad lines skipped"
              : "") + ")");
      about.put("window", Instant.ofEpochMilli(lo) + " to " + Instant.ofEpochMilli(hi));
      about.put("baseline", (baseline == null ? "the default policy" : baseline.toString())
          + " (version " + base.version() + ")");
      about.put("proposed", policy + " (version " + proposed.version() + ")");
      models.forEach((task, m) -> about.put("model " + task.id(), m.version()));
      about.put("outcomes", "fraud reported (known " + TrainingSets.FRAUD_REPORT_DELAY.toDays()
          + " days after), deposit returned (" + TrainingSets.DEPOSIT_RETURN_DELAY.toDays()
          + " days), 30+ days past due within " + horizonDays + " days (past due: not cured"
          + " within " + TrainingSets.DEFAULT_CURE_HORIZON_DAYS + " days); the history ends "
          + Instant.ofEpochMilli(run.historyEndMillis()));
      about.put("cases", String.format(Locale.ROOT, "%,d", run.cases()));
      about.put("wall time", String.format(Locale.ROOT, "%.1f s (%.1f s of CPU)", seconds, cpu));
      var written = new ComparisonReport(comparison, about);
      Path html = written.write(out);
      stdout.print(written.summary());
      stdout.printf(Locale.ROOT, "%,d cases from %,d events in %.1f s (%.1f s of CPU);"
          + " report: %s and %s%n", run.cases(), run.events(), seconds, cpu, html,
          out.resolve("report.json"));
      stdout.flush();
      return 0;
    }
  }

  /** The CPU time this process has used, in seconds (NaN where the JVM cannot say). */
  static double processCpuSeconds() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof OperatingSystemMXBean os) {
      return os.getProcessCpuTime() / 1e9;
    }
    return Double.NaN;
  }

  static Set<Task> tasks(CommandSpec spec, List<String> names) {
    if (names.isEmpty()) {
      return EnumSet.of(Task.FRAUD, Task.DEPOSIT, Task.DELINQUENCY);
    }
    var tasks = EnumSet.noneOf(Task.class);
    for (String n : names) {
      Task found = null;
      for (Task t : Task.values()) {
        if (!t.pastDueAccounts() && t.id().equals(n.trim().toLowerCase(Locale.ROOT))) {
          found = t;
        }
      }
      if (found == null) {
        throw new ParameterException(spec.commandLine(), "--task: " + n
            + " is not fraud, deposit or delinquency (delinquency covers the cure and roll models"
            + " too)");
      }
      tasks.add(found);
    }
    return tasks;
  }

  /** The model of each task: the version asked for, else the registry's champion. */
  static Map<Task, ServedModel> models(CommandSpec spec, Path registryDir, Set<Task> tasks,
      Map<String, String> versions) throws IOException {
    if (!Files.isDirectory(registryDir)) {
      throw new ParameterException(spec.commandLine(), "--registry: " + registryDir
          + " is not a directory (train the default models: ./vigil models defaults)");
    }
    for (String t : versions.keySet()) {
      if (!t.equals(Task.CURE.id()) && !t.equals(Task.ROLL.id())) {
        tasks(spec, List.of(t)); // names the task
      }
    }
    var registry = new ModelRegistry(registryDir);
    var models = new EnumMap<Task, ServedModel>(Task.class);
    var scored = EnumSet.copyOf(tasks);
    if (tasks.contains(Task.DELINQUENCY)) {
      scored.add(Task.CURE); // a past-due account is the cure model's, as served
      scored.add(Task.ROLL); // and the roll model's beside it
    }
    for (Task task : scored) {
      String version = versions.get(task.id());
      if (version == null) {
        version = registry.roles(task).champion();
        if (version == null) {
          throw new IllegalArgumentException("--registry " + registryDir + ": no " + task.id()
              + " champion; name one with --model-version " + task.id() + "=VERSION");
        }
      }
      try {
        models.put(task, new ServedModel(version, registry.load(task, version),
            FeatureCatalogue.of(task)));
      } catch (IOException | RuntimeException e) {
        throw new IllegalArgumentException("--model-version: " + task.id() + " " + version
            + " is not in the registry " + registryDir + ": " + e.getMessage());
      }
    }
    return models;
  }

  /** {@code ./vigil policy shadow-report}. */
  @Command(name = "shadow-report", mixinStandardHelpOptions = true,
      description = "Report shadow policies against the live one from the audit records: each"
          + " decision's live decision beside each shadow policy's, as a backtest reports them"
          + " (outcomes from --events when given, else counts only); one report per shadow"
          + " policy version in --out.")
  static final class ShadowReportCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin DecisionsTopic decisions = new DecisionsTopic();

    @Option(names = "--records", paramLabel = "FILE", description = "Read the audit records in"
        + " FILE (JSON Lines, each an AuditRecord in protobuf's JSON mapping) instead of the"
        + " decisions topic.")
    Path records;

    @Option(names = "--events", paramLabel = "FILE", description = "The event history the"
        + " outcomes are read from (fraud reports, returned deposits), JSON Lines.")
    Path events;

    @Option(names = "--out", defaultValue = "shadow-report", paramLabel = "DIR",
        description = "Where to write each shadow policy's report.json and report.html, in a"
            + " directory named by its version (default: ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() throws IOException {
      PrintWriter stdout = spec.commandLine().getOut();
      if (events != null && !Files.isRegularFile(events)) {
        throw new NoSuchFileException(events.toString());
      }
      List<AuditRecord> read = records != null ? AuditReplay.fromFile(spec, records)
          : AuditReplay.fromTopic(spec, decisions);
      var report = new ShadowReport(events == null ? Optional.empty()
          : Optional.of(ShadowReport.Outcomes.of(History.of(events, OnBadLine.SKIP))));
      read.forEach(report::add);
      stdout.printf(Locale.ROOT, "%,d decisions, %,d without a shadow decision%n",
          report.records(), report.withoutShadow());
      for (Map.Entry<String, PolicyComparison> e : report.comparisons().entrySet()) {
        var about = new LinkedHashMap<String, String>();
        about.put("records", records != null ? records.toString()
            : "topic " + decisions.topic());
        about.put("shadow policy", e.getKey());
        about.put("outcomes", events == null ? "none (no --events): counts only"
            : "from " + events);
        var written = new ComparisonReport(e.getValue(), about);
        Path html = written.write(out.resolve(e.getKey()));
        stdout.println("shadow policy " + e.getKey() + ":");
        stdout.print(written.summary());
        stdout.println("report: " + html);
      }
      stdout.flush();
      return report.comparisons().isEmpty() ? 1 : 0;
    }
  }
}
