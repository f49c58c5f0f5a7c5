package dev.vigil.scoring.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.features.profile.FeatureCatalogue;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.proto.v1.AuditRecord;
import dev.vigil.proto.v1.Score;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.UniqueElements;

/** The hand-encoded features field against protobuf-java's own encoding of the same map. */
class FeatureValuesTest {
  private static AuditRecord withoutFeatures(String auditId, int score) {
    return AuditRecord.newBuilder().setAuditId(auditId).setRequestId("r-" + auditId)
        .setTask(dev.vigil.proto.v1.Task.TASK_FRAUD).setDecision("APPROVE")
        .addEntities("ACCOUNT/a-1").setScore(Score.newBuilder().setScore(score)).build();
  }

  private static AuditRecord protobufs(AuditRecord record, List<String> names, double[] values) {
    var map = new LinkedHashMap<String, Double>();
    for (int i = 0; i < names.size(); i++) {
      map.put(names.get(i), values[i]);
    }
    return record.toBuilder().putAllFeatures(map).build();
  }

  @Provide
  Arbitrary<Double> anyDouble() {
    return Arbitraries.oneOf(Arbitraries.doubles(),
        Arbitraries.of(0.0, -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
            Double.MIN_VALUE, Double.MAX_VALUE, 1e-300, 365.0));
  }

  @Property(tries = 300)
  void parsesAsTheRecordProtobufWouldHaveWritten(@ForAll("anyDouble") double seed,
      @ForAll int task, @ForAll String auditId) {
    // every feature set the service audits, each value derived from the seed
    List<String> names = FeatureCatalogue.of(Task.values()[Math.floorMod(task, 3)]).names();
    double[] values = new double[names.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = i % 3 == 0 ? seed : seed * (i + 1) - i;
    }
    AuditRecord record = withoutFeatures(auditId, Math.floorMod(task, 1000));
    byte[] bytes = new FeatureValues(names).encode(record, values);
    assertThat(parse(bytes)).isEqualTo(protobufs(record, names, values));
  }

  @Property(tries = 200)
  void anyNamesAnyValues(
      @ForAll @Size(max = 40) @UniqueElements List<@net.jqwik.api.constraints.StringLength(
          max = 300) String> names,
      @ForAll("anyDouble") double first) {
    // names of any length and script: multi-byte UTF-8, and lengths past one varint byte
    double[] values = new double[names.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = first / (i + 1);
    }
    AuditRecord record = withoutFeatures("a", 1);
    byte[] bytes = new FeatureValues(names).encode(record, values);
    AuditRecord parsed = parse(bytes);
    assertThat(parsed).isEqualTo(protobufs(record, names, values));
    assertThat(parsed.getFeaturesCount()).isEqualTo(names.size());
  }

  @Property(tries = 50)
  void refusesValuesThatDoNotMatchTheNames(@ForAll @Size(max = 5) List<Double> extra) {
    List<String> names = new ArrayList<>(List.of("x", "y"));
    double[] values = new double[names.size() + 1 + extra.size()];
    assertThatThrownBy(() -> new FeatureValues(names).encode(AuditRecord.getDefaultInstance(),
        values))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected 2 feature values, got " + values.length);
  }

  private static AuditRecord parse(byte[] bytes) {
    try {
      return AuditRecord.parseFrom(bytes);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }
}
