package dev.vigil.job.sinks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.features.profile.EntityType;
import dev.vigil.features.profile.ProfileCodec;
import dev.vigil.job.publication.ProfileUpdate;
import dev.vigil.proto.v1.ProfileRecord;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProfileRecordSerializerTest {
  private static final long MILLIS = 1_790_000_000_123L;

  @Test
  void aProfileUpdateBecomesTheRecordScoringReads() throws Exception {
    byte[] state = {1, 2, 3, 4, 5};
    var serializer = new ProfileRecordSerializer("profiles", EntityType.CHECK);

    var out = serializer.serialize(new ProfileUpdate("CHECK/micr:021000021|payer/1|5001", 7,
        MILLIS, state), null, 42L);

    assertThat(out.topic()).isEqualTo("profiles");
    assertThat(out.timestamp()).isEqualTo(42L);
    assertThat(new String(out.key(), StandardCharsets.UTF_8))
        .isEqualTo("CHECK/micr:021000021|payer/1|5001");
    var record = ProfileRecord.parseFrom(out.value());
    assertThat(record.getEntityType()).isEqualTo(dev.vigil.proto.v1.EntityType.ENTITY_TYPE_CHECK);
    assertThat(record.getEntityId()).isEqualTo("micr:021000021|payer/1|5001"); // a slash in the id
    assertThat(record.getVersion()).isEqualTo(7);
    assertThat(record.getLastEventTime().getSeconds()).isEqualTo(MILLIS / 1000);
    assertThat(record.getLastEventTime().getNanos()).isEqualTo(123_000_000);
    assertThat(record.getState().toByteArray()).containsExactly(1, 2, 3, 4, 5);
    assertThat(record.getStateFormat()).isEqualTo(ProfileCodec.FORMAT);
  }

  @Test
  void anUpdateOfAnotherTypeIsRefused() {
    var serializer = new ProfileRecordSerializer("profiles", EntityType.ACCOUNT);

    assertThatThrownBy(() -> serializer.serialize(
        new ProfileUpdate("CUSTOMER/c-1", 1, MILLIS, new byte[0]), null, 1L))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a profile keyed CUSTOMER/c-1 at the sink of ACCOUNT profiles");
    assertThatThrownBy(() -> serializer.serialize(
        new ProfileUpdate("ACCOUNTS/a-1", 1, MILLIS, new byte[0]), null, 1L))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
