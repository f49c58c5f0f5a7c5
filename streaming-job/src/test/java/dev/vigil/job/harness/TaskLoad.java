package dev.vigil.job.harness;

import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;
import org.apache.flink.metrics.reporter.Scheduled;

/**
 * A metric reporter for the throughput harness: how busy and how back-pressured each task (an
 * operator chain) is, averaged over its subtasks and over a run, from Flink's own task metrics
 * ({@code busyTimeMsPerSecond}, {@code backPressuredTimeMsPerSecond}), sampled once a second.
 * A busy task that is never back-pressured is the bottleneck; the tasks before it are
 * back-pressured.
 */
public final class TaskLoad implements MetricReporter, Scheduled {
  private static final String BUSY = "busyTimeMsPerSecond";
  private static final String BACK_PRESSURED = "backPressuredTimeMsPerSecond";
  /** "task|metric|subtask" to its gauge. */
  private static final Map<String, Gauge<?>> GAUGES = new ConcurrentHashMap<>();
  /** "task|metric" to {sum of samples, samples}. */
  private static final Map<String, double[]> SAMPLES = new ConcurrentHashMap<>();

  /** Flink makes the reporter through this (metrics.reporter.NAME.factory.class). */
  public static final class Factory implements MetricReporterFactory {
    @Override
    public MetricReporter createMetricReporter(Properties properties) {
      return new TaskLoad();
    }
  }

  /** The configuration that installs it, sampling every second. */
  static Map<String, String> configuration() {
    // found through META-INF/services (Flink 2 loads reporter factories only that way)
    return Map.of("metrics.reporter.load.factory.class", Factory.class.getName(),
        "metrics.reporter.load.interval", "1 s");
  }

  @Override
  public void open(MetricConfig config) {}

  @Override
  public void close() {}

  @Override
  public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
    if ((name.equals(BUSY) || name.equals(BACK_PRESSURED)) && metric instanceof Gauge<?> g) {
      var vars = group.getAllVariables();
      String task = vars.get("<task_name>");
      int sink = task.indexOf(" -> publish");
      GAUGES.put((sink > 0 ? task.substring(0, sink) : task) + "|" + name + "|" + vars.get("<subtask_index>"), g);
    }
  }

  @Override
  public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
    GAUGES.values().remove(metric);
  }

  @Override
  public void report() {
    GAUGES.forEach((key, gauge) -> {
      if (gauge.getValue() instanceof Number n && Double.isFinite(n.doubleValue())) {
        String task = key.substring(0, key.lastIndexOf('|'));
        SAMPLES.merge(task, new double[] {n.doubleValue(), 1},
            (a, b) -> new double[] {a[0] + b[0], a[1] + b[1]});
      }
    });
  }

  /** Forgets what was sampled: the next run is reported on its own. */
  static void reset() {
    SAMPLES.clear();
  }

  /** Each task's average busy and back-pressured share, the busiest first. */
  static String summary() {
    Map<String, double[]> byTask = new TreeMap<>();
    SAMPLES.forEach((key, s) -> {
      String task = key.substring(0, key.lastIndexOf('|'));
      int which = key.endsWith(BUSY) ? 0 : 1;
      byTask.computeIfAbsent(task, t -> new double[2])[which] = s[0] / s[1] / 10.0; // ms/s: %
    });
    var out = new StringBuilder("  tasks (busy / back-pressured, % of time):");
    byTask.entrySet().stream()
        .sorted((a, b) -> Double.compare(b.getValue()[0], a.getValue()[0]))
        .forEach(e -> out.append(String.format("%n    %-60.60s %3.0f%% / %3.0f%%", e.getKey(),
            e.getValue()[0], e.getValue()[1])));
    return out.toString();
  }
}
