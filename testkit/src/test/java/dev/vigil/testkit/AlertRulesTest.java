package dev.vigil.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading a rules file, the metrics an expression selects, and a scrape's names and labels. */
class AlertRulesTest {
  @TempDir Path dir;

  @Test
  void anExpressionsMetricsAreItsNamesNotItsFunctionsLabelsOrKeywords() {
    assertThat(AlertRules.selectors("sum by (instance, task) (rate(vigil_stand_in_total"
        + "{cause=\"store\", task=~\"fraud|deposit\"}[5m])) / on (task) group_left"
        + " sum(rate(vigil_decisions_total[5m] offset 1h)) > bool 0.01 and time() - 1e3 > 0"))
        .containsExactly(new AlertRules.Selector("vigil_stand_in_total", Set.of("cause", "task")),
            new AlertRules.Selector("vigil_decisions_total", Set.of()));
    // a string that looks like a name is not one
    assertThat(AlertRules.selectors("up{job=\"vigil_service\"} == 0"))
        .containsExactly(new AlertRules.Selector("up", Set.of("job")));
  }

  @Test
  void aScrapeGivesEachSampleNameWithItsLabelsAndDeclaredFamiliesWithout() {
    var exported = AlertRules.exported("""
        # HELP vigil_rpc_duration_seconds time
        # TYPE vigil_rpc_duration_seconds histogram
        # TYPE vigil_stand_in_total counter
        vigil_decisions_total{decision="APPROVE",task="fraud"} 3.0
        vigil_store_caught_up 1
        """);
    assertThat(exported).containsEntry("vigil_decisions_total", Set.of("decision", "task"))
        .containsEntry("vigil_store_caught_up", Set.of())
        .containsEntry("vigil_stand_in_total", Set.of())
        .containsKey("vigil_rpc_duration_seconds_count");
    var group = new AlertRules.Group("g", List.of(rule("A",
        "vigil_decisions_total{task=\"fraud\"} > 0 and vigil_stand_in_total{cause=\"x\"} > 0"
            + " and vigil_store_caught_upp == 0")));
    assertThat(AlertRules.missing(group, exported)).containsExactly(
        "A: vigil_stand_in_total has no label [cause] (its labels: [])",
        "A: vigil_store_caught_upp is not exported");
  }

  @Test
  void aFileOfAnotherShapeIsRefusedNamingWhere() throws Exception {
    String good = """
        groups:
          - name: g
            rules:
              - alert: VigilSomething
                expr: vigil_x > 0
                for: 5m
                labels: { severity: page }
                annotations: { summary: s, description: d }
        """;
    assertThat(AlertRules.read(write(good)).group("g").rules()).singleElement()
        .extracting(AlertRules.Rule::duration).isEqualTo("5m");
    Map<String, String> broken = Map.of(
        "severity: page", "labels.severity is 'urgent'",
        "for: 5m", "for: '5 minutes' is not a duration",
        "expr: vigil_x > 0", "unknown field 'exp'",
        "annotations: { summary: s, description: d }", "annotations.description is missing");
    Map<String, String> replacement = Map.of(
        "severity: page", "severity: urgent",
        "for: 5m", "for: 5 minutes",
        "expr: vigil_x > 0", "exp: vigil_x > 0",
        "annotations: { summary: s, description: d }", "annotations: { summary: s }");
    for (var b : broken.entrySet()) {
      Path file = write(good.replace(b.getKey(), replacement.get(b.getKey())));
      assertThatThrownBy(() -> AlertRules.read(file)).as(b.getKey())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("group g, alert VigilSomething").hasMessageContaining(b.getValue());
    }
  }

  private Path write(String text) throws Exception {
    return Files.writeString(Files.createTempFile(dir, "rules", ".yml"), text);
  }

  private static AlertRules.Rule rule(String alert, String expr) {
    return new AlertRules.Rule(alert, expr, "0m", Map.of("severity", "page"),
        Map.of("summary", "s", "description", "d"));
  }
}
