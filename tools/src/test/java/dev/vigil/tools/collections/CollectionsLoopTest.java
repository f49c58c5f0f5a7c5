package dev.vigil.tools.collections;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.models.training.DefaultModels;
import dev.vigil.registry.ModelRegistry;
import dev.vigil.scoring.policy.Policy;
import dev.vigil.tools.cli.Vigil;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The closed loop on a simulated book: each past-due account treated as the policy's strategy for
 * its arm decides (the default delinquency model scoring features folded from the simulated
 * events), its customer responding, and the report computed from the records and the events.
 * The champion calls every past-due account; the challenger offers a payment plan instead, which
 * the strained (most of those past due) take and keep, where a call mostly gets a promise they
 * cannot keep, and complaints. The challenger wins, as it should.
 */
class CollectionsLoopTest {
  @TempDir static Path dir;
  static JsonNode report;
  static String printed;

  static final String STRATEGIES = """
      delinquency:
        default: CURRENT_LOW_RISK
        rules:
          - name: delinquent
            when: features.dpd_current > 0.0
            decision: HIGH_RISK

      delinquency_challenger:
        name: plans-not-calls
        experiment: loop-test
        share: 0.5
        treatments:
          HIGH_RISK: PAYMENT_PLAN_OFFER
      """;

  @BeforeAll
  static void simulateAndReport() throws Exception {
    Path registry = Files.createDirectories(dir.resolve("models"));
    DefaultModels.ensure(new ModelRegistry(registry), m -> { });
    String bundled;
    try (InputStream in = Policy.class.getResourceAsStream("default-policy.yaml")) {
      bundled = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    // the bundled policy with its delinquency section (the file's last) replaced
    Path policy = dir.resolve("policy.yaml");
    Files.writeString(policy, bundled.substring(0, bundled.indexOf("\ndelinquency:\n") + 1)
        + STRATEGIES);
    Path events = dir.resolve("book.jsonl.gz");
    Path records = dir.resolve("records.jsonl");
    Path key = dir.resolve("token.key");
    assertThat(run("collections", "simulate", "--policy", policy.toString(), "--registry",
        registry.toString(), "--key-file", key.toString(), "--seed", "42", "--customers", "2000",
        "--days", "90", "--out", events.toString(), "--records", records.toString()))
        .contains("decisions by strategy");
    Path json = dir.resolve("report.json");
    printed = run("collections", "report", "--records", records.toString(), "--events",
        events.toString(), "--key-file", key.toString(), "--out", json.toString());
    report = new ObjectMapper().readTree(json.toFile());
  }

  static String run(String... args) {
    var out = new StringWriter();
    var command = Vigil.commandLine();
    command.setOut(new PrintWriter(out));
    assertThat(command.execute(args)).as(String.join(" ", args)).isZero();
    return out.toString();
  }

  static JsonNode arm(String name) {
    for (JsonNode a : report) {
      if (a.get("arm").asText().equals(name)) {
        return a;
      }
    }
    throw new AssertionError("no " + name + " arm in " + report);
  }

  @Test
  void bothArmsAreMeasuredInTheirShares() {
    JsonNode champion = arm("champion");
    JsonNode challenger = arm("challenger");
    assertThat(champion.get("strategy").asText()).isEqualTo("champion");
    assertThat(challenger.get("strategy").asText()).isEqualTo("plans-not-calls");
    long a = champion.get("accounts").asLong();
    long b = challenger.get("accounts").asLong();
    assertThat(a + b).isGreaterThan(800);
    assertThat(a / (double) (a + b)).isBetween(0.42, 0.58);
    assertThat(printed).contains("plans-not-calls against champion: cure rate");
  }

  @Test
  void theBetterChallengerWins() {
    JsonNode champion = arm("champion");
    JsonNode challenger = arm("challenger");
    // more cured, fewer rolled forward, promises kept more often, fewer complaints per account
    assertThat(challenger.get("cure_rate").asDouble())
        .isGreaterThan(champion.get("cure_rate").asDouble() + 0.03);
    assertThat(challenger.get("roll_rate").asDouble())
        .isLessThan(champion.get("roll_rate").asDouble());
    assertThat(challenger.get("promise_kept_rate").asDouble())
        .isGreaterThan(champion.get("promise_kept_rate").asDouble());
    assertThat(challenger.get("complaints").asDouble() / challenger.get("accounts").asLong())
        .isLessThan(champion.get("complaints").asDouble() / champion.get("accounts").asLong());
  }
}
