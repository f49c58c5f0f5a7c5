package dev.vigil.scoring.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.features.event.EventCodec;
import dev.vigil.features.profile.EntityKey;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.proto.v1.DecisionFacts;
import dev.vigil.proto.v1.ModelResult;
import dev.vigil.proto.v1.PolicyRef;
import dev.vigil.proto.v1.Score;
import dev.vigil.proto.v1.ScoreDelinquencyRequest;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DecisionRecordTest {
  @TempDir Path dir;

  @Test
  void theRecordCarriesTheDecisionAsTextTheTaskOnTheWireAndOnlyTokens() {
    EntityTokens tokens = EntityTokens.fromKeyFile(dir.resolve("token.key"));
    var request = ScoreDelinquencyRequest.newBuilder().setAccountId("a-1").build();
    var score = Score.newBuilder().setScore(640).setAuditId("au-1").build();
    var others = List.of(ModelResult.newBuilder().setRole("shadow").setModelVersion("v2").build());
    var record = new DecisionRecord("au-1", "req-1", Task.DELINQUENCY, 1_000_000L,
        request.toByteArray(), "", score, "SELF_CURE", "stand_in: store", others,
        List.of(EntityKey.account("a-1")), 1234,
        PolicyRef.newBuilder().setVersion(3).setSha256("ab".repeat(32)).build(),
        DecisionFacts.getDefaultInstance()).toProto(tokens, 2_000_000L);

    assertThat(record.getAuditId()).isEqualTo("au-1");
    assertThat(record.getRequestId()).isEqualTo("req-1");
    assertThat(record.getTask()).isEqualTo(dev.vigil.proto.v1.Task.TASK_DELINQUENCY);
    assertThat(record.getDecision()).isEqualTo("SELF_CURE");
    assertThat(record.getPolicyRule()).isEqualTo("stand_in: store");
    assertThat(record.getPolicy().getVersion()).isEqualTo(3);
    assertThat(record.getPolicy().getSha256()).isEqualTo("ab".repeat(32));
    assertThat(record.getDecidedAt()).isEqualTo(EventCodec.timestamp(2_000_000L));
    assertThat(record.getAsOf()).isEqualTo(EventCodec.timestamp(1_000_000L));
    assertThat(record.getInputHash()).isEqualTo(tokens.hash(request.toByteArray()));
    assertThat(record.getTokenKeyId()).isEqualTo(tokens.keyId());
    assertThat(record.getEntitiesList()).containsExactly(tokens.token("ACCOUNT/a-1"))
        .noneMatch(t -> t.contains("a-1"));
    assertThat(record.getScore()).isEqualTo(score);
    assertThat(record.getOthersList()).isEqualTo(others);
    assertThat(record.getLatencyMicros()).isEqualTo(1234);
    assertThat(record.getEventId()).isEmpty();
  }

  @Test
  void anAuditIdIsAVersion4Uuid() {
    UUID id = UUID.fromString(DecisionRecord.newId());
    assertThat(id.version()).isEqualTo(4);
    assertThat(id.variant()).isEqualTo(2);
    assertThat(DecisionRecord.newId()).isNotEqualTo(DecisionRecord.newId());
  }
}
