package dev.vigil.scoring.audit;

import dev.vigil.scoring.audit.SegmentLog.Cursor;
import dev.vigil.scoring.audit.SegmentLog.Frame;
import dev.vigil.scoring.audit.SegmentLog.SegmentReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit spool's Kafka half: a drainer thread that delivers a {@link SegmentLog}'s records to
 * the decisions topic in order, each once as the topic's readers see it. Every record goes to one
 * partition with headers {@code vigil.spool} (the spool id), {@code vigil.seq} (its sequence),
 * {@code vigil.prev} and {@code vigil.hash} (its chain, {@link AuditChain}). The producer is
 * idempotent, so what lands of what it sent is a prefix; after a failure, or on start, the drainer
 * reads the partition from the last offset it knows and resumes after the highest sequence of this
 * spool it finds there: a record delivered but not yet noted in the cursor is not sent twice.
 */
final class TopicSender implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TopicSender.class);

  private final SegmentLog spool;
  private final Properties kafka;
  private final String topic;
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong deliveryFailures = new AtomicLong();
  private final Thread drainer;
  private volatile boolean running = true;

  /** Starts delivering {@code spool}'s records to {@code topic} with the client {@code kafka}. */
  TopicSender(SegmentLog spool, Properties kafka, String topic) {
    this.spool = spool;
    this.kafka = kafka;
    this.topic = topic;
    drainer = AuditSpool.daemon(this::drain, "audit-spool-drainer");
    drainer.start();
  }

  /** Records delivered to the topic since this sender started. */
  long delivered() {
    return delivered.get();
  }

  /** Times a delivery failed (the drainer reconnects and resumes). */
  long deliveryFailures() {
    return deliveryFailures.get();
  }

  /** Stops the drainer; what is not delivered stays in the log. */
  @Override
  public void close() throws InterruptedException {
    running = false;
    drainer.interrupt();
    drainer.join(10_000);
  }

  private void drain() {
    KafkaProducer<byte[], byte[]> producer = null;
    SegmentReader reader = null;
    long backoff = 100;
    while (running) {
      try {
        if (producer == null) {
          producer = producer();
          Cursor cursor = spool.cursor();
          int partition = cursor.partition() >= 0 ? cursor.partition()
              : Math.floorMod(spool.id().hashCode(), producer.partitionsFor(topic).size());
          resume(partition);
          if (reader != null) {
            reader.close();
            reader = null;
          }
        }
        if (reader == null) {
          reader = spool.readerAt(spool.cursor().nextSeq());
          if (reader == null) {
            spool.awaitAppend(spool.cursor().nextSeq());
            continue;
          }
        }
        List<Frame> batch = spool.nextBatch(reader);
        if (batch.isEmpty()) {
          if (spool.nextSegmentAfter(reader)) {
            reader.close();
            reader = null;
          } else {
            spool.awaitAppend(spool.cursor().nextSeq());
          }
          continue;
        }
        send(producer, batch);
        backoff = 100;
      } catch (InterruptedException e) {
        break;
      } catch (RuntimeException | IOException | ExecutionException e) {
        if (!running) {
          break;
        }
        deliveryFailures.incrementAndGet();
        log.warn("audit spool: delivery to {} failed, {} records waiting; retrying in {} ms: {}",
            topic, spool.pending(), backoff, e.toString());
        if (producer != null) {
          producer.close(Duration.ZERO);
          producer = null;
        }
        sleep(backoff);
        backoff = Math.min(backoff * 2, 5_000);
      }
    }
    if (reader != null) {
      try {
        reader.close();
      } catch (IOException ignored) {
        // closing
      }
    }
    if (producer != null) {
      producer.close(Duration.ofSeconds(5));
    }
  }

  /** Sends {@code batch} and waits for every acknowledgement; then moves the cursor past it. */
  private void send(KafkaProducer<byte[], byte[]> producer, List<Frame> batch)
      throws IOException, InterruptedException, ExecutionException {
    var acks = new ArrayList<Future<RecordMetadata>>(batch.size());
    byte[] id = spool.id().getBytes(StandardCharsets.UTF_8);
    Cursor cursor = spool.cursor();
    for (Frame f : batch) {
      List<Header> headers = List.of(new RecordHeader(AuditSpool.SPOOL_HEADER, id),
          new RecordHeader(AuditSpool.SEQ_HEADER,
              Long.toString(f.seq()).getBytes(StandardCharsets.UTF_8)),
          new RecordHeader(AuditSpool.PREVIOUS_HEADER, f.previous()),
          new RecordHeader(AuditSpool.HASH_HEADER, f.hash()));
      acks.add(producer.send(new ProducerRecord<>(topic, cursor.partition(), f.timestamp(),
          f.key(), f.value(), headers)));
    }
    producer.flush();
    long offset = cursor.lastOffset();
    for (Future<RecordMetadata> ack : acks) {
      offset = ack.get().offset(); // throws the first failure
    }
    spool.advance(new Cursor(batch.get(batch.size() - 1).seq() + 1, cursor.partition(), offset));
    delivered.addAndGet(batch.size());
  }

  /**
   * Finds where delivery stands: reads {@code partition} from after the last offset the cursor
   * knows to its end (on the first resume ever, notes the end: nothing was sent before), and
   * moves the cursor past the highest sequence of this spool found there.
   */
  private void resume(int partition) throws IOException {
    var p = new Properties();
    p.putAll(kafka);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "vigil-audit-spool-resume");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    var tp = new TopicPartition(topic, partition);
    Cursor cursor = spool.cursor();
    long found = -1;
    long foundOffset = cursor.lastOffset();
    try (var consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      consumer.assign(List.of(tp));
      long end = consumer.endOffsets(List.of(tp), Duration.ofSeconds(30)).get(tp);
      long start;
      if (cursor.partition() >= 0) {
        start = cursor.lastOffset() + 1;
      } else {
        // never resumed, so never sent: nothing of ours is there; noted before the first send
        start = end;
        foundOffset = end - 1;
      }
      consumer.seek(tp, start);
      while (consumer.position(tp, Duration.ofSeconds(30)) < end) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          Header s = r.headers().lastHeader(AuditSpool.SPOOL_HEADER);
          Header q = r.headers().lastHeader(AuditSpool.SEQ_HEADER);
          if (s != null && q != null
              && spool.id().equals(new String(s.value(), StandardCharsets.UTF_8))) {
            found = Math.max(found, Long.parseLong(new String(q.value(), StandardCharsets.UTF_8)));
            foundOffset = r.offset();
          }
        }
      }
    }
    long next = Math.max(cursor.nextSeq(), found + 1);
    if (next > cursor.nextSeq()) {
      log.info("audit spool: {} records were delivered before the last stop without being noted;"
          + " not sending them again", next - cursor.nextSeq());
    }
    spool.advance(new Cursor(next, partition, foundOffset));
  }

  private KafkaProducer<byte[], byte[]> producer() {
    var p = new Properties();
    p.putAll(kafka);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "vigil-audit");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(512 * 1024));
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "20000");
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
