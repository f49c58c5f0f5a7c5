package dev.vigil.scoring.store;

import dev.vigil.features.profile.EntityKey;
import dev.vigil.proto.v1.ProfileRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the {@link ProfileStore} up to date with the profiles topic: reads every partition from
 * the offsets stored with the data (from the beginning on a new store) and applies each poll as
 * one atomic batch. No consumer group: every replica materialises the whole topic.
 */
public final class ProfileMaterializer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ProfileMaterializer.class);

  private final ProfileStore store;
  private final String topic;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Thread thread;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicLong applied = new AtomicLong();
  private final AtomicLong read = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();
  private final AtomicLong newestEventMillis = new AtomicLong(Long.MIN_VALUE);
  private volatile Map<TopicPartition, Long> startOffsets = Map.of();

  public ProfileMaterializer(ProfileStore store, String bootstrapServers, String topic) {
    this.store = store;
    this.topic = topic;
    var p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
    p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "20");
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "vigil-profile-materializer");
    consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    thread = new Thread(this::run, "profile-materializer");
    thread.setDaemon(true);
  }

  /** Assigns every partition, seeks to the stored offsets, and starts reading. */
  public ProfileMaterializer start() {
    var partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
        .map(i -> new TopicPartition(topic, i.partition())).toList();
    consumer.assign(partitions);
    Map<Integer, Long> stored = store.offsets(topic);
    var starts = new java.util.HashMap<TopicPartition, Long>();
    for (TopicPartition tp : partitions) {
      Long offset = stored.get(tp.partition());
      if (offset == null) {
        consumer.seekToBeginning(List.of(tp));
        starts.put(tp, 0L);
      } else {
        consumer.seek(tp, offset);
        starts.put(tp, offset);
      }
    }
    startOffsets = Map.copyOf(starts);
    log.info("materialising {} ({} partitions) from stored offsets {}", topic, partitions.size(),
        stored);
    thread.start();
    return this;
  }

  private void run() {
    try {
      while (running.get()) {
        var records = consumer.poll(Duration.ofMillis(100));
        if (records.isEmpty()) {
          continue;
        }
        var updates = new ArrayList<ProfileStore.Update>(records.count());
        int bad = 0;
        var next = new java.util.HashMap<Integer, Long>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
          next.merge(r.partition(), r.offset() + 1, Math::max);
          ProfileStore.Update u = parse(r);
          if (u == null) {
            bad++;
          } else {
            updates.add(u);
            newestEventMillis.accumulateAndGet(
                u.record().getLastEventTime().getSeconds() * 1000, Math::max);
          }
        }
        applied.addAndGet(store.apply(topic, updates, next));
        rejected.addAndGet(bad);
        read.addAndGet(records.count()); // counted once applied: "read" means "in the store"
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      log.error("profile materialiser stopped", e);
    }
  }

  private static ProfileStore.Update parse(ConsumerRecord<byte[], byte[]> r) {
    try {
      EntityKey key = EntityKey.parse(new String(r.key(), StandardCharsets.UTF_8));
      ProfileRecord record = ProfileRecord.parseFrom(r.value());
      return new ProfileStore.Update(key, record);
    } catch (RuntimeException | com.google.protobuf.InvalidProtocolBufferException e) {
      // never the key or value in the log: they name customers' accounts
      log.warn("skipping an unreadable profile record at {}/{}", r.partition(), r.offset());
      return null;
    }
  }

  /** Where reading started, per partition: the offsets the store held when it opened. */
  public Map<TopicPartition, Long> startOffsets() {
    return startOffsets;
  }

  public long recordsRead() {
    return read.get();
  }

  public long profilesApplied() {
    return applied.get();
  }

  public long recordsRejected() {
    return rejected.get();
  }

  /** The newest event time reflected in the store (for the freshness-lag metric). */
  public long newestEventMillis() {
    return newestEventMillis.get();
  }

  @Override
  public void close() throws InterruptedException {
    running.set(false);
    consumer.wakeup();
    thread.join(10_000);
    consumer.close();
  }
}
