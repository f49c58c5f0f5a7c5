package dev.vigil.e2e.cluster;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.EventCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A pipeline publishing events straight to the events topic, keyed by account, as banks' core
 * systems do: acks=all and idempotent, so an acknowledged event is on two replicas at least; an
 * event whose send fails is sent again until acknowledged (the job drops a redelivery by its id).
 */
final class Publisher implements AutoCloseable {
  private final KafkaProducer<byte[], byte[]> producer;
  private final String topic;
  private final Map<String, Event> acknowledged = new LinkedHashMap<>();
  private final ConcurrentLinkedQueue<Long> ackTimes = new ConcurrentLinkedQueue<>();
  private long resent;

  Publisher(String bootstrap, String topic) {
    var p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "60000");
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "20000");
    producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    this.topic = topic;
  }

  /**
   * Publishes {@code events} at about {@code perSecond}, calling {@code halfway} once half of
   * them are acknowledged (where a fault is injected); returns when every one is acknowledged.
   */
  void publish(List<Event> events, int perSecond, Runnable halfway) throws Exception {
    List<Event> pending = new ArrayList<>(events);
    boolean faulted = halfway == null;
    int attempt = 0;
    while (!pending.isEmpty()) {
      if (++attempt > 10) {
        throw new IllegalStateException(pending.size() + " events not acknowledged after 10"
            + " attempts");
      }
      var sends = new ArrayList<Future<RecordMetadata>>();
      var acked = new AtomicLong();
      long start = System.nanoTime();
      for (int i = 0; i < pending.size(); i++) {
        Event e = pending.get(i);
        sends.add(producer.send(new ProducerRecord<>(topic,
            e.accountId().getBytes(StandardCharsets.UTF_8), EventCodec.toProto(e).toByteArray()),
            (metadata, error) -> {
              if (error == null) {
                ackTimes.add(System.nanoTime());
                acked.incrementAndGet();
              }
            }));
        long due = start + TimeUnit.SECONDS.toNanos(i + 1) / perSecond;
        long wait = due - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
        if (!faulted && acked.get() >= events.size() / 2) {
          faulted = true;
          halfway.run();
        }
      }
      var failed = new ArrayList<Event>();
      for (int i = 0; i < sends.size(); i++) {
        try {
          sends.get(i).get(5, TimeUnit.MINUTES);
          synchronized (acknowledged) {
            acknowledged.put(pending.get(i).eventId(), pending.get(i));
          }
        } catch (Exception e) {
          failed.add(pending.get(i));
        }
      }
      if (!faulted) {
        faulted = true;
        halfway.run();
      }
      resent += failed.size();
      pending = failed;
    }
  }

  /** Every acknowledged event so far, once each, in publication order. */
  List<Event> acknowledged() {
    synchronized (acknowledged) {
      return new ArrayList<>(acknowledged.values());
    }
  }

  /** Acknowledgements received after {@code nanoTime}. */
  long acknowledgedAfter(long nanoTime) {
    return ackTimes.stream().filter(t -> t > nanoTime).count();
  }

  /** Sends that failed and were sent again. */
  long resent() {
    return resent;
  }

  @Override
  public void close() {
    producer.close();
  }
}
