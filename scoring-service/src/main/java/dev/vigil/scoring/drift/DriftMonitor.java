package dev.vigil.scoring.drift;

import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.registry.ScoreScale;
import dev.vigil.scoring.model.ServedModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Whether the customers scored now look like those a task's champion was trained on: per task,
 * each feature's and the score's values over the last {@code window} scored requests, binned as
 * the champion's training population was (its card's reference rows, {@link Population}), and
 * the population stability index of each against training. Kept per champion: a new champion
 * starts a new window. Recording is a few counter updates per request, skipped when another
 * request is being recorded at that instant: scoring never waits for drift.
 */
public final class DriftMonitor {
  /** Fewer live observations than this: no index is reported (it would be noise). */
  public static final int MIN_OBSERVATIONS = 200;

  private final int window;
  /** Each task's window, by ordinal: read without a lock on every scored request. */
  private final AtomicReferenceArray<Window> windows =
      new AtomicReferenceArray<>(Task.values().length);

  /** @param window how many of the latest scored requests the live distributions hold */
  public DriftMonitor(int window) {
    if (window < MIN_OBSERVATIONS) {
      throw new IllegalArgumentException("vigil.drift.window: must be at least "
          + MIN_OBSERVATIONS + ", not " + window);
    }
    this.window = window;
  }

  /** Records one scored request: its feature values and the champion's probability. */
  public void observe(Task task, ServedModel champion, List<String> names, double[] values,
      double probability) {
    if (!champion.explainsAgainstPopulation()) {
      return; // published without reference rows: nothing to compare with
    }
    Window w = windows.get(task.ordinal());
    if (w == null || w.champion != champion) {
      synchronized (this) { // a new champion: one window built, whoever comes first
        w = windows.get(task.ordinal());
        if (w == null || w.champion != champion) {
          w = new Window(champion, names, window);
          windows.set(task.ordinal(), w);
        }
      }
    }
    w.add(values, ScoreScale.of(probability));
  }

  /** A variable's index for a task: a feature's name, or {@code score}. */
  public record Index(Task task, String variable, double psi, long observations) {}

  /** Every feature's and the score's index, per task with enough observations. */
  public List<Index> indices() {
    var out = new ArrayList<Index>();
    for (Task task : Task.values()) {
      Window w = windows.get(task.ordinal());
      if (w != null) {
        w.indices(task, out);
      }
    }
    return out;
  }

  /** One champion's live window. */
  private static final class Window {
    final ServedModel champion;
    final List<String> names;
    final Population[] populations; // features, then the score
    final long[][] counts;
    final byte[][] ring; // per observation slot, each variable's bin
    long seen;
    final ReentrantLock lock = new ReentrantLock();

    Window(ServedModel champion, List<String> names, int size) {
      this.champion = champion;
      this.names = names;
      List<double[]> reference = champion.card().reference();
      populations = new Population[names.size() + 1];
      for (int i = 0; i < names.size(); i++) {
        populations[i] = Population.ofColumn(reference, i);
      }
      populations[names.size()] = Population.of(champion.referenceScores());
      counts = new long[populations.length][];
      for (int i = 0; i < populations.length; i++) {
        counts[i] = new long[populations[i].bins()];
      }
      ring = new byte[size][];
    }

    /**
     * Records one request, unless another is being recorded this instant: the request never
     * waits for drift (under load the window is a sample of the requests, which is all the index
     * needs).
     */
    void add(double[] values, int score) {
      if (!lock.tryLock()) {
        return;
      }
      try {
        record(values, score);
      } finally {
        lock.unlock();
      }
    }

    private void record(double[] values, int score) {
      int slot = (int) (seen % ring.length);
      byte[] old = ring[slot];
      if (old != null) {
        for (int i = 0; i < old.length; i++) {
          counts[i][old[i]]--;
        }
      }
      byte[] bins = old != null ? old : new byte[populations.length];
      for (int i = 0; i < names.size(); i++) {
        bins[i] = (byte) populations[i].bin(values[i]);
      }
      bins[names.size()] = (byte) populations[names.size()].bin(score);
      for (int i = 0; i < bins.length; i++) {
        counts[i][bins[i]]++;
      }
      ring[slot] = bins;
      seen++;
    }

    void indices(Task task, List<Index> out) {
      lock.lock();
      try {
        indicesLocked(task, out);
      } finally {
        lock.unlock();
      }
    }

    private void indicesLocked(Task task, List<Index> out) {
      long total = Math.min(seen, ring.length);
      if (total < MIN_OBSERVATIONS) {
        return;
      }
      var byName = new LinkedHashMap<String, Double>();
      for (int i = 0; i < populations.length; i++) {
        String variable = i < names.size() ? names.get(i) : "score";
        byName.put(variable, populations[i].psi(counts[i], total));
      }
      byName.forEach((variable, psi) -> out.add(new Index(task, variable, psi, total)));
    }
  }
}
