package dev.vigil.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Where a benchmark's CPU went, by thread group, for this whole process (Java threads, the
 * JVM's own GC and compiler threads, and native threads alike): Linux's per-thread counters in
 * {@code /proc/self/task/<tid>/stat}. Take a {@link #snapshot()} before a phase and
 * {@link #since(Map)} after it. Threads are grouped by name with digits and separators dropped
 * (so every Kafka request handler or Flink task thread lands in one group); the kernel keeps
 * the first 15 characters of a name. A thread's counters leave /proc when it ends: for phases
 * whose threads come and go (a Flink job's tasks), {@link #watch()} reads them every 200 ms and
 * keeps each thread's last reading. Where /proc is missing, the snapshot is empty.
 */
public final class ThreadCpu {
  private static final Path TASKS = Path.of("/proc/self/task");
  /** Clock ticks per second for the stat counters (USER_HZ; 100 on every Linux in practice). */
  private static final double TICKS_PER_SECOND = 100.0;

  private ThreadCpu() {}

  /** Thread id to (group name, CPU seconds so far). */
  public static Map<Integer, Sample> snapshot() {
    var out = new HashMap<Integer, Sample>();
    if (!Files.isDirectory(TASKS)) {
      return out;
    }
    try (Stream<Path> tasks = Files.list(TASKS)) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        try {
          String stat = Files.readString(task.resolve("stat"));
          int open = stat.indexOf('(');
          int close = stat.lastIndexOf(')');
          String name = stat.substring(open + 1, close);
          String[] rest = stat.substring(close + 2).split(" ");
          // fields after the name: state(3) ... utime(14) stime(15), numbered from 1 with pid
          long ticks = Long.parseLong(rest[11]) + Long.parseLong(rest[12]);
          out.put(Integer.parseInt(task.getFileName().toString()),
              new Sample(group(name), ticks / TICKS_PER_SECOND));
        } catch (IOException | RuntimeException gone) {
          // the thread ended between listing and reading
        }
      }
    } catch (IOException e) {
      return out;
    }
    return out;
  }

  /** CPU seconds per thread group since {@code before}, largest first. */
  public static List<Map.Entry<String, Double>> since(Map<Integer, Sample> before) {
    return between(before, snapshot());
  }

  private static List<Map.Entry<String, Double>> between(Map<Integer, Sample> before,
      Map<Integer, Sample> now) {
    var groups = new HashMap<String, Double>();
    now.forEach((tid, s) -> {
      Sample b = before.get(tid);
      double used = s.cpuSeconds() - (b == null ? 0 : b.cpuSeconds());
      if (used > 0) {
        groups.merge(s.group(), used, Double::sum);
      }
    });
    var sorted = new ArrayList<>(groups.entrySet());
    sorted.sort(Map.Entry.<String, Double>comparingByValue().reversed());
    return sorted;
  }

  /** One line per group over {@code minShare} of the total, with the total per unit of work. */
  public static String report(Map<Integer, Sample> before, long units, String unit,
      double minShare) {
    return format(since(before), units, unit, minShare);
  }

  private static String format(List<Map.Entry<String, Double>> groups, long units, String unit,
      double minShare) {
    double total = groups.stream().mapToDouble(Map.Entry::getValue).sum();
    var out = new StringBuilder(String.format("  CPU %.1f s = %.1f µs per %s:", total,
        units == 0 ? 0 : total * 1e6 / units, unit));
    double other = 0;
    for (var g : groups) {
      if (g.getValue() >= minShare * total) {
        out.append(String.format(" %s %.0f%%", g.getKey(), 100 * g.getValue() / total));
      } else {
        other += g.getValue();
      }
    }
    return out.append(String.format(" other %.0f%%", total == 0 ? 0 : 100 * other / total))
        .toString();
  }

  /** Starts reading every thread's counters every 200 ms until {@link Watch#report}. */
  public static Watch watch() {
    return new Watch();
  }

  /** A background reader that keeps each thread's last reading, ended threads included. */
  public static final class Watch {
    private final Map<Integer, Sample> before = snapshot();
    private final Map<Integer, Sample> last = new ConcurrentHashMap<>();
    private final Thread reader;
    private volatile boolean stopped;

    private Watch() {
      reader = new Thread(() -> {
        while (!stopped) {
          last.putAll(snapshot());
          try {
            Thread.sleep(200);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "thread-cpu-watch");
      reader.setDaemon(true);
      reader.start();
    }

    /** Stops reading; one line as {@link ThreadCpu#report} writes it. */
    public String report(long units, String unit, double minShare) {
      stopped = true;
      reader.interrupt();
      try {
        reader.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      last.putAll(snapshot());
      return format(between(before, last), units, unit, minShare);
    }
  }

  static String group(String threadName) {
    String g = threadName.replaceAll("[0-9]+", "").replaceAll("[-_ #|]+$", "")
        .replaceAll("[-_ #|]{2,}", "-");
    return g.isEmpty() ? threadName : g;
  }

  /** A thread's group and the CPU seconds it had used. */
  public record Sample(String group, double cpuSeconds) {}
}
