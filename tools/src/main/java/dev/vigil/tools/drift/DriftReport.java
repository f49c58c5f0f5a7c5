package dev.vigil.tools.drift;

import dev.vigil.features.profile.FeatureCatalogue;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.history.cli.Instants;
import dev.vigil.history.cli.VigilHome;
import dev.vigil.proto.v1.AuditRecord;
import dev.vigil.registry.ModelCard;
import dev.vigil.registry.ModelRegistry;
import dev.vigil.scoring.drift.Population;
import dev.vigil.tools.audit.DecisionsTopic;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ./vigil models drift}: the decisions a champion made in a period (from the audit records
 * on the decisions topic, which carry every feature value and the score) against the
 * population the champion was trained on (its card's reference rows), as an HTML page: every
 * feature and the score ranked by population stability index, each with its training and live
 * shares per bin drawn side by side.
 */
@Command(name = "drift", mixinStandardHelpOptions = true,
    description = "Write an HTML report of a task's live feature and score distributions against"
        + " its champion's training population (population stability index, ranked).")
public final class DriftReport implements Callable<Integer> {
  @Option(names = "--task", required = true, description = "fraud, deposit or delinquency.")
  String task;

  @Option(names = "--registry", defaultValue = VigilHome.VAR + "/models",
      description = "The model registry (default: ${DEFAULT-VALUE}).")
  Path registry;

  @Option(names = "--model-version", description = "The model version whose decisions are compared"
      + " (default: the task's champion).")
  String version;

  @Option(names = "--from", description = "First decision time included, a date (2026-11-01,"
      + " midnight UTC) or an instant (default: the earliest on the topic).")
  Instant from;

  @Option(names = "--to", description = "Decision time up to which (exclusive) decisions are"
      + " included, a date or an instant (default: no limit).")
  Instant to;

  @Mixin DecisionsTopic decisions = new DecisionsTopic();

  @Option(names = "--out", defaultValue = "drift.html",
      description = "The report to write (default: ${DEFAULT-VALUE}, where the command runs).")
  Path out;

  /** One variable's comparison. */
  public record Row(String variable, double psi, Population population, double[] live) {}

  /**
   * Every feature of {@code names} against the card's reference rows, in {@code names} order.
   *
   * @param features the live decisions' feature values, in {@code names} order
   */
  public static List<Row> compare(ModelCard card, List<String> names, List<double[]> features) {
    var rows = new ArrayList<Row>();
    for (int i = 0; i < names.size(); i++) {
      double[] values = new double[features.size()];
      for (int r = 0; r < values.length; r++) {
        values[r] = features.get(r)[i];
      }
      rows.add(row(names.get(i), Population.ofColumn(card.reference(), i), values));
    }
    return rows;
  }

  private static Row row(String variable, Population population, double[] values) {
    long[] counts = new long[population.bins()];
    for (double v : values) {
      counts[population.bin(v)]++;
    }
    double[] shares = new double[counts.length];
    for (int b = 0; b < counts.length; b++) {
      shares[b] = values.length == 0 ? 0 : (double) counts[b] / values.length;
    }
    return new Row(variable, population.psi(counts, values.length), population, shares);
  }

  @Override
  public Integer call() throws IOException {
    Task t = Task.valueOf(task.toUpperCase(Locale.ROOT));
    var models = new ModelRegistry(registry);
    String v = version != null ? version : models.roles(t).champion();
    if (v == null) {
      throw new CommandLine.ParameterException(new CommandLine(this), "--task: " + task
          + " has no champion in " + registry + "; name a --model-version");
    }
    var loaded = models.load(t, v);
    var model = new dev.vigil.scoring.model.ServedModel(v, loaded, FeatureCatalogue.of(t));
    if (!model.explainsAgainstPopulation()) {
      throw new CommandLine.ParameterException(new CommandLine(this), "--model-version: " + v
          + " was published without reference rows (before drift monitoring): republish it");
    }
    List<String> names = FeatureCatalogue.of(t).names();
    var features = new ArrayList<double[]>();
    var scores = new ArrayList<Integer>();
    for (ConsumerRecord<byte[], byte[]> r : decisions.readAll()) {
      AuditRecord a = AuditRecord.parseFrom(r.value());
      Instant at = Instant.ofEpochSecond(a.getDecidedAt().getSeconds(),
          a.getDecidedAt().getNanos());
      // a roll result is no record of its own: it is the cure record's roll, on the same values
      boolean roll = t == Task.ROLL;
      boolean scored = roll
          ? a.getTask() == Task.CURE.wire() && a.hasRoll() && a.getRoll().getError().isEmpty()
              && v.equals(a.getRoll().getModelVersion())
          : a.getTask() == t.wire() && v.equals(a.getScore().getModelVersion());
      if (!scored || a.hasModelChange() || a.getScore().getStandIn()
          || (from != null && at.isBefore(from)) || (to != null && !at.isBefore(to))) {
        continue;
      }
      double[] row = new double[names.size()];
      for (int i = 0; i < row.length; i++) {
        row[i] = a.getFeaturesOrDefault(names.get(i), Double.NaN);
      }
      features.add(row);
      scores.add(roll ? a.getRoll().getScore() : a.getScore().getScore());
    }
    List<Row> rows = rank(loaded.card(), names, features, scores, model);
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, html(t, v, features.size(), rows));
    System.out.printf("%s %s: %,d decisions compared; wrote %s (largest index: %s %.3f)%n",
        t.id(), v, features.size(), out.toAbsolutePath(), rows.isEmpty() ? "-"
            : rows.get(0).variable(), rows.isEmpty() ? 0 : rows.get(0).psi());
    return 0;
  }

  /**
   * {@link #compare}, and the score against the champion's own scores of its reference rows,
   * ranked by index, largest first.
   */
  static List<Row> rank(ModelCard card, List<String> names, List<double[]> features,
      List<Integer> scores, dev.vigil.scoring.model.ServedModel model) {
    var rows = new ArrayList<>(compare(card, names, features));
    rows.add(row("score", Population.of(model.referenceScores()),
        scores.stream().mapToDouble(Integer::doubleValue).toArray()));
    rows.sort(Comparator.comparingDouble(Row::psi).reversed());
    return rows;
  }

  /** The report: a table of indices, then each variable's shares as paired bars. */
  static String html(Task task, String version, int decisions, List<Row> rows) {
    var h = new StringBuilder();
    h.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>Vigil drift: ")
        .append(task.id()).append(' ').append(version).append("</title><style>")
        .append("body{font-family:sans-serif;margin:2em}td,th{padding:2px 10px;text-align:left}")
        .append(".moved{color:#b00}.shifting{color:#b60}.stable{color:#070}</style></head><body>")
        .append("<h1>Drift: ").append(task.id()).append(' ').append(version).append("</h1>")
        .append("<p>").append(String.format(Locale.ROOT, "%,d", decisions))
        .append(" decisions against the model's training population. Population stability"
            + " index: under 0.1 stable, 0.1 to 0.25 shifting, over 0.25 moved.</p>")
        .append("<table><tr><th>variable</th><th>PSI</th><th></th></tr>");
    for (Row r : rows) {
      String level = r.psi() > 0.25 ? "moved" : r.psi() >= 0.1 ? "shifting" : "stable";
      h.append("<tr><td><a href=\"#").append(r.variable()).append("\">").append(r.variable())
          .append("</a></td><td>").append(String.format(Locale.ROOT, "%.3f", r.psi()))
          .append("</td><td class=\"").append(level).append("\">").append(level)
          .append("</td></tr>");
    }
    h.append("</table>");
    for (Row r : rows) {
      h.append("<h2 id=\"").append(r.variable()).append("\">").append(r.variable())
          .append(String.format(Locale.ROOT, " (PSI %.3f)", r.psi())).append("</h2>")
          .append(bars(r));
    }
    return h.append("<p>Grey: training; blue: live.</p></body></html>").toString();
  }

  /** Training (grey) and live (blue) shares per bin, as an SVG bar chart. */
  private static String bars(Row r) {
    int bins = r.live().length;
    int width = 60 * bins + 20;
    var svg = new StringBuilder("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"")
        .append(width).append("\" height=\"170\" role=\"img\">");
    for (int b = 0; b < bins; b++) {
      double training = r.population().expected()[b];
      double live = r.live()[b];
      int x = 10 + 60 * b;
      svg.append(bar(x, training, "#999")).append(bar(x + 24, live, "#36c"));
      String label = b < r.population().upper().length
          ? "≤ " + number(r.population().upper()[b]) : "more";
      svg.append("<text x=\"").append(x).append("\" y=\"165\" font-size=\"10\">")
          .append(label).append("</text>");
    }
    return svg.append("</svg>").toString();
  }

  private static String bar(int x, double share, String colour) {
    int height = (int) Math.round(140 * Math.min(1, share));
    return "<rect x=\"" + x + "\" y=\"" + (145 - height) + "\" width=\"22\" height=\"" + height
        + "\" fill=\"" + colour + "\"><title>" + String.format(Locale.ROOT, "%.1f%%",
        100 * share) + "</title></rect>";
  }

  private static String number(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e9 ? Long.toString((long) v)
        : String.format(Locale.ROOT, "%.3g", v);
  }

  /** {@code ./vigil models drift}, reading every time as a date (midnight UTC) or an instant. */
  public static CommandLine commandLine() {
    return new CommandLine(new DriftReport()).registerConverter(Instant.class, Instants::parse);
  }
}
