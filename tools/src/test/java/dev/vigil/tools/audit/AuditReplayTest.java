package dev.vigil.tools.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.JsonFormat;
import dev.vigil.features.profile.FeatureCatalogue;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.models.training.DefaultModels;
import dev.vigil.proto.v1.AuditRecord;
import dev.vigil.proto.v1.ModelChange;
import dev.vigil.proto.v1.PolicyRef;
import dev.vigil.proto.v1.Score;
import dev.vigil.registry.ModelRegistry;
import dev.vigil.registry.ScoreScale;
import dev.vigil.scoring.model.ServedModel;
import dev.vigil.scoring.policy.Policy;
import dev.vigil.scoring.policy.PolicyVersions;
import dev.vigil.scoring.policy.RequestFacts;
import dev.vigil.scoring.reason.ReasonCatalogue;
import dev.vigil.scoring.score.Assessor;
import dev.vigil.scoring.score.Pipeline;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code ./vigil audit replay} on a file of records: identical decisions are counted, a changed
 * value is printed with its field, recorded and recomputed value, a decision whose policy version
 * is not kept is named with the cause; the exit code says whether any differ. (The 1,000 live
 * decisions replayed identically are DecisionReplayTest's, in the scoring service.)
 */
class AuditReplayTest {
  @TempDir static Path dir;
  private static Path registry;
  private static Path policies;
  private static AuditRecord decided;
  private static AuditRecord change;

  @BeforeAll
  static void decideOne() throws Exception {
    registry = Files.createDirectories(dir.resolve("models"));
    DefaultModels.ensure(new ModelRegistry(registry), m -> { });
    byte[] text;
    try (InputStream in = Policy.class.getResourceAsStream("default-policy.yaml")) {
      text = in.readAllBytes();
    }
    policies = dir.resolve("policies");
    PolicyVersions.Kept kept = PolicyVersions.open(policies).activate(text, "default", "file:x",
        0);
    Policy policy = Policy.parse(new String(text, StandardCharsets.UTF_8));
    // a fraud decision as the service makes one, through the same functions
    String version = new ModelRegistry(registry).roles(Task.FRAUD).champion();
    var model = new ServedModel(version, new ModelRegistry(registry).load(Task.FRAUD, version),
        FeatureCatalogue.of(Task.FRAUD));
    List<String> names = FeatureCatalogue.of(Task.FRAUD).names();
    double[] values = new double[names.size()];
    values[names.indexOf("txn_amount")] = 250_000;
    values[names.indexOf("device_new_90d")] = 1;
    ReasonCatalogue catalogue = ReasonCatalogue.load();
    var a = Assessor.judge(catalogue, Task.FRAUD, null, values, model, List.of(), List.of());
    var facts = RequestFacts.transaction("USD", null, "US", "5411");
    var outcome = Pipeline.outcome(policy.transaction(), a, facts, r -> { });
    var record = AuditRecord.newBuilder().setAuditId("au-1").setTask(Task.FRAUD.wire())
        .setScore(Score.newBuilder().setProbability(a.probability())
            .setScore(ScoreScale.of(a.probability())).addAllReasons(Pipeline.reasons(catalogue, policy.transaction(), outcome, a))
            .setModelId("fraud").setModelVersion(version).setPolicyVersion(policy.version()))
        .setDecision(outcome.decision().name())
        .setPolicyRule(outcome.rule() == null ? "" : outcome.rule())
        .setPolicy(PolicyRef.newBuilder().setVersion(kept.version()).setSha256(kept.sha256()))
        .setRequestFacts(facts.wire());
    for (int i = 0; i < names.size(); i++) {
      record.putFeatures(names.get(i), values[i]);
    }
    decided = record.build();
    change = AuditRecord.newBuilder().setAuditId("adm-1")
        .setModelChange(ModelChange.newBuilder().setAction("SetShadow")).build();
  }

  private static String json(AuditRecord r) throws Exception {
    return JsonFormat.printer().omittingInsignificantWhitespace().print(r);
  }

  private record Run(int code, String out) {}

  private static Run run(List<AuditRecord> records) throws Exception {
    var lines = new ArrayList<String>();
    for (AuditRecord r : records) {
      lines.add(json(r));
    }
    Path file = Files.createTempFile(dir, "records", ".jsonl");
    Files.write(file, lines);
    var out = new StringWriter();
    var command = new CommandLine(new AuditReplay());
    command.setOut(new PrintWriter(out));
    int code = command.execute("--registry", registry.toString(), "--policies",
        policies.toString(), "--records", file.toString());
    return new Run(code, out.toString());
  }

  @Test
  void anIdenticalDecisionIsCountedAndTheExitCodeIsZero() throws Exception {
    Run run = run(List.of(decided, change));
    assertThat(run.out()).isEqualTo("1 replayed, 1 identical, 0 differ, 0 not replayable\n");
    assertThat(run.code()).isZero();
  }

  @Test
  void aDifferenceIsPrintedWithItsFieldAndValuesAndTheExitCodeIsOne() throws Exception {
    String other = decided.getDecision().equals("DECLINE") ? "APPROVE" : "DECLINE";
    AuditRecord altered = decided.toBuilder().setAuditId("au-2").setDecision(other)
        .setScore(decided.getScore().toBuilder().setScore(decided.getScore().getScore() + 1))
        .build();
    AuditRecord orphan = decided.toBuilder().setAuditId("au-3")
        .setPolicy(PolicyRef.newBuilder().setVersion(9).setSha256("9".repeat(64))).build();
    Run run = run(List.of(decided, altered, orphan));
    assertThat(run.out()).contains("DIFFERS au-2 TASK_FRAUD score: recorded "
        + (decided.getScore().getScore() + 1) + ", recomputed " + decided.getScore().getScore())
        .contains("DIFFERS au-2 TASK_FRAUD decision: recorded " + other + ", recomputed "
            + decided.getDecision())
        .contains("NOT REPLAYABLE au-3 TASK_FRAUD: policy version 9 (SHA-256 "
            + "9".repeat(64) + ") is not kept in " + policies)
        .endsWith("3 replayed, 1 identical, 1 differ, 1 not replayable (policy not kept: 1)\n");
    assertThat(run.code()).isEqualTo(1);
  }

  @Test
  void nothingCheckedIsNotASuccess() throws Exception {
    AuditRecord orphan = decided.toBuilder().setAuditId("au-3")
        .setPolicy(PolicyRef.newBuilder().setVersion(9).setSha256("9".repeat(64))).build();
    Run notReplayable = run(List.of(orphan));
    assertThat(notReplayable.out()).endsWith("1 replayed, 0 identical, 0 differ, 1 not"
        + " replayable (policy not kept: 1)\n");
    assertThat(notReplayable.code()).as("a wrong --policies directory").isEqualTo(1);
    Run none = run(List.of(change));
    assertThat(none.out()).isEqualTo("0 replayed, 0 identical, 0 differ, 0 not replayable\n");
    assertThat(none.code()).as("no decision in the records").isEqualTo(1);
  }
}
