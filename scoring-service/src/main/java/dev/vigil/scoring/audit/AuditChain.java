package dev.vigil.scoring.audit;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.Timestamps;
import dev.vigil.proto.v1.AuditRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The audit trail's hash chain. Each record a spool writes carries the chain hash of the record
 * before it from the same spool and its own: {@code hash = SHA-256(previous hash, sequence, key,
 * value)}, the first record's previous hash being 32 zero bytes. Altering a record's bytes,
 * removing one or inserting one breaks the chain at that record, which {@link #verify} names.
 */
public final class AuditChain {
  /** The previous hash of a spool's first record. */
  static final byte[] GENESIS = new byte[32];

  /** One digest per thread (the spool appends under its lock, on the calls' threads). */
  private static final ThreadLocal<MessageDigest> SHA = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  });

  private AuditChain() {}

  /** The chain hash of a record, given its predecessor's. */
  static byte[] link(byte[] previous, long seq, byte[] key, byte[] value) {
    var sha = SHA.get();
    sha.update(previous);
    sha.update(ByteBuffer.allocate(8).putLong(seq).array());
    sha.update(ByteBuffer.allocate(4).putInt(key.length).array());
    sha.update(key);
    sha.update(value);
    return sha.digest(); // digest resets it for the next use
  }

  /**
   * What verification found for one spool (one writer).
   *
   * @param tokenKeys the token keys its decision records name, in the order first used
   */
  public record Finding(String spool, long records, String firstBreak, List<KeyUse> tokenKeys) {
    public Finding {
      tokenKeys = List.copyOf(tokenKeys);
    }

    public boolean holds() {
      return firstBreak == null;
    }
  }

  /**
   * One token key's use by one writer: how many of its records name the key ({@code
   * token_key_id}) and the first and last of their decision times.
   */
  public record KeyUse(String keyId, long records, long firstMillis, long lastMillis) {
    KeyUse and(long decidedAtMillis) {
      return new KeyUse(keyId, records + 1, Math.min(firstMillis, decidedAtMillis),
          Math.max(lastMillis, decidedAtMillis));
    }

    /** How long both were used side by side, in milliseconds; negative when never. */
    long overlapMillis(KeyUse other) {
      return Math.min(lastMillis, other.lastMillis) - Math.max(firstMillis, other.firstMillis);
    }
  }

  /**
   * Two writers that made tokens with different keys at the same time: one account had two
   * tokens then, and their records cannot be joined by token.
   */
  public record KeyDisagreement(String spool, KeyUse use, String otherSpool, KeyUse other) {
    /** One line naming both writers, both keys and when each was used. */
    public String describe() {
      return "writer " + spool + " used token key " + use.keyId() + " (" + use.records()
          + " records, " + Instant.ofEpochMilli(use.firstMillis()) + " to "
          + Instant.ofEpochMilli(use.lastMillis()) + ") while writer " + otherSpool
          + " used token key " + other.keyId() + " (" + other.records() + " records, "
          + Instant.ofEpochMilli(other.firstMillis()) + " to "
          + Instant.ofEpochMilli(other.lastMillis()) + ")";
    }
  }

  /**
   * The pairs of writers that used different token keys side by side for longer than {@code
   * rotation} (replicas given different key files); a shorter overlap is a rolling key rotation
   * (each replica restarted on the new key file in turn), and none at all a rotation with the
   * writers restarted together.
   *
   * @param rotation the longest overlap taken as a rolling rotation (zero: any overlap disagrees)
   */
  public static List<KeyDisagreement> keyDisagreements(List<Finding> findings,
      Duration rotation) {
    var found = new ArrayList<KeyDisagreement>();
    for (int i = 0; i < findings.size(); i++) {
      for (int j = i + 1; j < findings.size(); j++) {
        for (KeyUse a : findings.get(i).tokenKeys()) {
          for (KeyUse b : findings.get(j).tokenKeys()) {
            long overlap = a.overlapMillis(b);
            if (!a.keyId().equals(b.keyId()) && overlap >= 0
                && (overlap > rotation.toMillis() || rotation.isZero())) {
              found.add(new KeyDisagreement(findings.get(i).spool(), a, findings.get(j).spool(),
                  b));
            }
          }
        }
      }
    }
    return found;
  }

  /**
   * Checks every spool's chain in {@code records} (a range of the decisions topic, in offset
   * order per partition). Within the range a spool's first record is taken as it is (its
   * predecessor may lie before the range); every later one must follow it: the next sequence,
   * the previous record's hash, and its own hash recomputed from its bytes.
   *
   * @return one finding per spool, with the first break named (partition, offset, sequence) or
   *     null when the chain holds
   */
  public static List<Finding> verify(List<ConsumerRecord<byte[], byte[]>> records) {
    record State(long seq, byte[] hash, long count, String broken) {}
    Map<String, State> spools = new HashMap<>();
    Map<String, Map<String, KeyUse>> keys = new HashMap<>();
    List<String> order = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      String spool = text(r, AuditSpool.SPOOL_HEADER);
      if (spool == null) {
        continue; // not written by a spool
      }
      AuditRecord decision = decision(r.value());
      if (decision != null && !decision.getTokenKeyId().isEmpty()) {
        long at = Timestamps.toMillis(decision.getDecidedAt());
        keys.computeIfAbsent(spool, s -> new LinkedHashMap<>()).merge(
            decision.getTokenKeyId(), new KeyUse(decision.getTokenKeyId(), 1, at, at),
            (use, one) -> use.and(at));
      }
      State before = spools.get(spool);
      if (before == null) {
        order.add(spool);
      } else if (before.broken() != null) {
        spools.put(spool, new State(before.seq(), before.hash(), before.count() + 1,
            before.broken()));
        continue;
      }
      String where = "partition " + r.partition() + " offset " + r.offset();
      String broken = null;
      long seq = -1;
      byte[] previous = bytes(r, AuditSpool.PREVIOUS_HEADER);
      byte[] hash = bytes(r, AuditSpool.HASH_HEADER);
      try {
        seq = Long.parseLong(text(r, AuditSpool.SEQ_HEADER));
      } catch (RuntimeException e) {
        broken = where + ": no readable sequence";
      }
      if (broken == null && (previous == null || hash == null)) {
        broken = where + " (sequence " + seq + "): no chain headers (written before the chain"
            + " existed, or stripped)";
      }
      if (broken == null && before != null && seq != before.seq() + 1) {
        broken = where + ": sequence " + seq + " follows " + before.seq() + " (records missing"
            + " or inserted)";
      }
      if (broken == null && before != null && !Arrays.equals(previous, before.hash())) {
        broken = where + " (sequence " + seq + "): its previous hash is not the hash of the"
            + " record before it";
      }
      if (broken == null && !Arrays.equals(hash, link(previous, seq,
          r.key() == null ? new byte[0] : r.key(), r.value() == null ? new byte[0] : r.value()))) {
        broken = where + " (sequence " + seq + "): its bytes do not match its hash (altered)";
      }
      spools.put(spool, new State(seq, hash, (before == null ? 0 : before.count()) + 1, broken));
    }
    var findings = new ArrayList<Finding>();
    for (String spool : order) {
      State s = spools.get(spool);
      findings.add(new Finding(spool, s.count(), s.broken(),
          List.copyOf(keys.getOrDefault(spool, Map.of()).values())));
    }
    return findings;
  }

  /** The audit record a value holds, or null when it holds none. */
  private static AuditRecord decision(byte[] value) {
    if (value == null) {
      return null;
    }
    try {
      return AuditRecord.parseFrom(value);
    } catch (InvalidProtocolBufferException e) {
      return null; // its chain is checked all the same
    }
  }

  private static byte[] bytes(ConsumerRecord<byte[], byte[]> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null ? null : h.value();
  }

  private static String text(ConsumerRecord<byte[], byte[]> r, String name) {
    byte[] b = bytes(r, name);
    return b == null ? null : new String(b, StandardCharsets.UTF_8);
  }

  /**
   * Every record of {@code topic}, each partition from its beginning to its current end, in the
   * order a writer's chain runs (partition, then offset): what {@link #verify} takes.
   */
  public static List<ConsumerRecord<byte[], byte[]>> records(String bootstrap, Properties client,
      String topic) {
    var p = new Properties();
    p.putAll(client);
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "vigil-audit-verify");
    var records = new ArrayList<ConsumerRecord<byte[], byte[]>>();
    try (var consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      var partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
          .map(i -> new TopicPartition(topic, i.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      var end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        consumer.poll(Duration.ofMillis(500)).forEach(records::add);
      }
    }
    // offset order within each partition, as a writer's chain runs
    records.sort(Comparator.<ConsumerRecord<byte[], byte[]>>comparingInt(
        ConsumerRecord::partition).thenComparingLong(ConsumerRecord::offset));
    return records;
  }
}
