package dev.vigil.scoring.store;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.vigil.features.profile.EntityKey;
import dev.vigil.proto.v1.ProfileRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
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
public final class ProfileMaterializer implements AutoCloseable, StoreProgress {
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
  /** The topic's end offsets when reading started: caught up once every position reaches them. */
  private volatile Map<TopicPartition, Long> endAtStart = Map.of();
  private volatile boolean caughtUp;
  private volatile long lag = -1;
  private volatile boolean failing;
  private final AtomicLong failures = new AtomicLong();

  public ProfileMaterializer(ProfileStore store, String bootstrapServers, String topic) {
    this(store, bootstrap(bootstrapServers), topic);
  }

  /**
   * @param kafka the consumer's client settings (bootstrap servers, security): its own settings
   *     (offsets kept in the store, poll sizes, client id) are added to a copy
   */
  public ProfileMaterializer(ProfileStore store, Properties kafka, String topic) {
    this.store = store;
    this.topic = topic;
    var p = new Properties();
    p.putAll(kafka);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
    p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "20");
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "vigil-profile-materializer");
    consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    thread = new Thread(this::run, "profile-materializer");
    thread.setDaemon(true);
  }

  private static Properties bootstrap(String servers) {
    var p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
    return p;
  }

  /** Assigns every partition, seeks to the stored offsets, and starts reading. */
  public ProfileMaterializer start() {
    var partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
        .map(i -> new TopicPartition(topic, i.partition())).toList();
    consumer.assign(partitions);
    Map<Integer, Long> stored = store.offsets(topic);
    var starts = new HashMap<TopicPartition, Long>();
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
    endAtStart = Map.copyOf(consumer.endOffsets(partitions, Duration.ofSeconds(30)));
    noteProgress();
    log.info("materialising {} ({} partitions) from stored offsets {}", topic, partitions.size(),
        stored);
    thread.start();
    return this;
  }

  /**
   * Reads and applies until closed. A failure (the store refusing a write, say) is logged and
   * counted, reading is suspended for a growing pause and resumes from the offsets stored with
   * the data: the thread never ends on its own, and health reports it failing meanwhile.
   */
  private void run() {
    long backoff = 100;
    while (running.get()) {
      try {
        if (failing) {
          Thread.sleep(backoff);
          backoff = Math.min(backoff * 2, 10_000);
          Map<Integer, Long> stored = store.offsets(topic);
          for (TopicPartition tp : consumer.assignment()) {
            Long offset = stored.get(tp.partition());
            if (offset == null) {
              consumer.seekToBeginning(List.of(tp));
            } else {
              consumer.seek(tp, offset);
            }
          }
        }
        pollOnce();
        failing = false;
        backoff = 100;
      } catch (WakeupException | InterruptedException e) {
        break; // closing
      } catch (RuntimeException e) {
        if (!running.get()) {
          break;
        }
        failures.incrementAndGet();
        failing = true;
        log.error("profile materialiser failed; resuming from the stored offsets: {}",
            e.toString());
      }
    }
  }

  private void pollOnce() {
    var records = consumer.poll(Duration.ofMillis(100));
    if (!records.isEmpty()) {
      var updates = new ArrayList<ProfileStore.Update>(records.count());
      int bad = 0;
      var next = new HashMap<Integer, Long>();
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
    noteProgress();
  }

  /** Updates the lag (from the last fetch's high watermarks) and the first catch-up. */
  private void noteProgress() {
    long behind = 0;
    boolean reached = true;
    for (TopicPartition tp : consumer.assignment()) {
      long position = consumer.position(tp);
      var partitionLag = consumer.currentLag(tp);
      Long end = endAtStart.get(tp);
      behind += partitionLag.isPresent() ? partitionLag.getAsLong()
          : Math.max(0, (end == null ? position : end) - position);
      reached &= end == null || position >= end;
    }
    lag = behind;
    if (reached && !caughtUp) {
      caughtUp = true;
      log.info("the profile store has caught up with {}", topic);
    }
  }

  private static ProfileStore.Update parse(ConsumerRecord<byte[], byte[]> r) {
    try {
      EntityKey key = EntityKey.parse(new String(r.key(), StandardCharsets.UTF_8));
      ProfileRecord record = ProfileRecord.parseFrom(r.value());
      return new ProfileStore.Update(key, record);
    } catch (RuntimeException | InvalidProtocolBufferException e) {
      // never the key or value in the log: they name customers' accounts
      log.warn("skipping an unreadable profile record at {}/{}", r.partition(), r.offset());
      return null;
    }
  }

  /** Where reading started, per partition: the offsets the store held when it opened. */
  public Map<TopicPartition, Long> startOffsets() {
    return startOffsets;
  }

  /** True once the store holds everything the topic held when reading started. */
  @Override
  public boolean caughtUp() {
    return caughtUp;
  }

  /**
   * Records of the topic not yet in the store, as of the last fetch (-1 before the first); while
   * the broker is away, the last known figure.
   */
  @Override
  public long lag() {
    return lag;
  }

  /** True while the reading thread runs and its last attempt did not fail. */
  @Override
  public boolean healthy() {
    return thread.isAlive() && !failing;
  }

  /** Failures of the reading thread since start (each followed by a resume). */
  public long failures() {
    return failures.get();
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
