package dev.vigil.scoring.model;

import dev.vigil.features.profile.FeatureCatalogue;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.registry.ModelRegistry;
import java.io.IOException;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models each task serves, read from the model registry: a champion that answers, and
 * optionally a challenger (scored on a share of traffic) and a shadow (scored on all traffic),
 * whose results are only recorded. {@link #refresh()} re-reads the registry's roles and swaps the
 * line-up in one volatile write: a call in flight finishes on the models it started with, the
 * next call sees the new ones, and no call waits for a model to load. The service calls it every
 * {@code vigil.models.poll-ms} and after each of its own ModelAdmin changes, so a change another
 * replica makes to a shared registry is served here within that poll.
 */
public final class ServingModels {
  private static final Logger log = LoggerFactory.getLogger(ServingModels.class);

  /** The models one task serves; any of them may be null. */
  public record Lineup(ServedModel champion, ServedModel challenger, double challengerShare,
      ServedModel shadow) {
    static final Lineup EMPTY = new Lineup(null, null, 0, null);
  }

  private final ModelRegistry registry;
  private final Map<String, ServedModel> loaded = new ConcurrentHashMap<>();
  private volatile Map<Task, Lineup> lineups = new EnumMap<>(Task.class);

  public ServingModels(ModelRegistry registry) {
    this.registry = registry;
  }

  public ModelRegistry registry() {
    return registry;
  }

  public Lineup lineup(Task task) {
    return lineups.getOrDefault(task, Lineup.EMPTY);
  }

  /**
   * Re-reads every task's roles and loads what changed. A version that cannot be loaded (a
   * feature-schema mismatch, a damaged file) is refused with a logged error and the task keeps its
   * current line-up.
   */
  public synchronized void refresh() {
    var next = new EnumMap<Task, Lineup>(Task.class);
    for (Task task : Task.values()) {
      Lineup current = lineup(task);
      try {
        ModelRegistry.Roles roles = registry.roles(task);
        next.put(task, new Lineup(load(task, roles.champion()), load(task, roles.challenger()),
            roles.challengerShare(), load(task, roles.shadow())));
      } catch (IOException | RuntimeException e) {
        log.error("{} models not reloaded, still serving {}: {}", task.id(),
            current.champion() == null ? "none" : current.champion().version(), e.getMessage());
        next.put(task, current);
      }
    }
    Map<Task, Lineup> previous = lineups;
    lineups = next;
    for (Task task : Task.values()) {
      ServedModel before = previous.getOrDefault(task, Lineup.EMPTY).champion();
      ServedModel after = next.get(task).champion();
      if (before != after && after != null) {
        log.info("{} champion is now {} ({})", task.id(), after.version(), after.algorithm());
      }
    }
  }

  private ServedModel load(Task task, String version) throws IOException {
    if (version == null) {
      return null;
    }
    String key = task + "/" + version;
    ServedModel model = loaded.get(key);
    if (model == null) {
      model = new ServedModel(version, registry.load(task, version), FeatureCatalogue.of(task));
      loaded.put(key, model);
    }
    return model;
  }
}
