package dev.vigil.tools.policy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.tools.policy.PolicyCase.Outcome;
import dev.vigil.tools.policy.PolicyComparison.ChannelContacts;
import dev.vigil.tools.policy.PolicyComparison.RuleHits;
import dev.vigil.tools.policy.PolicyComparison.SideComparison;
import dev.vigil.tools.policy.PolicyComparison.TaskComparison;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Currency;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * A {@link PolicyComparison} written out: JSON (every figure), a self-contained HTML page
 * (tables and inline SVG plots, no script), and the summary printed on stdout. Money is shown
 * per ISO 4217 currency, in minor units in the JSON and as major units with the code in the page
 * and summary; currencies are never added together.
 */
public final class ComparisonReport {
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT);

  private final PolicyComparison comparison;
  private final Map<String, String> about;

  /**
   * @param about what was compared, shown at the top ("history", "policy", "baseline", "model
   *     fraud", "wall time"...), in order
   */
  public ComparisonReport(PolicyComparison comparison, Map<String, String> about) {
    this.comparison = comparison;
    this.about = about;
  }

  /** Writes {@code report.json} and {@code report.html} into {@code dir}; the HTML's path. */
  public Path write(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("report.json"), json(), StandardCharsets.UTF_8);
    Path html = dir.resolve("report.html");
    Files.writeString(html, html(), StandardCharsets.UTF_8);
    return html;
  }

  /** Every figure, as JSON. */
  public String json() throws IOException {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode a = root.putObject("about");
    about.forEach(a::put);
    root.put("baseline", comparison.baselineName());
    root.put("proposed", comparison.proposedName());
    ObjectNode tasks = root.putObject("tasks");
    comparison.tasks().forEach((task, t) -> {
      ObjectNode n = tasks.putObject(task.id());
      n.put("cases", t.cases());
      ObjectNode outcomes = n.putObject("outcomes");
      for (Outcome o : Outcome.values()) {
        outcomes.put(o.name(), t.outcomes(o));
      }
      for (boolean proposed : new boolean[] {false, true}) {
        n.set(name(proposed), side(task, t.side(proposed)));
      }
      ObjectNode changes = n.putObject("changes");
      t.changes().forEach((from, row) -> {
        ObjectNode r = changes.putObject(from);
        row.forEach((to, tally) -> r.set(to, tally(tally)));
      });
      n.set("changed", tally(t.changed()));
      if (!t.treatmentChanges().isEmpty()) {
        ObjectNode tc = n.putObject("treatment_changes");
        t.treatmentChanges().forEach((from, row) -> {
          ObjectNode r = tc.putObject(from);
          row.forEach(r::put);
        });
      }
    });
    return JSON.writeValueAsString(root) + "\n";
  }

  private String name(boolean proposed) {
    return proposed ? comparison.proposedName() : comparison.baselineName();
  }

  private static ObjectNode side(Task task, SideComparison s) {
    ObjectNode n = JSON.createObjectNode();
    ObjectNode mix = n.putObject("decisions");
    for (String d : s.decisions()) {
      ObjectNode dn = mix.putObject(d);
      dn.put("adverse", s.adverse(d));
      dn.set("all", tally(s.decision(d)));
      for (Outcome o : Outcome.values()) {
        dn.set(o.name(), tally(s.decision(d, o)));
      }
    }
    if (task != Task.DELINQUENCY) {
      n.set("bad_caught", tally(s.outcome(Outcome.BAD, true)));
      n.set("bad_missed", tally(s.outcome(Outcome.BAD, false)));
      n.set("good_declined_or_held", tally(s.outcome(Outcome.GOOD, true)));
    } else {
      n.set("delinquent_flagged", tally(s.outcome(Outcome.BAD, true)));
      n.set("delinquent_missed", tally(s.outcome(Outcome.BAD, false)));
      n.set("current_contacted", tally(s.outcome(Outcome.GOOD, true)));
    }
    ObjectNode rules = n.putObject("rules");
    s.rules().forEach((rule, hits) -> {
      ObjectNode r = rules.putObject(rule);
      if (s.holdingKnown()) {
        r.put("held", hits.held());
        r.put("alone", hits.alone());
      } else {
        r.putNull("held");
        r.putNull("alone");
      }
      r.put("first", hits.first());
    });
    if (!s.reviewsPerDay().isEmpty()) {
      ObjectNode q = n.putObject("reviews_per_day");
      s.reviewsPerDay().forEach((day, count) -> q.put(day.toString(), count));
    }
    if (!s.treatments().isEmpty()) {
      ObjectNode tr = n.putObject("treatments");
      s.treatments().forEach(tr::put);
      ObjectNode c = n.putObject("contacts");
      s.contacts().forEach((channel, cc) -> {
        ObjectNode cn = c.putObject(channel);
        cn.put("contacts", cc.contacts());
        cn.put("regulation_f_blocked", cc.regulationFBlocked());
      });
    }
    ObjectNode reasons = n.putObject("reasons");
    s.reasons().forEach(reasons::put);
    return n;
  }

  private static ObjectNode tally(Tally t) {
    ObjectNode n = JSON.createObjectNode();
    n.put("count", t.count());
    ObjectNode money = n.putObject("money");
    t.money().forEach(money::put);
    if (t.holdDays() != 0) {
      n.put("hold_days", t.holdDays());
    }
    return n;
  }

  /** The printed summary: per task, each side's mix, the changes, outcomes and rule hits. */
  public String summary() {
    var b = new StringBuilder();
    comparison.tasks().forEach((task, t) -> {
      b.append(task.id()).append(": ").append(String.format(Locale.ROOT, "%,d", t.cases()))
          .append(String.format(Locale.ROOT, " cases (outcome bad %,d, good %,d, not yet known"
              + " %,d)\n", t.outcomes(Outcome.BAD), t.outcomes(Outcome.GOOD),
              t.outcomes(Outcome.UNKNOWN)));
      for (boolean proposed : new boolean[] {false, true}) {
        SideComparison s = t.side(proposed);
        b.append(String.format(Locale.ROOT, "  %-9s", name(proposed)));
        for (String d : s.decisions()) {
          b.append(' ').append(d).append(' ')
              .append(String.format(Locale.ROOT, "%,d", s.decision(d).count()));
        }
        b.append('\n');
        if (task != Task.DELINQUENCY) {
          b.append("            ").append(task == Task.FRAUD ? "fraud" : "returned")
              .append(" caught ").append(count(s.outcome(Outcome.BAD, true)))
              .append(", missed ").append(count(s.outcome(Outcome.BAD, false)))
              .append("; good declined or held ").append(count(s.outcome(Outcome.GOOD, true)))
              .append('\n');
        } else {
          b.append("            later bad (30+ days past due, or not cured): flagged ")
              .append(count(s.outcome(Outcome.BAD, true))).append(", missed ")
              .append(count(s.outcome(Outcome.BAD, false))).append("; contacts");
          s.contacts().forEach((channel, cc) -> b.append(' ').append(channel).append(' ')
              .append(String.format(Locale.ROOT, "%,d", cc.contacts()))
              .append(cc.regulationFBlocked() > 0 ? String.format(Locale.ROOT,
                  " (%,d paused by Regulation F)", cc.regulationFBlocked()) : ""));
          b.append('\n');
        }
      }
      b.append("  changed   ").append(count(t.changed()));
      var moves = new ArrayList<String>();
      t.changes().forEach((from, row) -> row.forEach((to, tally) -> {
        if (!from.equals(to)) {
          moves.add(from + "->" + to + " " + String.format(Locale.ROOT, "%,d", tally.count()));
        }
      }));
      b.append(moves.isEmpty() ? "" : ": " + String.join(", ", moves)).append('\n');
    });
    return b.toString();
  }

  /** "12 (USD 1,234.56)": a count with its money, currency by currency. */
  static String count(Tally t) {
    var b = new StringBuilder(String.format(Locale.ROOT, "%,d", t.count()));
    if (!t.money().isEmpty()) {
      var parts = new ArrayList<String>();
      t.money().forEach((currency, units) -> parts.add(money(currency, units)));
      b.append(" (").append(String.join(", ", parts));
      if (t.holdDays() > 0) {
        b.append(String.format(Locale.ROOT, ", %,d hold days", t.holdDays()));
      }
      b.append(')');
    }
    return b.toString();
  }

  /** Minor units as major units with the ISO 4217 code: "USD 1,234.56". */
  static String money(String currency, long minorUnits) {
    int digits;
    try {
      digits = Math.max(0, Currency.getInstance(currency).getDefaultFractionDigits());
    } catch (IllegalArgumentException e) {
      digits = 2;
    }
    BigDecimal major = BigDecimal.valueOf(minorUnits, digits);
    return currency + " " + String.format(Locale.ROOT, "%,." + digits + "f", major);
  }

  /** The page: tables and inline SVG, no script, no external resource. */
  public String html() {
    var b = new StringBuilder("""
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>Vigil policy comparison</title>
        <style>
        body{font-family:system-ui,sans-serif;margin:2em;color:#222}
        table{border-collapse:collapse;margin:.5em 0 1.5em}
        td,th{border:1px solid #ccc;padding:.25em .6em;text-align:right}
        th{background:#f3f3f3}td.l,th.l{text-align:left}
        .same{color:#999}.diff{background:#fff3cd}
        </style></head><body>
        <h1>Policy comparison</h1>
        <table>""");
    about.forEach((k, v) -> b.append("<tr><th class=l>").append(esc(k))
        .append("</th><td class=l>").append(esc(v)).append("</td></tr>"));
    b.append("</table>\n");
    String bn = esc(comparison.baselineName());
    String pn = esc(comparison.proposedName());
    comparison.tasks().forEach((task, t) -> {
      b.append("<h2>").append(task.id()).append("</h2>\n<p>")
          .append(String.format(Locale.ROOT, "%,d", t.cases())).append(" cases; outcome bad ")
          .append(t.outcomes(Outcome.BAD)).append(", good ").append(t.outcomes(Outcome.GOOD))
          .append(", not yet known ").append(t.outcomes(Outcome.UNKNOWN)).append("</p>\n");
      // decision mix
      var decisions = new TreeSet<String>(t.baseline().decisions());
      decisions.addAll(t.proposed().decisions());
      b.append("<h3>Decision mix</h3><table><tr><th class=l>decision</th><th>").append(bn)
          .append("</th><th>").append(bn).append(" money</th><th>").append(pn)
          .append("</th><th>").append(pn).append(" money</th></tr>");
      for (String d : decisions) {
        Tally x = t.baseline().decision(d);
        Tally y = t.proposed().decision(d);
        b.append("<tr><td class=l>").append(esc(d)).append("</td><td>").append(x.count())
            .append("</td><td>").append(moneyCell(x)).append("</td><td>").append(y.count())
            .append("</td><td>").append(moneyCell(y)).append("</td></tr>");
      }
      b.append("</table>\n").append(bars(decisions, t));
      // changes matrix
      b.append("<h3>Changes (").append(bn).append(" &rarr; ").append(pn)
          .append(")</h3><table><tr><th class=l>from \\ to</th>");
      for (String d : decisions) {
        b.append("<th>").append(esc(d)).append("</th>");
      }
      b.append("</tr>");
      for (String from : decisions) {
        b.append("<tr><th class=l>").append(esc(from)).append("</th>");
        for (String to : decisions) {
          Tally cell = t.changes().getOrDefault(from, Map.of()).get(to);
          b.append("<td class=").append(from.equals(to) ? "same" : cell == null ? "" : "diff")
              .append('>').append(cell == null ? "" : count(cell)).append("</td>");
        }
        b.append("</tr>");
      }
      b.append("</table>\n");
      // outcomes
      b.append("<h3>Outcomes</h3><table><tr><th class=l></th><th>").append(bn)
          .append("</th><th>").append(pn).append("</th></tr>");
      String[][] rows = task == Task.DELINQUENCY
          ? new String[][] {{"later bad, flagged (not CURRENT_LOW_RISK)", "BAD", "t"},
              {"later bad, missed", "BAD", "f"},
              {"stayed current, flagged", "GOOD", "t"}}
          : new String[][] {{(task == Task.FRAUD ? "fraud" : "returned deposits")
              + " caught (money saved)", "BAD", "t"},
              {(task == Task.FRAUD ? "fraud" : "returned deposits") + " missed", "BAD", "f"},
              {"good customers declined or held", "GOOD", "t"}};
      for (String[] r : rows) {
        b.append("<tr><td class=l>").append(esc(r[0])).append("</td>");
        for (boolean proposed : new boolean[] {false, true}) {
          b.append("<td>").append(count(t.side(proposed).outcome(Outcome.valueOf(r[1]),
              r[2].equals("t")))).append("</td>");
        }
        b.append("</tr>");
      }
      b.append("</table>\n");
      // good customers per adverse decision
      b.append("<table><tr><th class=l>good customers by decision</th><th>").append(bn)
          .append("</th><th>").append(pn).append("</th></tr>");
      for (String d : decisions) {
        if (t.baseline().adverse(d) || t.proposed().adverse(d)) {
          b.append("<tr><td class=l>").append(esc(d)).append("</td><td>")
              .append(count(t.baseline().decision(d, Outcome.GOOD))).append("</td><td>")
              .append(count(t.proposed().decision(d, Outcome.GOOD))).append("</td></tr>");
        }
      }
      b.append("</table>\n");
      // review queue
      if (!t.baseline().reviewsPerDay().isEmpty() || !t.proposed().reviewsPerDay().isEmpty()) {
        b.append("<h3>Review queue per day</h3>\n").append(queuePlot(t));
      }
      // rules
      b.append("<h3>Hits per rule</h3>");
      for (boolean proposed : new boolean[] {false, true}) {
        SideComparison s = t.side(proposed);
        b.append("<table><tr><th class=l>").append(esc(name(proposed)))
            .append(" rule</th><th>held</th><th>alone</th><th>first (decided)</th></tr>");
        for (Map.Entry<String, RuleHits> e : s.rules().entrySet()) {
          RuleHits h = e.getValue();
          b.append("<tr><td class=l>").append(esc(e.getKey())).append("</td><td>")
              .append(s.holdingKnown() ? Long.toString(h.held()) : "n/a").append("</td><td>")
              .append(s.holdingKnown() ? Long.toString(h.alone()) : "n/a").append("</td><td>")
              .append(h.first()).append("</td></tr>");
        }
        b.append("</table>\n");
      }
      if (!t.treatmentChanges().isEmpty()) {
        b.append("<h3>Treatments (").append(bn).append(" &rarr; ").append(pn)
            .append(")</h3><table><tr><th class=l>from</th><th class=l>to</th><th>accounts</th>"
                + "</tr>");
        t.treatmentChanges().forEach((from, row) -> row.forEach((to, n) -> b.append("<tr")
            .append(from.equals(to) ? " class=same" : "").append("><td class=l>")
            .append(esc(from)).append("</td><td class=l>").append(esc(to)).append("</td><td>")
            .append(n).append("</td></tr>")));
        b.append("</table>\n<h3>Contacts by channel</h3><table><tr><th class=l>channel</th>"
            + "<th>").append(bn).append("</th><th>").append(bn)
            .append(" paused by Regulation F</th><th>").append(pn).append("</th><th>")
            .append(pn).append(" paused by Regulation F</th></tr>");
        var channels = new TreeSet<String>(t.baseline().contacts().keySet());
        channels.addAll(t.proposed().contacts().keySet());
        for (String c : channels) {
          ChannelContacts x = t.baseline().contacts().getOrDefault(c, new ChannelContacts());
          ChannelContacts y = t.proposed().contacts().getOrDefault(c, new ChannelContacts());
          b.append("<tr><td class=l>").append(esc(c)).append("</td><td>").append(x.contacts())
              .append("</td><td>").append(x.regulationFBlocked()).append("</td><td>")
              .append(y.contacts()).append("</td><td>").append(y.regulationFBlocked())
              .append("</td></tr>");
        }
        b.append("</table>\n");
      }
    });
    return b.append("</body></html>\n").toString();
  }

  private static String moneyCell(Tally t) {
    var parts = new ArrayList<String>();
    t.money().forEach((currency, units) -> parts.add(money(currency, units)));
    return esc(String.join(", ", parts));
  }

  /** Horizontal bars of each decision's count, the two sides side by side. */
  private String bars(TreeSet<String> decisions, TaskComparison t) {
    long max = 1;
    for (String d : decisions) {
      max = Math.max(max, Math.max(t.baseline().decision(d).count(),
          t.proposed().decision(d).count()));
    }
    int row = 34;
    int height = decisions.size() * row + 30;
    var b = new StringBuilder("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"720\" height=\"")
        .append(height).append("\" role=\"img\">");
    int y = 10;
    for (String d : decisions) {
      b.append("<text x=\"0\" y=\"").append(y + 20).append("\" font-size=\"12\">")
          .append(esc(d)).append("</text>");
      for (int s = 0; s < 2; s++) {
        long n = (s == 0 ? t.baseline() : t.proposed()).decision(d).count();
        double w = 500.0 * n / max;
        b.append(String.format(Locale.ROOT,
            "<rect x=\"170\" y=\"%d\" width=\"%.1f\" height=\"13\" fill=\"%s\"/>"
                + "<text x=\"%.1f\" y=\"%d\" font-size=\"11\">%,d</text>",
            y + s * 15, Math.max(w, 0.5), s == 0 ? "#8aa" : "#d84", 175 + w, y + s * 15 + 11,
            n));
      }
      y += row;
    }
    b.append(legend(10, height - 8));
    return b.append("</svg>\n").toString();
  }

  private String legend(int x, int y) {
    return String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\""
        + " fill=\"#8aa\"/><text x=\"%d\" y=\"%d\" font-size=\"11\">%s</text>"
        + "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"#d84\"/>"
        + "<text x=\"%d\" y=\"%d\" font-size=\"11\">%s</text>", x, y - 9, x + 14, y,
        esc(comparison.baselineName()), x + 120, y - 9, x + 134, y,
        esc(comparison.proposedName()));
  }

  /** The review queue per day, one line per side. */
  private String queuePlot(TaskComparison t) {
    var days = new TreeSet<LocalDate>(t.baseline().reviewsPerDay().keySet());
    days.addAll(t.proposed().reviewsPerDay().keySet());
    LocalDate first = days.first();
    long span = Math.max(1, days.last().toEpochDay() - first.toEpochDay());
    long max = 1;
    for (LocalDate d : days) {
      max = Math.max(max, Math.max(t.baseline().reviewsPerDay().getOrDefault(d, 0L),
          t.proposed().reviewsPerDay().getOrDefault(d, 0L)));
    }
    int w = 680;
    int h = 200;
    var b = new StringBuilder("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"760\""
        + " height=\"260\" role=\"img\"><g transform=\"translate(50,10)\">");
    b.append(String.format(Locale.ROOT, "<line x1=\"0\" y1=\"%d\" x2=\"%d\" y2=\"%d\""
        + " stroke=\"#999\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"%d\" stroke=\"#999\"/>"
        + "<text x=\"-5\" y=\"10\" font-size=\"11\" text-anchor=\"end\">%,d</text>"
        + "<text x=\"-5\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">0</text>"
        + "<text x=\"0\" y=\"%d\" font-size=\"11\">%s</text>"
        + "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">%s</text>",
        h, w, h, h, max, h, h + 15, first, w, h + 15, days.last()));
    for (int s = 0; s < 2; s++) {
      Map<LocalDate, Long> q = (s == 0 ? t.baseline() : t.proposed()).reviewsPerDay();
      var points = new StringBuilder();
      for (LocalDate d : days) {
        double x = w * (double) (d.toEpochDay() - first.toEpochDay()) / span;
        double y = h - h * (double) q.getOrDefault(d, 0L) / max;
        points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
      }
      b.append("<polyline fill=\"none\" stroke-width=\"1.5\" stroke=\"")
          .append(s == 0 ? "#488" : "#d84").append("\" points=\"").append(points.toString().trim())
          .append("\"/>");
    }
    b.append("</g>").append(legend(50, 255));
    return b.append("</svg>\n").toString();
  }

  static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
