package dev.vigil.scoring.score;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.Event.Channel;
import dev.vigil.features.event.Event.Direction;
import dev.vigil.features.event.Event.Money;
import dev.vigil.features.event.Event.Transaction;
import dev.vigil.features.event.EventCodec;
import dev.vigil.features.profile.FeatureCatalogue;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.features.profile.FeatureInputs;
import dev.vigil.proto.v1.ScoreTransactionRequest;
import dev.vigil.registry.ModelRegistry;
import dev.vigil.scoring.TestService;
import dev.vigil.scoring.model.ServedModel;
import dev.vigil.scoring.model.ServingModels;
import dev.vigil.scoring.ops.ServiceMetrics;
import dev.vigil.scoring.policy.ListBook;
import dev.vigil.scoring.policy.Listing;
import dev.vigil.scoring.policy.LivePolicy;
import dev.vigil.scoring.policy.Policy;
import dev.vigil.scoring.policy.PolicyVersions;
import dev.vigil.scoring.policy.RequestFacts;
import dev.vigil.scoring.policy.ShadowPolicies;
import dev.vigil.scoring.policy.TransactionAction;
import dev.vigil.scoring.reason.ReasonCatalogue;
import dev.vigil.scoring.score.Assessor.Assessment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The decide step of a ScoreTransaction call ({@code Pipeline.decide} on an assessment: the lists as of the call's time, the bundled policy's rules,
 * the reasons), without and with one shadow policy running beside it (the bundled policy with
 * stricter thresholds: its rules, its reasons and its {@code ShadowDecision}). The assessments are
 * the seeded default fraud champion's on 64 rows of random feature values, taken in turn; the
 * lists hold 10,000 entries on other values (each call looks its entities up and finds none).
 * Run (see docs/benchmarks): {@code mvn -pl scoring-service test-compile exec:exec@jmh
 * -Dvigil.args="ShadowCost -f 1 -wi 3 -i 5"}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ShadowCostBenchmark {
  Pipeline live;
  Pipeline shadowed;
  List<Call> calls;
  List<Assessment> assessments;
  LivePolicy policy;
  int next;

  @Setup
  public void setUp() throws Exception {
    Path dir = Files.createTempDirectory("vigil-shadow-cost");
    var models = new ServingModels(new ModelRegistry(TestService.registryCopy(
        Files.createDirectories(dir.resolve("models")))));
    models.refresh();
    ServedModel champion = models.lineup(Task.FRAUD).champion();
    var catalogue = ReasonCatalogue.load();
    String text;
    try (var in = Policy.class.getResourceAsStream("default-policy.yaml")) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    Path file = dir.resolve("policy.yaml");
    Files.writeString(file, text);
    var versions = PolicyVersions.open(dir.resolve("policies"));
    policy = new LivePolicy(file, 0, versions, TestService.CLOCK, reload -> { });
    var entries = new ArrayList<Listing>();
    for (int i = 0; i < 10_000; i++) {
      entries.add(new Listing("le-" + i, "ring-" + (i % 7), Listing.Kind.BLOCK,
          Listing.Entity.values()[i % Listing.Entity.values().length], "listed-" + i, "bench",
          "bench", 0, Listing.NEVER, Listing.NEVER, "", ""));
    }
    ListBook book = ListBook.of(entries);
    var assessor = new Assessor(null, models, catalogue, null);
    var none = new ShadowPolicies(versions, TestService.CLOCK);
    var one = new ShadowPolicies(versions, TestService.CLOCK);
    one.start(text.replace("version: \"2026-12-07.5\"", "version: \"draft\"")
        .replace("when: score >= 900", "when: score >= 800")
        .replace("when: score >= 400", "when: score >= 300"), "bench",
        TestService.NOW.plus(Duration.ofDays(365)).toEpochMilli(), 0);
    var metrics = new ServiceMetrics();
    live = new Pipeline(assessor, policy, () -> book, none, null, null, metrics,
        TestService.CLOCK, Duration.ZERO);
    shadowed = new Pipeline(assessor, policy, () -> book, one, null, null, metrics,
        TestService.CLOCK, Duration.ZERO);

    var random = new SplittableRandom(7);
    List<String> names = FeatureCatalogue.of(Task.FRAUD).names();
    calls = new ArrayList<>();
    assessments = new ArrayList<>();
    for (int r = 0; r < 64; r++) {
      double[] values = new double[names.size()];
      for (int i = 0; i < values.length; i++) {
        values[i] = random.nextInt(4) == 0 ? random.nextDouble() * 10 : 0.0;
      }
      assessments.add(Assessor.judge(catalogue, Task.FRAUD, null, values, champion, List.of(),
          List.of()));
      var event = new Event("e-" + r, TestService.NOW.toEpochMilli(), "a-" + r, "c-" + r,
          new Transaction(new Money(2_500, "USD"), Direction.DEBIT, Channel.CARD_PRESENT,
              "m-" + r, "5411", "US", "d-" + r, ""));
      calls.add(new Call(Task.FRAUD, "r-" + r, event.timeMillis(), event,
          FeatureInputs.keysFor(event), ScoreTransactionRequest.newBuilder()
              .setEvent(EventCodec.toProto(event)).build(),
          RequestFacts.transaction("USD", Channel.CARD_PRESENT, "US", "5411"), 0));
    }
  }

  @TearDown
  public void tearDown() {
    policy.close();
  }

  @Benchmark
  public Verdict<TransactionAction> decideLive() {
    int i = next++ & 63;
    return live.decide(calls.get(i), assessments.get(i), Policy::transaction);
  }

  @Benchmark
  public Verdict<TransactionAction> decideWithOneShadow() {
    int i = next++ & 63;
    return shadowed.decide(calls.get(i), assessments.get(i), Policy::transaction);
  }
}
