package dev.vigil.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.vigil.features.profile.FeatureCatalogue;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.tribuo.Model;
import org.tribuo.classification.Label;

/**
 * The model registry: a directory, one folder per task and version.
 *
 * <pre>
 * registry/
 *   fraud/
 *     v1/model.tribuo   the Tribuo model (protobuf serialisation)
 *     v1/card.json      its model card
 *     roles.json        champion, challenger (with its traffic share), shadow, champion history
 *     .lock             held while roles.json is changed or a version number is taken
 * </pre>
 *
 * <p>Files are replaced atomically (write, then rename), so a reader never sees half a model.
 *
 * <p>Several writers may share one registry (service replicas mounting one directory, and the
 * CLI): every change to {@code roles.json} (read, modify, write) and every new version number is
 * made holding the task's {@code .lock}, an exclusive {@link FileChannel#lock() file lock} (a POSIX
 * record lock, which the operating system releases when its process ends, killed or not) taken
 * after the lock of this process for the same file (file locks are held per process, not per
 * thread). So no writer's change is lost to another's, and no two models get one version.
 */
public final class ModelRegistry {
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT);

  /** Which published version plays which part. */
  public record Roles(String champion, String challenger, double challengerShare, String shadow,
      List<String> previousChampions) {
    public static final Roles NONE = new Roles(null, null, 0, null, List.of());
  }

  /** A loaded model with its card. */
  public record Loaded(Model<Label> model, ModelCard card) {}

  /** This process's lock per lock file: a file lock is not held per thread. */
  private static final ConcurrentHashMap<Path, ReentrantLock> LOCAL = new ConcurrentHashMap<>();

  private final Path root;

  public ModelRegistry(Path root) {
    this.root = root;
  }

  /**
   * Publishes a model as the task's next version (one more than the highest published); it
   * serves nothing until activated. The model is written first, then numbered and moved into
   * place holding the task's lock.
   */
  public String publish(Task task, Model<Label> model, ModelCard card) throws IOException {
    Path taskDir = dir(task);
    Files.createDirectories(taskDir);
    Path staging = Files.createTempDirectory(taskDir, ".publishing-");
    model.serializeToFile(staging.resolve("model.tribuo"));
    try (var held = lock(task)) {
      List<String> published = versions(task);
      String version = "v" + (published.isEmpty() ? 1
          : Integer.parseInt(published.get(published.size() - 1).substring(1)) + 1);
      JSON.writeValue(staging.resolve("card.json").toFile(), card.withVersion(version));
      Files.move(staging, taskDir.resolve(version), StandardCopyOption.ATOMIC_MOVE);
      return version;
    }
  }

  /** Published versions of a task, oldest first. */
  public List<String> versions(Task task) throws IOException {
    Path taskDir = dir(task);
    if (!Files.isDirectory(taskDir)) {
      return List.of();
    }
    try (Stream<Path> children = Files.list(taskDir)) {
      return children.filter(Files::isDirectory).map(p -> p.getFileName().toString())
          .filter(n -> n.matches("v\\d+"))
          .sorted((a, b) -> Integer.compare(Integer.parseInt(a.substring(1)),
              Integer.parseInt(b.substring(1))))
          .toList();
    }
  }

  public ModelCard card(Task task, String version) throws IOException {
    return JSON.readValue(versionDir(task, version).resolve("card.json").toFile(), ModelCard.class);
  }

  public Roles roles(Task task) throws IOException {
    Path file = dir(task).resolve("roles.json");
    return Files.exists(file) ? JSON.readValue(file.toFile(), Roles.class) : Roles.NONE;
  }

  /** Makes {@code version} the champion; the previous champion can be rolled back to. */
  public Roles activate(Task task, String version) throws IOException {
    load(task, version); // refuses a version this feature library cannot serve
    return change(task, r -> {
      var history = new ArrayList<>(r.previousChampions());
      if (r.champion() != null && !r.champion().equals(version)) {
        history.add(r.champion());
      }
      return new Roles(version, r.challenger(), r.challengerShare(), r.shadow(), history);
    });
  }

  /** Makes the previous champion the champion again. */
  public Roles rollback(Task task) throws IOException {
    return change(task, r -> {
      if (r.previousChampions().isEmpty()) {
        throw new IllegalStateException(task.id()
            + " has no previous champion to roll back to");
      }
      var history = new ArrayList<>(r.previousChampions());
      String previous = history.remove(history.size() - 1);
      return new Roles(previous, r.challenger(), r.challengerShare(), r.shadow(), history);
    });
  }

  /** Sets (or clears, with null) the challenger and the share of traffic it is scored on. */
  public Roles setChallenger(Task task, String version, double share) throws IOException {
    if (share < 0 || share > 1) {
      throw new IllegalArgumentException("traffic_share must be within 0.0-1.0");
    }
    if (version != null) {
      load(task, version);
    }
    return change(task, r -> new Roles(r.champion(), version, version == null ? 0 : share,
        r.shadow(), r.previousChampions()));
  }

  public Roles setShadow(Task task, String version) throws IOException {
    if (version != null) {
      load(task, version);
    }
    return change(task, r -> new Roles(r.champion(), r.challenger(), r.challengerShare(),
        version, r.previousChampions()));
  }

  /**
   * Loads a published model, refusing one whose feature schema is not the feature library's:
   * its inputs would be misread.
   */
  @SuppressWarnings("unchecked")
  public Loaded load(Task task, String version) throws IOException {
    ModelCard card = card(task, version);
    String expected = FeatureCatalogue.of(task).fingerprint();
    if (!expected.equals(card.featureSchemaFingerprint())) {
      throw new SchemaMismatchException(String.format(
          "model %s/%s was trained on feature schema %s but this feature library computes %s"
              + " (catalogue version %d): retrain it, or serve it with the library it was"
              + " trained with", task.id(), version,
          card.featureSchemaFingerprint(), expected, FeatureCatalogue.VERSION));
    }
    Model<?> model = Model.deserializeFromFile(versionDir(task, version).resolve("model.tribuo"));
    if (!model.validate(Label.class)) {
      throw new IllegalStateException("model " + version + " is not a classification model");
    }
    return new Loaded((Model<Label>) model, card);
  }

  /** A model trained on another feature schema than the one this library computes. */
  public static final class SchemaMismatchException extends IllegalStateException {
    public SchemaMismatchException(String message) {
      super(message);
    }
  }

  /**
   * Reads the task's roles, applies {@code change} and writes the result, holding the task's
   * lock throughout, so that no other writer's change falls between the read and the write.
   */
  private Roles change(Task task, UnaryOperator<Roles> change) throws IOException {
    Files.createDirectories(dir(task));
    try (var held = lock(task)) {
      Roles roles = change.apply(roles(task));
      Path file = dir(task).resolve("roles.json");
      Path tmp = dir(task).resolve(".roles.json.tmp");
      JSON.writeValue(tmp.toFile(), roles);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return roles;
    }
  }

  /** The task's lock, held until closed: this process's first, then the file's. */
  private Held lock(Task task) throws IOException {
    Path file = dir(task).resolve(".lock");
    if (!Files.exists(file)) {
      try {
        Files.createFile(file);
      } catch (FileAlreadyExistsException another) {
        // created by another writer meanwhile: the same file
      }
    }
    ReentrantLock local = LOCAL.computeIfAbsent(file.toRealPath(), f -> new ReentrantLock());
    local.lock();
    // opened only once this process's lock is held: closing any channel of a file may release
    // every lock the process holds on it
    FileChannel channel = null;
    try {
      channel = FileChannel.open(file, StandardOpenOption.WRITE);
      return new Held(local, channel, channel.lock());
    } catch (IOException | RuntimeException e) {
      if (channel != null) {
        channel.close();
      }
      local.unlock();
      throw new IOException("cannot lock " + file + ": " + e.getMessage(), e);
    }
  }

  /** A task's lock, held: closing it releases the file lock, then this process's. */
  private record Held(ReentrantLock local, FileChannel channel, FileLock file)
      implements AutoCloseable {
    @Override
    public void close() throws IOException {
      try {
        file.release();
        channel.close();
      } finally {
        local.unlock();
      }
    }
  }

  private Path dir(Task task) {
    return root.resolve(task.id());
  }

  private Path versionDir(Task task, String version) throws IOException {
    if (!version.matches("v\\d+")) {
      throw new IllegalArgumentException("version must look like v1, v2, ...");
    }
    Path dir = dir(task).resolve(version);
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException(task.id() + " has no version "
          + version);
    }
    return dir;
  }
}
