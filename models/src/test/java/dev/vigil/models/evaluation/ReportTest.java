package dev.vigil.models.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReportTest {
  @Test
  void curvesRunFromCornerToCornerAndTheReportIsSelfContained() {
    double[] p = {0.9, 0.8, 0.8, 0.3, 0.2, 0.1};
    int[] y = {1, 1, 0, 0, 1, 0};
    var roc = Report.roc(p, y);
    assertThat(roc.get(0)).containsExactly(0, 0);
    assertThat(roc.get(roc.size() - 1)).containsExactly(1, 1);
    // the tie at 0.8 is one threshold: one point for both rows
    assertThat(roc).hasSize(1 + 5);
    var pr = Report.precisionRecall(p, y);
    assertThat(pr.get(pr.size() - 1)).containsExactly(1.0, 0.5);

    var metrics = new LinkedHashMap<String, Double>();
    metrics.put("rows", 6.0);
    metrics.put("auc_roc", Metrics.aucRoc(p, y));
    String html = Report.html("fraud <v1>", metrics, p, y,
        List.of(new Report.FeatureWeight("txn_amount", 1.5)));
    assertThat(html).contains("fraud &lt;v1&gt;").contains("<svg").contains("txn_amount")
        .contains("<th>rows</th><td>6</td>").doesNotContain("<script").doesNotContain("src=")
        .doesNotContain("href=")
        .contains("Reliability curve");
  }
}
