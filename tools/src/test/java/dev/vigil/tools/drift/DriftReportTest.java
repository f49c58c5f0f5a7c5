package dev.vigil.tools.drift;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.features.event.EventCodec;
import dev.vigil.features.profile.FeatureCatalogue;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.models.training.DefaultModels;
import dev.vigil.proto.v1.AuditRecord;
import dev.vigil.proto.v1.Score;
import dev.vigil.registry.ModelRegistry;
import dev.vigil.registry.ScoreScale;
import dev.vigil.scoring.model.ServedModel;
import dev.vigil.testkit.EmbeddedKafka;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code ./vigil models drift} over a real decisions topic: the champion's decisions, read back
 * from their audit records, against its training population; the shifted feature heads the
 * report, and decisions of another version, another task or a model change are left out.
 */
class DriftReportTest {
  private static final Instant NOW = Instant.parse("2026-11-24T15:00:00Z");

  /** A registry holding the seeded default models (as ./vigil up trains them). */
  private static Path defaultModels(Path dir) throws IOException {
    DefaultModels.ensure(new ModelRegistry(dir), m -> { });
    return dir;
  }

  @TempDir Path dir;

  @Test
  void theShiftedFeatureHeadsTheReport() throws Exception {
    Path registryDir = defaultModels(Files.createDirectories(dir.resolve("models")));
    var registry = new ModelRegistry(registryDir);
    String version = registry.roles(Task.FRAUD).champion();
    var champion = new ServedModel(version, registry.load(Task.FRAUD, version),
        FeatureCatalogue.FRAUD);
    List<String> names = FeatureCatalogue.FRAUD.names();
    int amount = names.indexOf("txn_amount");
    try (var kafka = new EmbeddedKafka()) {
      kafka.createTopic("vigil.decisions", 1, false);
      var records = new ArrayList<ProducerRecord<byte[], byte[]>>();
      int n = 0;
      for (double[] reference : champion.card().reference()) {
        double[] row = reference.clone();
        row[amount] *= 4; // the same customers, every amount four times as large
        records.add(record("d-" + n++, Task.FRAUD, version, names, row,
            ScoreScale.of(champion.probability(row))));
      }
      // not counted: another version's decision, another task's, a model change
      records.add(record("other-version", Task.FRAUD, "v999", names, new double[names.size()],
          999));
      records.add(record("other-task", Task.DEPOSIT, version, List.of(), new double[0], 999));
      records.add(new ProducerRecord<>("vigil.decisions", "change".getBytes(StandardCharsets.UTF_8),
          AuditRecord.newBuilder().setAuditId("change").setTask(dev.vigil.proto.v1.Task.TASK_FRAUD)
              .setModelChange(dev.vigil.proto.v1.ModelChange.newBuilder().setAction("SetShadow"))
              .build().toByteArray()));
      kafka.produce("vigil.decisions", records);

      Path out = dir.resolve("drift.html");
      int code = DriftReport.commandLine().execute("--task", "fraud", "--registry",
          registryDir.toString(), "--bootstrap-servers", kafka.bootstrapServers(), "--out",
          out.toString());
      assertThat(code).isZero();
      String html = Files.readString(out);
      assertThat(html).contains(String.format(java.util.Locale.ROOT, "%,d decisions", n));
      // the table, ranked: txn_amount first and moved, every other feature stable
      var rows = Pattern.compile("<tr><td><a href=\"#([a-z0-9_]+)\">[a-z0-9_]+</a></td><td>"
          + "([0-9.]+)</td>").matcher(html);
      var ranked = new ArrayList<String>();
      while (rows.find()) {
        ranked.add(rows.group(1));
        double psi = Double.parseDouble(rows.group(2));
        if (rows.group(1).equals("txn_amount")) {
          assertThat(psi).isGreaterThan(0.25);
        } else if (!rows.group(1).equals("score")) {
          assertThat(psi).as(rows.group(1)).isLessThan(0.1);
        }
      }
      assertThat(ranked).hasSize(names.size() + 1).first().isEqualTo("txn_amount");
      assertThat(html.split("<svg ", -1)).hasSize(names.size() + 2); // one chart per variable
    }
  }

  /**
   * The roll model has no records of its own: its results are the cure records' roll, on the
   * cure record's values; those of the version asked for, without an error, are compared.
   */
  @Test
  void theRollModelIsComparedOnTheCureRecordsItScored() throws Exception {
    Path registryDir = defaultModels(Files.createDirectories(dir.resolve("models")));
    var registry = new ModelRegistry(registryDir);
    String version = registry.roles(Task.ROLL).champion();
    var roll = new ServedModel(version, registry.load(Task.ROLL, version), FeatureCatalogue.ROLL);
    List<String> names = FeatureCatalogue.ROLL.names();
    try (var kafka = new EmbeddedKafka()) {
      kafka.createTopic("vigil.decisions", 1, false);
      var records = new ArrayList<ProducerRecord<byte[], byte[]>>();
      int n = 0;
      for (double[] row : roll.card().reference()) {
        double p = roll.probability(row);
        records.add(withRoll(record("r-" + n++, Task.CURE, "v1", names, row, 500),
            dev.vigil.proto.v1.ModelResult.newBuilder().setRole("roll").setModelVersion(version)
                .setProbability(p).setScore(ScoreScale.of(p)).build()));
      }
      // not counted: a roll that failed, another roll version, a cure record without a roll
      records.add(withRoll(record("failed", Task.CURE, "v1", names, new double[names.size()],
          500), dev.vigil.proto.v1.ModelResult.newBuilder().setRole("roll")
              .setModelVersion(version).setError("java.lang.IllegalStateException").build()));
      records.add(withRoll(record("other", Task.CURE, "v1", names, new double[names.size()],
          500), dev.vigil.proto.v1.ModelResult.newBuilder().setRole("roll")
              .setModelVersion("v999").setProbability(0.5).setScore(500).build()));
      records.add(record("no-roll", Task.CURE, "v1", names, new double[names.size()], 500));
      kafka.produce("vigil.decisions", records);

      Path out = dir.resolve("roll-drift.html");
      int code = DriftReport.commandLine().execute("--task", "roll", "--registry",
          registryDir.toString(), "--bootstrap-servers", kafka.bootstrapServers(), "--out",
          out.toString());
      assertThat(code).isZero();
      assertThat(Files.readString(out))
          .contains(String.format(java.util.Locale.ROOT, "%,d decisions", n));
    }
  }

  private static ProducerRecord<byte[], byte[]> withRoll(ProducerRecord<byte[], byte[]> r,
      dev.vigil.proto.v1.ModelResult roll) throws Exception {
    return new ProducerRecord<>(r.topic(), r.key(), AuditRecord.parseFrom(r.value()).toBuilder()
        .setRoll(roll).build().toByteArray());
  }

  private static ProducerRecord<byte[], byte[]> record(String id, Task task, String version,
      List<String> names, double[] values, int score) {
    var a = AuditRecord.newBuilder().setAuditId(id)
        .setTask(dev.vigil.proto.v1.Task.valueOf("TASK_" + task.name()))
        .setDecidedAt(EventCodec.timestamp(NOW.toEpochMilli()))
        .setScore(Score.newBuilder().setModelVersion(version).setScore(score));
    for (int i = 0; i < names.size(); i++) {
      a.putFeatures(names.get(i), values[i]);
    }
    return new ProducerRecord<>("vigil.decisions", id.getBytes(StandardCharsets.UTF_8),
        a.build().toByteArray());
  }
}
