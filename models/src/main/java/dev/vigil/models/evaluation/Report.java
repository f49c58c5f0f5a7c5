package dev.vigil.models.evaluation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A self-contained HTML evaluation report (no scripts, no external files): headline metrics, ROC
 * and precision-recall curves, the reliability curve, the score distribution by outcome, and the
 * model's top features, drawn as inline SVG.
 */
public final class Report {
  private static final int W = 360;
  private static final int H = 260;
  private static final int PAD = 40;

  private Report() {}

  /** A (label, weight) pair for the top-features chart. */
  public record FeatureWeight(String name, double weight) {}

  public static String html(String title, Map<String, Double> metrics, double[] p, int[] y,
      List<FeatureWeight> topFeatures) {
    var out = new StringBuilder(64_000);
    out.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
        .append(escape(title)).append("</title><style>")
        .append("body{font-family:system-ui,sans-serif;margin:24px;color:#222}")
        .append("h1{font-size:20px}table{border-collapse:collapse;margin-bottom:16px}")
        .append("td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}")
        .append("th{background:#f3f3f3}.grid{display:flex;flex-wrap:wrap;gap:16px}")
        .append("figure{margin:0;border:1px solid #ddd;padding:8px}figcaption{font-size:13px}")
        .append("</style></head><body><h1>").append(escape(title)).append("</h1><table>");
    metrics.forEach((k, v) -> out.append("<tr><th>").append(escape(k)).append("</th><td>")
        .append(v == Math.rint(v) && Math.abs(v) < 1e12 ? String.valueOf(v.longValue()) : fmt(v))
        .append("</td></tr>"));
    out.append("</table><div class=\"grid\">");
    out.append(figure("ROC curve (AUC " + fmt(metrics.getOrDefault("auc_roc", Double.NaN)) + ")",
        "false positive rate", "true positive rate", roc(p, y), true));
    out.append(figure("Precision-recall (AP "
            + fmt(metrics.getOrDefault("average_precision", Double.NaN)) + ")",
        "recall", "precision", precisionRecall(p, y), false));
    out.append(calibrationFigure(Metrics.calibration(p, y, 10)));
    out.append(histogram(p, y));
    out.append(topFeatures(topFeatures));
    out.append("</div></body></html>\n");
    return out.toString();
  }

  static List<double[]> roc(double[] p, int[] y) {
    long pos = Arrays.stream(y).sum();
    long neg = y.length - pos;
    var points = new ArrayList<double[]>();
    points.add(new double[] {0, 0});
    for (long[] counts : Metrics.countsAtThresholds(p, y)) {
      points.add(new double[] {neg == 0 ? 0 : (double) counts[1] / neg,
          pos == 0 ? 0 : (double) counts[0] / pos});
    }
    return thin(points);
  }

  static List<double[]> precisionRecall(double[] p, int[] y) {
    long pos = Arrays.stream(y).sum();
    var points = new ArrayList<double[]>();
    if (pos == 0) {
      return points;
    }
    for (long[] counts : Metrics.countsAtThresholds(p, y)) {
      points.add(new double[] {(double) counts[0] / pos,
          (double) counts[0] / (counts[0] + counts[1])});
    }
    return thin(points);
  }

  private static List<double[]> thin(List<double[]> points) {
    if (points.size() <= 600) {
      return points;
    }
    var kept = new ArrayList<double[]>();
    double step = points.size() / 600.0;
    for (double i = 0; i < points.size(); i += step) {
      kept.add(points.get((int) i));
    }
    kept.add(points.get(points.size() - 1));
    return kept;
  }

  private static String figure(String caption, String xLabel, String yLabel,
      List<double[]> points, boolean diagonal) {
    var svg = axes(xLabel, yLabel);
    if (diagonal) {
      svg.append(line(0, 0, 1, 1, "#bbb"));
    }
    svg.append("<polyline fill=\"none\" stroke=\"#1f5fa8\" stroke-width=\"2\" points=\"");
    for (double[] pt : points) {
      svg.append(fmtCoord(x(pt[0]))).append(',').append(fmtCoord(yy(pt[1]))).append(' ');
    }
    svg.append("\"/></svg>");
    return "<figure>" + svg + "<figcaption>" + escape(caption) + "</figcaption></figure>";
  }

  private static String calibrationFigure(List<Metrics.CalibrationBin> bins) {
    var svg = axes("mean predicted probability", "observed bad rate");
    svg.append(line(0, 0, 1, 1, "#bbb"));
    svg.append("<polyline fill=\"none\" stroke=\"#b8430b\" stroke-width=\"2\" points=\"");
    for (var b : bins) {
      svg.append(fmtCoord(x(b.meanPredicted()))).append(',')
          .append(fmtCoord(yy(b.observedRate()))).append(' ');
    }
    svg.append("\"/>");
    for (var b : bins) {
      svg.append("<circle r=\"3\" fill=\"#b8430b\" cx=\"").append(fmtCoord(x(b.meanPredicted())))
          .append("\" cy=\"").append(fmtCoord(yy(b.observedRate()))).append("\"/>");
    }
    svg.append("</svg>");
    return "<figure>" + svg + "<figcaption>Reliability curve (10 bins)</figcaption></figure>";
  }

  private static String histogram(double[] p, int[] y) {
    int bins = 20;
    double[] good = new double[bins];
    double[] bad = new double[bins];
    long goods = 0;
    long bads = 0;
    for (int i = 0; i < p.length; i++) {
      int b = Math.min(bins - 1, Math.max(0, (int) (p[i] * bins)));
      if (y[i] == 1) {
        bad[b]++;
        bads++;
      } else {
        good[b]++;
        goods++;
      }
    }
    double max = 0;
    for (int b = 0; b < bins; b++) {
      good[b] = goods == 0 ? 0 : good[b] / goods;
      bad[b] = bads == 0 ? 0 : bad[b] / bads;
      max = Math.max(max, Math.max(good[b], bad[b]));
    }
    var svg = axes("score (probability)", "share of class");
    double barW = (W - 2.0 * PAD) / bins / 2;
    for (int b = 0; b < bins; b++) {
      double x0 = PAD + (W - 2.0 * PAD) * b / bins;
      svg.append(rect(x0, good[b] / max, barW, "#6a9fd8"));
      svg.append(rect(x0 + barW, bad[b] / max, barW, "#d8604a"));
    }
    svg.append("</svg>");
    return "<figure>" + svg + "<figcaption>Score distribution: good (blue) and bad (red),"
        + " each as a share of its class</figcaption></figure>";
  }

  private static String topFeatures(List<FeatureWeight> features) {
    if (features.isEmpty()) {
      return "";
    }
    double max = features.stream().mapToDouble(f -> Math.abs(f.weight())).max().orElse(1);
    int rowH = 18;
    int height = PAD + rowH * features.size();
    var svg = new StringBuilder("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"520\" height=\"")
        .append(height).append("\">");
    for (int i = 0; i < features.size(); i++) {
      var f = features.get(i);
      double len = 220 * Math.abs(f.weight()) / (max == 0 ? 1 : max);
      int yPos = 10 + i * rowH;
      svg.append("<text x=\"230\" y=\"").append(yPos + 12).append("\" font-size=\"11\" text-anchor=\"end\">")
          .append(escape(f.name())).append("</text>")
          .append("<rect x=\"240\" y=\"").append(yPos).append("\" height=\"14\" width=\"")
          .append(fmtCoord(len)).append("\" fill=\"").append(f.weight() >= 0 ? "#d8604a" : "#6a9fd8")
          .append("\"/><text x=\"").append(fmtCoord(244 + len)).append("\" y=\"").append(yPos + 12)
          .append("\" font-size=\"10\">").append(fmt(f.weight())).append("</text>");
    }
    svg.append("</svg>");
    return "<figure>" + svg + "<figcaption>Top features (weight toward the bad outcome, or"
        + " importance)</figcaption></figure>";
  }

  private static StringBuilder axes(String xLabel, String yLabel) {
    var svg = new StringBuilder("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(W)
        .append("\" height=\"").append(H).append("\">");
    svg.append(line(0, 0, 1, 0, "#444")).append(line(0, 0, 0, 1, "#444"));
    for (double t = 0; t <= 1.0001; t += 0.25) {
      svg.append("<text font-size=\"10\" x=\"").append(fmtCoord(x(t) - 8)).append("\" y=\"")
          .append(H - PAD + 14).append("\">").append(fmt(t)).append("</text>");
      svg.append("<text font-size=\"10\" x=\"4\" y=\"").append(fmtCoord(yy(t) + 3)).append("\">")
          .append(fmt(t)).append("</text>");
    }
    svg.append("<text font-size=\"11\" x=\"").append(W / 2 - 40).append("\" y=\"").append(H - 6)
        .append("\">").append(escape(xLabel)).append("</text>");
    svg.append("<text font-size=\"11\" x=\"12\" y=\"").append(PAD - 12).append("\">")
        .append(escape(yLabel)).append("</text>");
    return svg;
  }

  private static String rect(double x0, double height, double width, String colour) {
    double top = yy(height);
    return "<rect x=\"" + fmtCoord(x0) + "\" y=\"" + fmtCoord(top) + "\" width=\""
        + fmtCoord(width) + "\" height=\"" + fmtCoord(yy(0) - top) + "\" fill=\"" + colour + "\"/>";
  }

  private static String line(double x1, double y1, double x2, double y2, String colour) {
    return "<line x1=\"" + fmtCoord(x(x1)) + "\" y1=\"" + fmtCoord(yy(y1)) + "\" x2=\""
        + fmtCoord(x(x2)) + "\" y2=\"" + fmtCoord(yy(y2)) + "\" stroke=\"" + colour + "\"/>";
  }

  private static double x(double v) {
    return PAD + v * (W - 2 * PAD);
  }

  private static double yy(double v) {
    return H - PAD - v * (H - 2 * PAD);
  }

  private static String fmt(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.4f", v);
  }

  private static String fmtCoord(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
