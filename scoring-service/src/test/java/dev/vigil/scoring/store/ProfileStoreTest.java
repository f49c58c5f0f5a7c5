package dev.vigil.scoring.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.features.event.EventCodec;
import dev.vigil.features.profile.EntityKey;
import dev.vigil.features.profile.EntityType;
import dev.vigil.proto.v1.ProfileRecord;
import dev.vigil.testkit.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The online store against a real Kafka broker and a real RocksDB. */
class ProfileStoreTest {
  static EmbeddedKafka kafka;
  @TempDir Path dir;

  @BeforeAll
  static void start() throws Exception {
    kafka = new EmbeddedKafka();
  }

  @AfterAll
  static void stop() throws Exception {
    kafka.close();
  }

  static ProducerRecord<byte[], byte[]> record(String topic, EntityKey key, long version) {
    var value = ProfileRecord.newBuilder()
        .setEntityType(key.type().wire())
        .setEntityId(key.id()).setVersion(version)
        .setLastEventTime(EventCodec.timestamp(1_767_225_600_000L + version * 1000))
        .setState(com.google.protobuf.ByteString.copyFromUtf8("state-" + version)).build();
    return new ProducerRecord<>(topic, key.toString().getBytes(StandardCharsets.UTF_8),
        value.toByteArray());
  }

  static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out");
      }
      Thread.sleep(20);
    }
  }

  @Test
  void keepsTheNewestVersionAndResumesWhereItsDataStops() throws Exception {
    String topic = "profiles-store-test";
    kafka.createTopic(topic, 2, true);
    EntityKey account = EntityKey.account("a-1");
    EntityKey merchant = new EntityKey(EntityType.MERCHANT, "m-9");
    var records = new ArrayList<ProducerRecord<byte[], byte[]>>();
    // replays and at-least-once duplicates: versions out of order, repeated
    for (long v : new long[] {2, 3, 1, 3, 2}) {
      records.add(record(topic, account, v));
    }
    records.add(record(topic, merchant, 7));
    records.add(new ProducerRecord<>(topic, "ACCOUNT/a-2".getBytes(), "garbage".getBytes()));
    kafka.produce(topic, records);

    Path storeDir = dir.resolve("store");
    try (var store = new ProfileStore(storeDir, ProfileStore.Settings.DEFAULT);
        var materializer = new ProfileMaterializer(store, kafka.bootstrapServers(), topic).start()) {
      await(() -> materializer.recordsRead() == records.size());
      List<ProfileRecord> got = store.get(List.of(account, merchant, EntityKey.account("none")));
      assertThat(got.get(0).getVersion()).isEqualTo(3);
      assertThat(got.get(0).getState().toStringUtf8()).isEqualTo("state-3");
      assertThat(got.get(1).getVersion()).isEqualTo(7);
      assertThat(got.get(2)).isNull();
      assertThat(materializer.recordsRejected()).isEqualTo(1);
      assertThat(store.offsets(topic).values().stream().mapToLong(Long::longValue).sum())
          .isEqualTo(records.size());
    }

    // restart: nothing already stored is read again; new records are
    kafka.produce(topic, List.of(record(topic, account, 4), record(topic, account, 1)));
    try (var store = new ProfileStore(storeDir, ProfileStore.Settings.DEFAULT);
        var materializer = new ProfileMaterializer(store, kafka.bootstrapServers(), topic).start()) {
      assertThat(materializer.startOffsets().values().stream().mapToLong(Long::longValue).sum())
          .isEqualTo(records.size());
      await(() -> materializer.recordsRead() == 2);
      assertThat(store.get(account).getVersion()).isEqualTo(4);
      assertThat(store.get(merchant).getVersion()).isEqualTo(7);
      Thread.sleep(300);
      assertThat(materializer.recordsRead()).isEqualTo(2);
    }
  }

  @Test
  void warmingReadsEveryStoredProfileOnceAndNothingElse() throws Exception {
    try (var store = new ProfileStore(dir.resolve("warm"), ProfileStore.Settings.DEFAULT)) {
      assertThat(store.warm()).isZero();
      var updates = new ArrayList<ProfileStore.Update>();
      long expected = 0;
      for (int i = 0; i < 3; i++) {
        EntityKey key = i == 2 ? new EntityKey(EntityType.DEVICE, "d-" + i)
            : EntityKey.account("a-" + i);
        var value = ProfileRecord.parseFrom(record("t", key, 1 + i).value());
        updates.add(new ProfileStore.Update(key, value));
        expected += 8 + value.getSerializedSize(); // the stored version, then the record
      }
      // the consumer's offsets live beside the profiles and are not profiles
      store.apply("t", updates, java.util.Map.of(0, 3L));
      assertThat(store.warm()).isEqualTo(expected);
    }
  }
}
