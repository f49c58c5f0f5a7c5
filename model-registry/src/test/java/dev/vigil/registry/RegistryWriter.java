package dev.vigil.registry;

import dev.vigil.features.profile.FeatureCatalogue;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.sgd.linear.LogisticRegressionTrainer;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;

/**
 * One writer of a shared registry, as a replica or the CLI is: publishes models (each card's data
 * fingerprint names the writer and the model) and then activates each version it was given, from
 * several threads at once. Run in this JVM by {@link RegistryWritersTest}, and as a process of its
 * own by {@link #main}, which reports each version it was given on standard output.
 */
final class RegistryWriter {
  /** What one writer was given: the version of each model it published, by its name. */
  record Published(String model, String version) {}

  private RegistryWriter() {}

  /** A small fraud model: its features do not matter here, its card's schema does. */
  static Model<Label> model() {
    var data = new MutableDataset<Label>(new SimpleDataSourceProvenance("test", Prediction.LABELS),
        Prediction.LABELS);
    String[] names = {"x"};
    for (int i = 0; i < 20; i++) {
      data.add(new ArrayExample<>(new Label(i % 2 == 0 ? Prediction.BAD : Prediction.GOOD), names,
          new double[] {i % 2 == 0 ? 1 : -1}));
    }
    return new LogisticRegressionTrainer().train(data);
  }

  /** A fraud card of the feature library's schema, naming {@code model} as its data. */
  static ModelCard card(String model) {
    return new ModelCard("fraud", null, "logistic-regression", Map.of(), null, null, null, null,
        20, 10, model, FeatureCatalogue.FRAUD.names(), FeatureCatalogue.FRAUD.fingerprint(),
        Map.of(), "", null, List.of(), null);
  }

  /**
   * Publishes {@code perThread} models from each of {@code threads} threads, then activates
   * every version it was given, from as many threads.
   *
   * @param report told of each version as it is given
   * @param beforeActivating waited for between the two (so that two writers activate together)
   */
  static List<Published> run(Path root, String writer, int threads, int perThread,
      Consumer<Published> report, Callable<?> beforeActivating) throws Exception {
    var registry = new ModelRegistry(root);
    Model<Label> model = model();
    List<Published> given = Collections.synchronizedList(new ArrayList<>());
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      var publishing = new ArrayList<Future<?>>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        publishing.add(pool.submit(() -> {
          for (int i = 0; i < perThread; i++) {
            String name = writer + "-" + thread + "-" + i;
            var published = new Published(name,
                registry.publish(Task.FRAUD, model, card(name)));
            given.add(published);
            report.accept(published);
          }
          return null;
        }));
      }
      for (Future<?> f : publishing) {
        f.get();
      }
      beforeActivating.call();
      var activating = new ArrayList<Future<?>>();
      List<Published> mine = List.copyOf(given);
      for (int t = 0; t < threads; t++) {
        int thread = t;
        activating.add(pool.submit(() -> {
          for (int i = thread; i < mine.size(); i += threads) {
            registry.activate(Task.FRAUD, mine.get(i).version());
          }
          return null;
        }));
      }
      for (Future<?> f : activating) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    return List.copyOf(given);
  }

  /**
   * {@code RegistryWriter ROOT WRITER THREADS PER_THREAD}: prints {@code ready} and waits for a
   * line on standard input; publishes, printing {@code published MODEL VERSION} per model, then
   * {@code activating}, and waits for a line again; activates, and prints {@code done}.
   */
  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    var in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    model(); // loads the classes before the start, so both writers start together
    out.println("ready");
    in.readLine();
    run(Path.of(args[0]), args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]),
        p -> out.println("published " + p.model() + " " + p.version()), () -> {
          out.println("activating");
          return in.readLine();
        });
    out.println("done");
    System.exit(0);
  }
}
