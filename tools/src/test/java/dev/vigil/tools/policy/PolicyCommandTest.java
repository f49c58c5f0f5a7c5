package dev.vigil.tools.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.JsonFormat;
import dev.vigil.features.event.Event;
import dev.vigil.features.event.Event.FraudReport;
import dev.vigil.features.event.EventFiles.EventWriter;
import dev.vigil.proto.v1.AuditRecord;
import dev.vigil.proto.v1.DecisionFacts;
import dev.vigil.proto.v1.PolicyRef;
import dev.vigil.proto.v1.Score;
import dev.vigil.proto.v1.ShadowDecision;
import dev.vigil.proto.v1.Task;
import dev.vigil.tools.cli.CommandRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./vigil policy}: the shadow report from hand-built audit records (live beside two
 * shadow policies, one failing, outcomes from a history), and the commands' one-line errors.
 */
class PolicyCommandTest {
  private static final long DAY = 86_400_000L;
  private static final long T0 = 1_767_225_600_000L; // 2026-01-01
  @TempDir Path dir;

  static CommandRun run(String... args) {
    return CommandRun.of(args);
  }

  @Test
  void theShadowReportComparesLiveWithEachShadowPolicyAndCountsOutcomes() throws Exception {
    PolicyRef v2 = PolicyRef.newBuilder().setVersion(2).setSha256("a".repeat(64)).build();
    PolicyRef v3 = PolicyRef.newBuilder().setVersion(3).setSha256("b".repeat(64)).build();
    var records = new ArrayList<AuditRecord>();
    // 10 transactions of USD 100.00 each: live approves all; shadow v2 reviews the even ones,
    // v3 fails on the first and otherwise approves; e-0 and e-1 were reported as fraud
    for (int i = 0; i < 10; i++) {
      long at = T0 + i * DAY;
      records.add(AuditRecord.newBuilder().setAuditId("au-" + i).setTask(Task.TASK_FRAUD)
          .setEventId("e-" + i).setAsOf(Timestamp.newBuilder().setSeconds(at / 1000))
          .setScore(Score.newBuilder().setScore(100).setModelVersion("v1"))
          .setDecision("APPROVE").putFeatures("txn_amount", 10_000)
          .setRequestFacts(DecisionFacts.newBuilder().setCurrency("USD"))
          .addShadowDecisions(ShadowDecision.newBuilder().setPolicy(v2)
              .setDecision(i % 2 == 0 ? "REVIEW" : "APPROVE")
              .setPolicyRule(i % 2 == 0 ? "review-350" : ""))
          .addShadowDecisions(i == 0
              ? ShadowDecision.newBuilder().setPolicy(v3).setError("java.lang.ArithmeticException")
              : ShadowDecision.newBuilder().setPolicy(v3).setDecision("APPROVE"))
          .build());
    }
    // a record without shadow decisions, and a policy change record: neither compared
    records.add(AuditRecord.newBuilder().setAuditId("au-x").setTask(Task.TASK_FRAUD)
        .setEventId("e-x").setScore(Score.newBuilder().setScore(3)).setDecision("APPROVE")
        .build());
    Path file = dir.resolve("records.jsonl");
    var lines = new StringBuilder();
    for (AuditRecord r : records) {
      lines.append(JsonFormat.printer().omittingInsignificantWhitespace().print(r)).append('\n');
    }
    Files.writeString(file, lines);
    Path events = dir.resolve("events.jsonl");
    try (var w = new EventWriter(events)) {
      for (String reported : List.of("e-0", "e-1")) {
        w.write(new Event("fr-" + reported, T0 + 20 * DAY, "a-1", "c-1",
            new FraudReport(reported, "m-1", T0, false)));
      }
      // the history reaches 61 days past the first five transactions only
      w.write(new Event("late", T0 + 65 * DAY, "a-1", "c-1", new FraudReport("none", "m-1",
          T0, false)));
    }
    Path out = dir.resolve("shadow");
    CommandRun run = run("policy", "shadow-report", "--records", file.toString(), "--events",
        events.toString(), "--out", out.toString());
    assertThat(run.code()).as(run.err()).isZero();
    assertThat(run.out()).contains("11 decisions, 1 without a shadow decision")
        .contains("shadow policy v2-aaaaaaaaaaaa").contains("shadow policy v3-bbbbbbbbbbbb");

    JsonNode v2Report = new ObjectMapper().readTree(out.resolve("v2-aaaaaaaaaaaa")
        .resolve("report.json").toFile()).get("tasks").get("fraud");
    assertThat(v2Report.get("cases").asLong()).isEqualTo(10);
    assertThat(v2Report.get("outcomes").get("BAD").asLong()).isEqualTo(2);
    // e-2, e-3, e-4 known good (61 days before the history's end); e-5..e-9 not yet known
    assertThat(v2Report.get("outcomes").get("GOOD").asLong()).isEqualTo(3);
    JsonNode change = v2Report.get("changes").get("APPROVE").get("REVIEW");
    assertThat(change.get("count").asLong()).isEqualTo(5);
    assertThat(change.get("money").get("USD").asLong()).isEqualTo(50_000);
    JsonNode shadow = v2Report.get("shadow");
    assertThat(shadow.get("bad_caught").get("count").asLong()).isEqualTo(1); // e-0
    assertThat(shadow.get("bad_missed").get("count").asLong()).isEqualTo(1); // e-1
    assertThat(shadow.get("good_declined_or_held").get("count").asLong()).isEqualTo(2); // e-2,4
    assertThat(v2Report.get("live").get("bad_caught").get("count").asLong()).isZero();
    // a shadow decision names its deciding rule only: held and alone are not known
    JsonNode rule = shadow.get("rules").get("review-350");
    assertThat(rule.get("first").asLong()).isEqualTo(5);
    assertThat(rule.get("held").isNull()).isTrue();
    assertThat(shadow.get("reviews_per_day").size()).isEqualTo(5);

    JsonNode v3Report = new ObjectMapper().readTree(out.resolve("v3-bbbbbbbbbbbb")
        .resolve("report.json").toFile()).get("tasks").get("fraud");
    assertThat(v3Report.get("changes").get("APPROVE").get("FAILED").get("count").asLong())
        .isEqualTo(1);
    String html = Files.readString(out.resolve("v2-aaaaaaaaaaaa").resolve("report.html"));
    assertThat(html).contains("<svg").contains("Review queue per day").doesNotContain("<script");
  }

  @Test
  void aMissingHistoryIsOneLineNamingTheOption() throws Exception {
    Path policy = dir.resolve("p.yaml");
    Files.writeString(policy, PolicyCommand.defaultPolicy());
    CommandRun run = run("policy", "backtest", "--events", dir.resolve("nowhere.jsonl").toString(),
        "--policy", policy.toString(), "--registry", dir.toString());
    assertThat(run.code()).isEqualTo(1);
    assertThat(run.err().strip()).doesNotContain("\n").contains("no such file")
        .contains("nowhere.jsonl (--events)");
  }

  @Test
  void fromAndToTakeADateOrAnInstant() throws Exception {
    Path policy = dir.resolve("p.yaml");
    Files.writeString(policy, PolicyCommand.defaultPolicy());
    // the dates parse (midnight UTC): the command gets as far as the missing history
    CommandRun run = run("policy", "backtest", "--events", dir.resolve("nowhere.jsonl").toString(),
        "--policy", policy.toString(), "--registry", dir.toString(), "--from", "2026-02-01",
        "--to", "2026-05-01T12:00:00Z");
    assertThat(run.err()).doesNotContain("Invalid value").contains("no such file");
    assertThat(run.code()).isEqualTo(1);
  }

  @Test
  void aPolicyThatDoesNotValidateIsNamedWithItsField() throws Exception {
    Path events = dir.resolve("events.jsonl");
    try (var w = new EventWriter(events)) {
      w.write(new Event("late", T0, "a-1", "c-1", new FraudReport("none", "m-1", T0, false)));
    }
    Path policy = dir.resolve("bad.yaml");
    Files.writeString(policy, PolicyCommand.defaultPolicy()
        .replace("decision: DECLINE", "decision: DECLINED"));
    CommandRun run = run("policy", "backtest", "--events", events.toString(), "--policy",
        policy.toString(), "--registry", dir.toString());
    assertThat(run.code()).isEqualTo(1);
    assertThat(run.err().strip()).doesNotContain("\n")
        .contains("--policy " + policy
            + ": transaction.rules[decline-very-high-risk].decision: must be one of")
        .contains("not DECLINED");
  }

  @Test
  void aShadowReportWithoutShadowDecisionsFails() throws Exception {
    Path file = dir.resolve("records.jsonl");
    Files.writeString(file, JsonFormat.printer().omittingInsignificantWhitespace().print(
        AuditRecord.newBuilder().setAuditId("au").setTask(Task.TASK_FRAUD).setEventId("e")
            .setScore(Score.newBuilder().setScore(1)).setDecision("APPROVE").build()) + "\n");
    CommandRun run = run("policy", "shadow-report", "--records", file.toString(), "--out",
        dir.resolve("o").toString());
    assertThat(run.code()).isEqualTo(1);
    assertThat(run.out()).contains("1 decisions, 1 without a shadow decision");
  }
}
