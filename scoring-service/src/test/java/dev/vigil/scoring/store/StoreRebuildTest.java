package dev.vigil.scoring.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.features.profile.EntityKey;
import dev.vigil.proto.v1.EntityType;
import dev.vigil.proto.v1.ProfileRecord;
import dev.vigil.scoring.ops.Readiness;
import dev.vigil.testkit.EmbeddedKafka;
import io.grpc.protobuf.services.HealthStatusManager;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store RocksDB finds corrupt is moved aside and rebuilt from the compacted profiles topic, and
 * the service is not ready until the rebuilt store has caught up; a store locked by another
 * process is never moved.
 */
class StoreRebuildTest {
  private static final int PROFILES = 20_000;

  private static List<ProducerRecord<byte[], byte[]>> profiles(String topic) {
    var records = new ArrayList<ProducerRecord<byte[], byte[]>>();
    for (int i = 0; i < PROFILES; i++) {
      String id = "a-" + i;
      records.add(new ProducerRecord<>(topic, EntityKey.account(id).toString()
          .getBytes(StandardCharsets.UTF_8), ProfileRecord.newBuilder()
          .setEntityType(EntityType.ENTITY_TYPE_ACCOUNT).setEntityId(id).setVersion(1).build()
          .toByteArray()));
    }
    return records;
  }

  @Test
  void aCorruptStoreIsMovedAsideRebuiltAndNotReadyUntilCaughtUp(@TempDir Path dir)
      throws Exception {
    try (var kafka = new EmbeddedKafka()) {
      kafka.createTopic("vigil.profiles", 2, true);
      kafka.produce("vigil.profiles", profiles("vigil.profiles"));
      Path storeDir = dir.resolve("profiles");
      try (var store = new ProfileStore(storeDir, ProfileStore.Settings.DEFAULT);
          var m = new ProfileMaterializer(store, kafka.bootstrapServers(), "vigil.profiles")
              .start()) {
        while (m.recordsRead() < PROFILES) {
          Thread.sleep(20);
        }
      }
      // damage it: the file naming the current manifest points at nothing readable
      Files.writeString(storeDir.resolve("CURRENT"), "MANIFEST-999999\n");

      var why = new AtomicReference<String>();
      try (var store = ProfileStore.openOrRebuild(storeDir, ProfileStore.Settings.DEFAULT,
          why::set)) {
        assertThat(why.get()).as("rebuilt, and told why").isNotNull();
        assertThat(Files.exists(dir.resolve("profiles.unreadable/CURRENT"))).isTrue();
        assertThat(store.get(EntityKey.account("a-1"))).isNull();
        assertThat(store.offsets("vigil.profiles")).isEmpty();

        var health = new HealthStatusManager();
        try (var m = new ProfileMaterializer(store, kafka.bootstrapServers(), "vigil.profiles")
            .start()) {
          var readiness = new Readiness(health, m, 0);
          long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
          readiness.update();
          while (!readiness.ready()) {
            assertThat(System.nanoTime()).as("ready within a minute").isLessThan(deadline);
            Thread.sleep(5);
            readiness.update();
          }
          // ready means the whole topic is in the store
          assertThat(m.recordsRead()).isGreaterThanOrEqualTo(PROFILES);
          assertThat(store.get(EntityKey.account("a-" + (PROFILES - 1)))).isNotNull();
        }
      }
    }
  }

  @Test
  void aStoreLockedByAnotherOpenerIsNeverMovedAside(@TempDir Path dir) {
    Path storeDir = dir.resolve("profiles");
    try (var live = new ProfileStore(storeDir, ProfileStore.Settings.DEFAULT)) {
      live.apply("t", List.of(new ProfileStore.Update(EntityKey.account("a-live"),
          ProfileRecord.newBuilder().setVersion(1).build())), java.util.Map.of(0, 1L));
      assertThatThrownBy(() -> ProfileStore.openOrRebuild(storeDir,
          ProfileStore.Settings.DEFAULT, why -> { }))
          .isInstanceOf(IllegalStateException.class);
      assertThat(Files.exists(dir.resolve("profiles.unreadable"))).isFalse();
      assertThat(live.get(EntityKey.account("a-live"))).isNotNull();
    }
  }
}
