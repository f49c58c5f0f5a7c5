package dev.vigil.scoring.drift;

import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.registry.ScoreScale;
import dev.vigil.scoring.model.ServedModel;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Whether the customers scored now look like those a task's champion was trained on: per task,
 * each feature's and the score's values over the last {@code window} scored requests, binned as
 * the champion's training population was (its card's reference rows, {@link Population}), and
 * the population stability index of each against training. Kept per champion: a new champion
 * starts a new window. Recording is a few counter updates per request under the task's lock.
 */
public final class DriftMonitor {
  /** Fewer live observations than this: no index is reported (it would be noise). */
  public static final int MIN_OBSERVATIONS = 200;

  private final int window;
  private final Map<Task, Window> windows = new EnumMap<>(Task.class);

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
    Window w;
    synchronized (windows) {
      w = windows.get(task);
      if (w == null || w.champion != champion) {
        w = new Window(champion, names, window);
        windows.put(task, w);
      }
    }
    w.add(values, ScoreScale.of(probability));
  }

  /** A variable's index for a task: a feature's name, or {@code score}. */
  public record Index(Task task, String variable, double psi, long observations) {}

  /** Every feature's and the score's index, per task with enough observations. */
  public List<Index> indices() {
    var out = new ArrayList<Index>();
    List<Map.Entry<Task, Window>> all;
    synchronized (windows) {
      all = new ArrayList<>(windows.entrySet());
    }
    for (var e : all) {
      e.getValue().indices(e.getKey(), out);
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

    Window(ServedModel champion, List<String> names, int size) {
      this.champion = champion;
      this.names = names;
      List<double[]> reference = champion.card().reference();
      populations = new Population[names.size() + 1];
      for (int i = 0; i < names.size(); i++) {
        populations[i] = Population.ofColumn(reference, i);
      }
      double[] scores = new double[reference.size()];
      for (int r = 0; r < scores.length; r++) {
        scores[r] = ScoreScale.of(champion.probability(reference.get(r)));
      }
      populations[names.size()] = Population.of(scores);
      counts = new long[populations.length][];
      for (int i = 0; i < populations.length; i++) {
        counts[i] = new long[populations[i].bins()];
      }
      ring = new byte[size][];
    }

    synchronized void add(double[] values, int score) {
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

    synchronized void indices(Task task, List<Index> out) {
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
