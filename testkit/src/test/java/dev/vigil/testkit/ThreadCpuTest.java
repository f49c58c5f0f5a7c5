package dev.vigil.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ThreadCpuTest {
  @Test
  void groupsThreadsByNameWithoutTheirNumbers() {
    assertThat(ThreadCpu.group("data-plane-kafk")).isEqualTo("data-plane-kafk");
    assertThat(ThreadCpu.group("ForkJoinPool-2-")).isEqualTo("ForkJoinPool");
    assertThat(ThreadCpu.group("C2 CompilerThre")).isEqualTo("C CompilerThre");
    assertThat(ThreadCpu.group("kafka-producer-")).isEqualTo("kafka-producer");
    assertThat(ThreadCpu.group("Thread-12")).isEqualTo("Thread");
    assertThat(ThreadCpu.group("42")).isEqualTo("42");
  }

  @Test
  void chargesABusyThreadsCpuToItsGroup() throws Exception {
    assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "needs Linux /proc");
    var before = ThreadCpu.snapshot();
    assertThat(before).isNotEmpty();
    var stop = new java.util.concurrent.atomic.AtomicBoolean();
    var busy = new Thread(() -> {
      long x = 0;
      while (!stop.get()) {
        x += Long.numberOfTrailingZeros(x + 1);
      }
      if (x == 42) {
        System.out.println(x);
      }
    }, "spinner-7");
    long started = System.nanoTime();
    busy.start();
    // read while the spinner lives (an ended thread's counters leave /proc with it), once it has
    // had some CPU: on a loaded machine that takes longer, so wait for it rather than a fixed time
    java.util.List<Map.Entry<String, Double>> groups;
    double spun;
    do {
      Thread.sleep(50);
      groups = ThreadCpu.since(before);
      spun = groups.stream().filter(e -> e.getKey().equals("spinner"))
          .mapToDouble(Map.Entry::getValue).sum();
    } while (spun < 0.05 && System.nanoTime() - started < 60_000_000_000L);
    double wall = (System.nanoTime() - started) / 1e9;
    String report = ThreadCpu.report(before, 1, "run", 0.0);
    stop.set(true);
    busy.join();
    // one thread cannot use more CPU than the wall time it lived (plus a clock tick of rounding)
    assertThat(spun).isGreaterThanOrEqualTo(0.05).isLessThanOrEqualTo(wall + 0.02);
    assertThat(report).contains("spinner");
    assertThat(groups.stream().mapToDouble(Map.Entry::getValue).toArray())
        .isSortedAccordingTo((a, b) -> Double.compare(b, a));
  }

  @Test
  void aWatchKeepsTheCpuOfThreadsThatEnded() throws Exception {
    assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "needs Linux /proc");
    var watch = ThreadCpu.watch();
    var busy = new Thread(() -> {
      long end = System.nanoTime() + 600_000_000L;
      long x = 0;
      while (System.nanoTime() < end) {
        x += Long.numberOfTrailingZeros(x + 1);
      }
      if (x == 42) {
        System.out.println(x);
      }
    }, "ended-3");
    busy.start();
    busy.join();
    String report = watch.report(1, "run", 0.0);
    assertThat(report).contains(" ended ");
  }
}
