package dev.vigil.tools.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.features.profile.EntityKey;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.proto.v1.AuditRecord;
import dev.vigil.proto.v1.DecisionFacts;
import dev.vigil.proto.v1.PolicyRef;
import dev.vigil.proto.v1.Score;
import dev.vigil.scoring.audit.AuditChain;
import dev.vigil.scoring.audit.AuditSpool;
import dev.vigil.scoring.audit.AuditSpool.Appended;
import dev.vigil.scoring.audit.AuditSpool.WhenFull;
import dev.vigil.scoring.audit.DecisionRecord;
import dev.vigil.scoring.audit.EntityTokens;
import dev.vigil.testkit.EmbeddedKafka;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Two replicas' audit trails on one decisions topic, as {@code ./vigil audit verify} checks them:
 * each replica's spool (the second started from a copy of the first's state directory) writes
 * its own chain, and with one token key file an account has one token in both; a record altered
 * is named; replicas given different keys are reported.
 */
class ReplicaAuditTest {
  private static final long T0 = 1_795_000_000_000L;
  private static final long MINUTE = 60_000L;
  private static EmbeddedKafka kafka;
  private static int topics;
  @TempDir Path dir;

  @BeforeAll
  static void startKafka() throws Exception {
    kafka = new EmbeddedKafka();
  }

  @AfterAll
  static void stopKafka() throws Exception {
    kafka.close();
  }

  private static String newTopic() throws Exception {
    String topic = "decisions-" + (++topics);
    kafka.createTopic(topic, 3, false);
    return topic;
  }

  /** A replica's audit spool under its state directory, delivering to {@code topic}. */
  private static AuditSpool spool(Path stateDir, String topic) {
    var kafkaClient = new Properties();
    kafkaClient.put("bootstrap.servers", kafka.bootstrapServers());
    return new AuditSpool(AuditSpool.Settings.of(stateDir.resolve("audit-spool"), 64L << 20,
        WhenFull.REFUSE, Duration.ofMillis(50)), kafkaClient, topic);
  }

  /** Records {@code count} decisions on accounts a-0..a-4, decided from {@code from} on. */
  private static void decide(AuditSpool spool, EntityTokens tokens, String replica, long from,
      int count) throws InterruptedException {
    decide(spool, tokens, replica, from, count, 1);
  }

  /** As above, the decisions {@code stepMillis} apart. */
  private static void decide(AuditSpool spool, EntityTokens tokens, String replica, long start,
      int count, long stepMillis) throws InterruptedException {
    for (int i = 0; i < count; i++) {
      long at = start + i * stepMillis;
      var record = new DecisionRecord(DecisionRecord.newId(), replica + "-" + i, Task.FRAUD,
          at, ("request " + i).getBytes(StandardCharsets.UTF_8), "e-" + replica + "-" + i,
          Score.newBuilder().setScore(100 + i).build(), "APPROVE", "", List.of(),
          List.of(EntityKey.account("a-" + i % 5)), 10, PolicyRef.getDefaultInstance(),
          DecisionFacts.getDefaultInstance()).toProto(tokens, at);
      assertThat(spool.append(record.getAuditId().getBytes(StandardCharsets.UTF_8),
          record.toByteArray(), at)).isEqualTo(Appended.KEPT);
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (spool.pending() > 0) {
      assertThat(System.nanoTime()).as("delivered within a minute").isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  /** {@code ./vigil audit verify} on {@code topic}: its exit code and what it printed. */
  private record Verified(int exitCode, String output) {}

  private static Verified verify(String topic) {
    var out = new StringWriter();
    int code = new CommandLine(new AuditVerify()).setOut(new PrintWriter(out)).execute(
        "--bootstrap-servers", kafka.bootstrapServers(), "--topic", topic);
    return new Verified(code, out.toString());
  }

  private static Set<String> tokensOf(List<ConsumerRecord<byte[], byte[]>> records,
      String spool) throws Exception {
    var tokens = new HashSet<String>();
    for (var r : records) {
      if (spool.equals(new String(r.headers().lastHeader("vigil.spool").value(),
          StandardCharsets.UTF_8))) {
        tokens.addAll(AuditRecord.parseFrom(r.value()).getEntitiesList());
      }
    }
    return tokens;
  }

  private static void copy(Path from, Path to) throws Exception {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }

  @Test
  void twoReplicasWithOneKeyFileWriteTwoChainsThatHoldAndOneTokenPerAccount() throws Exception {
    String topic = newTopic();
    Path keyFile = dir.resolve("audit-token.key"); // the one file every replica is given
    Path stateA = dir.resolve("replica-a");
    Path stateB = dir.resolve("replica-b");
    String idA;
    try (var a = spool(stateA, topic)) {
      idA = a.id();
      decide(a, EntityTokens.fromKeyFile(keyFile), "a", T0, 20);
    }
    copy(stateA, stateB); // the second replica seeded from a copy of the first's state
    String idB;
    try (var a = spool(stateA, topic); var b = spool(stateB, topic)) {
      assertThat(a.id()).as("a spool reopened where it was made keeps its id").isEqualTo(idA);
      idB = b.id();
      assertThat(idB).as("the copy's chain identity").isNotEqualTo(idA);
      decide(a, EntityTokens.fromKeyFile(keyFile), "a", T0 + 20, 20);
      decide(b, EntityTokens.fromKeyFile(keyFile), "b", T0 + 20, 20);
    }
    try (var b = spool(stateB, topic)) {
      assertThat(b.id()).as("the copy's id is stable from then on").isEqualTo(idB);
    }

    var records = new ArrayList<>(kafka.readAll(topic));
    records.sort((x, y) -> x.partition() != y.partition()
        ? Integer.compare(x.partition(), y.partition()) : Long.compare(x.offset(), y.offset()));
    var findings = AuditChain.verify(records);
    assertThat(findings).extracting(AuditChain.Finding::spool)
        .containsExactlyInAnyOrder(idA, idB);
    assertThat(findings).allSatisfy(f -> {
      assertThat(f.holds()).as(f.spool() + ": " + f.firstBreak()).isTrue();
      assertThat(f.tokenKeys()).singleElement().extracting(AuditChain.KeyUse::keyId)
          .isEqualTo(EntityTokens.fromKeyFile(keyFile).keyId());
    });
    assertThat(findings).filteredOn(f -> f.spool().equals(idA)).singleElement()
        .extracting(AuditChain.Finding::records).isEqualTo(40L);
    assertThat(findings).filteredOn(f -> f.spool().equals(idB)).singleElement()
        .extracting(AuditChain.Finding::records).isEqualTo(20L);
    // one account, one token, in both replicas' records
    String token = EntityTokens.fromKeyFile(keyFile).token("ACCOUNT/a-1");
    assertThat(tokensOf(records, idA)).contains(token).isEqualTo(tokensOf(records, idB));

    Verified verified = verify(topic);
    assertThat(verified.exitCode()).as(verified.output()).isZero();
    assertThat(verified.output()).contains("writer " + idA + ": 40 records")
        .contains("writer " + idB + ": 20 records").contains("2 writers, token keys seen: "
            + EntityTokens.fromKeyFile(keyFile).keyId() + " (60 records)")
        .doesNotContain("BROKEN").doesNotContain("DISAGREE");

    // one byte of one of the second replica's records altered at rest: its break is named
    var altered = new ArrayList<>(records);
    int victim = -1;
    for (int i = 0; i < altered.size() && victim < 0; i++) {
      if (idB.equals(new String(altered.get(i).headers().lastHeader("vigil.spool").value(),
          StandardCharsets.UTF_8))) {
        victim = i + 5;
      }
    }
    var r = altered.get(victim);
    byte[] value = r.value().clone();
    value[value.length / 2] ^= 1;
    altered.set(victim, new ConsumerRecord<>(r.topic(), r.partition(), r.offset(), r.timestamp(),
        r.timestampType(), r.serializedKeySize(), r.serializedValueSize(), r.key(), value,
        r.headers(), Optional.empty()));
    var out = new StringWriter();
    assertThat(AuditVerify.report(AuditChain.verify(altered), topic, Duration.ofHours(1),
        new PrintWriter(out)))
        .isEqualTo(1);
    assertThat(out.toString()).contains("writer " + idB + ": 20 records, token key "
        + EntityTokens.fromKeyFile(keyFile).keyId() + ", chain BROKEN at partition "
        + r.partition() + " offset " + r.offset()).contains("altered")
        .contains("writer " + idA + ": 40 records").contains("chain holds");
  }

  @Test
  void replicasGivenDifferentKeysAreReported() throws Exception {
    String topic = newTopic();
    // each replica with the default, its own <state-dir>/audit-token.key
    var a = EntityTokens.fromKeyFile(dir.resolve("replica-a/audit-token.key"));
    var b = EntityTokens.fromKeyFile(dir.resolve("replica-b/audit-token.key"));
    assertThat(a.token("ACCOUNT/a-1")).isNotEqualTo(b.token("ACCOUNT/a-1"));
    try (var spoolA = spool(dir.resolve("replica-a"), topic);
        var spoolB = spool(dir.resolve("replica-b"), topic)) {
      // side by side for three hours: longer than any rolling rotation
      decide(spoolA, a, "a", T0, 20, MINUTE * 10);
      decide(spoolB, b, "b", T0 + MINUTE * 5, 20, MINUTE * 10);
    }
    Verified verified = verify(topic);
    assertThat(verified.exitCode()).as(verified.output()).isEqualTo(1);
    assertThat(verified.output()).doesNotContain("BROKEN")
        .contains("2 writers, token keys seen: ").contains(a.keyId() + " (20 records)")
        .contains(b.keyId() + " (20 records)")
        .containsPattern("TOKEN KEYS DISAGREE: writer \\S+ used token key (" + a.keyId() + "|"
            + b.keyId() + ") \\(20 records, .*\\) while writer \\S+ used token key ("
            + a.keyId() + "|" + b.keyId() + ")");
  }

  @Test
  void aRollingKeyRotationIsReportedNotFailed() throws Exception {
    String topic = newTopic();
    var before = EntityTokens.fromKeyFile(dir.resolve("rolling-old.key"));
    var after = EntityTokens.fromKeyFile(dir.resolve("rolling-new.key"));
    try (var spoolA = spool(dir.resolve("rolling-a"), topic);
        var spoolB = spool(dir.resolve("rolling-b"), topic)) {
      decide(spoolA, before, "a", T0, 10, MINUTE);
      decide(spoolB, before, "b", T0, 15, MINUTE);
      // replica a restarted on the new key file at minute 10, replica b five minutes later
      decide(spoolA, after, "a2", T0 + MINUTE * 10, 10, MINUTE);
      decide(spoolB, after, "b2", T0 + MINUTE * 15, 10, MINUTE);
    }
    Verified verified = verify(topic);
    assertThat(verified.exitCode()).as(verified.output()).isZero();
    assertThat(verified.output()).contains("token keys rotated: ").contains("a rolling rotation")
        .doesNotContain("TOKEN KEYS DISAGREE");
    var strict = new StringWriter();
    int code = new CommandLine(new AuditVerify()).setOut(new PrintWriter(strict)).execute(
        "--bootstrap-servers", kafka.bootstrapServers(), "--topic", topic,
        "--rotation-overlap-minutes", "0");
    assertThat(code).as("with no overlap allowed: " + strict).isEqualTo(1);
    assertThat(strict.toString()).contains("TOKEN KEYS DISAGREE");
  }

  @Test
  void aKeyRotatedBetweenReplicasRunsIsNoDisagreement() throws Exception {
    String topic = newTopic();
    var before = EntityTokens.fromKeyFile(dir.resolve("old.key"));
    var after = EntityTokens.fromKeyFile(dir.resolve("new.key"));
    try (var spoolA = spool(dir.resolve("replica-a"), topic);
        var spoolB = spool(dir.resolve("replica-b"), topic)) {
      decide(spoolA, before, "a", T0, 10);
      decide(spoolB, before, "b", T0 + 5, 10);
      // both restarted on the new key file
      decide(spoolA, after, "a2", T0 + 100, 10);
      decide(spoolB, after, "b2", T0 + 105, 10);
    }
    Verified verified = verify(topic);
    assertThat(verified.exitCode()).as(verified.output()).isZero();
    assertThat(verified.output()).contains("token key " + before.keyId() + ", " + after.keyId())
        .contains("token keys seen: " + before.keyId() + " (20 records), " + after.keyId()
            + " (20 records)");
  }
}
