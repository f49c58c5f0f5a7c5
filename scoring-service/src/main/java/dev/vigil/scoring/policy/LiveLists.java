package dev.vigil.scoring.policy;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.vigil.proto.v1.ListEntry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The allow and block lists every replica serves, replicated through a log: each change is a
 * record of the lists topic (one partition, keyed by entry id, the entry's whole state as a
 * {@link ListEntry}: compaction keeps each entry's latest state, which is all the history a book
 * needs). Every replica reads the topic from the beginning at start (the service waits for that,
 * up to a bound) and then follows it, so a change made through one replica is served by all.
 * Serving reads {@link #book()}: an immutable book swapped whole on each change, no lock.
 */
public final class LiveLists implements Supplier<ListBook>, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LiveLists.class);

  private final String topic;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final KafkaProducer<byte[], byte[]> producer;
  private final Thread follower;
  private volatile ListBook book = ListBook.EMPTY;
  /** The next offset to read: every record before it is in {@link #book}. */
  private volatile long position;
  private volatile boolean closed;
  private final Object applied = new Object();

  /**
   * Reads {@code topic} from the beginning (waiting up to {@code catchUp} to reach its end as it
   * was at start; a topic that does not exist yet is empty) and follows it from then on.
   *
   * @param kafka the clients' settings (bootstrap servers, security)
   */
  public LiveLists(Properties kafka, String topic, Duration catchUp) {
    this.topic = topic;
    var c = new Properties();
    c.putAll(kafka);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    c.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, "vigil-lists");
    consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    var p = new Properties();
    p.putAll(kafka);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "vigil-lists");
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(catchUp.toMillis()));
    producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    long deadline = System.nanoTime() + catchUp.toNanos();
    TopicPartition partition = assign(catchUp);
    if (partition != null) {
      long end = consumer.endOffsets(List.of(partition), catchUp).getOrDefault(partition, 0L);
      while (position < end && System.nanoTime() < deadline) {
        pollOnce();
      }
      if (position < end) {
        log.warn("lists topic {} read to offset {} of {} within {}: serving the lists read so"
            + " far, the rest follows", topic, position, end, catchUp);
      }
    } else {
      log.warn("lists topic {} does not exist (yet): no list entries; it is followed once it"
          + " does", topic);
    }
    log.info("lists: {} entries from {} (offset {})", book.entries().size(), topic, position);
    follower = new Thread(this::follow, "lists-follower");
    follower.setDaemon(true);
    follower.start();
  }

  /** Assigns the topic's partition 0 from the beginning; null when the topic does not exist. */
  private TopicPartition assign(Duration timeout) {
    List<PartitionInfo> partitions;
    try {
      partitions = consumer.partitionsFor(topic, timeout);
    } catch (KafkaException e) {
      return null;
    }
    if (partitions == null || partitions.isEmpty()) {
      return null;
    }
    if (partitions.size() > 1) {
      log.warn("lists topic {} has {} partitions: only partition 0 is read (changes must be one"
          + " ordered log)", topic, partitions.size());
    }
    var partition = new TopicPartition(topic, 0);
    consumer.assign(List.of(partition));
    consumer.seekToBeginning(List.of(partition));
    return partition;
  }

  /** The lists as they stand now (every entry, each in its latest state). */
  public ListBook book() {
    return book;
  }

  @Override
  public ListBook get() {
    return book;
  }

  /**
   * Writes {@code entry}'s state to the topic and waits until this replica serves it (so that
   * the caller reads its own change).
   *
   * @throws TimeoutException when it is not written, or not read back, within {@code timeout}
   */
  public void publish(Listing entry, Duration timeout)
      throws TimeoutException, InterruptedException, ExecutionException {
    long deadline = System.nanoTime() + timeout.toNanos();
    // partition 0, the one every replica reads, whatever the topic's partition count
    RecordMetadata written = producer.send(new ProducerRecord<>(topic, 0,
        entry.id().getBytes(StandardCharsets.UTF_8), entry.wire().toByteArray()))
        .get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    synchronized (applied) {
      while (position <= written.offset()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new TimeoutException("list entry " + entry.id() + " written at offset "
              + written.offset() + " of " + topic + " but not read back within " + timeout);
        }
        applied.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      }
    }
  }

  private void follow() {
    boolean assigned = !consumer.assignment().isEmpty();
    while (!closed) {
      try {
        if (!assigned) {
          assigned = assign(Duration.ofSeconds(5)) != null;
          if (!assigned) {
            Thread.sleep(2000);
            continue;
          }
        }
        pollOnce();
      } catch (WakeupException e) {
        return;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        if (closed) {
          return;
        }
        // never let the follower end: the lists would stop changing without a word
        log.error("lists topic {}: {}", topic, e.toString());
        try {
          Thread.sleep(1000);
        } catch (InterruptedException ie) {
          return;
        }
      }
    }
  }

  private void pollOnce() {
    var records = consumer.poll(Duration.ofMillis(200));
    var changed = new ArrayList<Listing>(records.count());
    for (ConsumerRecord<byte[], byte[]> r : records) {
      if (r.value() == null) {
        continue; // a tombstone (compaction's deletion marker) changes no entry
      }
      try {
        changed.add(Listing.of(ListEntry.parseFrom(r.value())));
      } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
        // a record no replica can read is skipped by all alike (the offset only, never a value)
        log.error("lists topic {} offset {}: not a list entry, skipped: {}", topic, r.offset(),
            e.getMessage());
      }
    }
    book = book.with(changed);
    synchronized (applied) {
      for (TopicPartition tp : consumer.assignment()) {
        position = consumer.position(tp);
      }
      applied.notifyAll();
    }
  }

  @Override
  public void close() {
    closed = true;
    consumer.wakeup();
    try {
      follower.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    consumer.close(Duration.ofSeconds(2));
    producer.close(Duration.ofSeconds(2));
  }
}
