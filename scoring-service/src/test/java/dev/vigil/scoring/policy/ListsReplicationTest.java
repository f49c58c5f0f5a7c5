package dev.vigil.scoring.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.Event.Channel;
import dev.vigil.features.event.Event.Direction;
import dev.vigil.features.event.Event.Money;
import dev.vigil.features.event.Event.Transaction;
import dev.vigil.features.event.EventCodec;
import dev.vigil.proto.v1.AddListEntryRequest;
import dev.vigil.proto.v1.AuditRecord;
import dev.vigil.proto.v1.ListChange;
import dev.vigil.proto.v1.ListEntry;
import dev.vigil.proto.v1.ListKind;
import dev.vigil.proto.v1.ListListEntriesRequest;
import dev.vigil.proto.v1.ListedEntity;
import dev.vigil.proto.v1.PolicyAdminGrpc;
import dev.vigil.proto.v1.PolicyAdminGrpc.PolicyAdminBlockingStub;
import dev.vigil.proto.v1.RemoveListEntryRequest;
import dev.vigil.proto.v1.ScoreTransactionRequest;
import dev.vigil.proto.v1.ScoringServiceGrpc;
import dev.vigil.scoring.ScoringServer;
import dev.vigil.scoring.ServiceConfig;
import dev.vigil.scoring.TestService;
import dev.vigil.scoring.audit.AuditChain;
import dev.vigil.scoring.reason.ReasonCatalogue;
import dev.vigil.scoring.replay.DecisionReplay;
import dev.vigil.testkit.EmbeddedKafka;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lists across replicas, over real ports, real mutual TLS and one real broker: an entry added
 * through replica A is served by replica B, applies to calls timed from its addition until its
 * expiry (before, at, after, on the services' injected clock), decides through the bundled
 * policy's block-listed rule, is kept in the decision's audit facts (and replays exactly), and a
 * removal through B is served by A. Only policy-admin changes lists; every change is audited with
 * the value as its token.
 */
class ListsReplicationTest {
  static final Instant NOW = TestService.NOW;

  @TempDir Path dir;

  @Test
  void aListChangeThroughOneReplicaIsServedByTheOtherAsOfEachCallsTime() throws Exception {
    try (var kafka = new EmbeddedKafka()) {
      kafka.createTopic("vigil.profiles", 1, true);
      kafka.createTopic("vigil.decisions", 1, false);
      kafka.createTopic("vigil.lists", 1, true);
      var clock = new ListBookTest.TestClock(NOW);
      var channels = new ArrayList<ManagedChannel>();
      ScoringServer a = ScoringServer.start(ServiceConfig.load(null,
          TestService.env(kafka, dir.resolve("a"))), clock);
      ScoringServer b = ScoringServer.start(ServiceConfig.load(null,
          TestService.env(kafka, dir.resolve("b"))), clock);
      try {
        // the bundled policy, but for its first rule (this unseen device scores above 900)
        for (String replica : List.of("a", "b")) {
          Path file = dir.resolve(replica + "/state/policy.yaml");
          Files.writeString(file, Files.readString(file).replace("when: score >= 900",
              "when: score >= 1000"));
        }
        assertThat(a.policy().reload().loaded()).isTrue();
        assertThat(b.policy().reload().loaded()).isTrue();
        PolicyAdminBlockingStub adminA = stub(a, "admin", channels);
        PolicyAdminBlockingStub adminB = stub(b, "admin", channels);
        Instant expires = NOW.plus(Duration.ofHours(1));
        AddListEntryRequest add = AddListEntryRequest.newBuilder().setList("fraud-ring")
            .setKind(ListKind.LIST_KIND_BLOCK).setEntity(ListedEntity.LISTED_ENTITY_DEVICE)
            .setValue("dev-77").setReason("device seen in the November ring")
            .setExpiresAt(EventCodec.timestamp(expires.toEpochMilli())).build();

        // roles: only policy-admin changes lists; a viewer reads them
        refused(() -> stub(a, "scorer", channels).addListEntry(add),
            Status.Code.PERMISSION_DENIED, "");
        refused(() -> stub(a, "approver", channels).addListEntry(add),
            Status.Code.PERMISSION_DENIED, "");
        refused(() -> stub(a, "scorer", channels).listListEntries(
            ListListEntriesRequest.getDefaultInstance()), Status.Code.PERMISSION_DENIED, "");
        // refused naming the field
        refused(() -> adminA.addListEntry(add.toBuilder().setEntity(
            ListedEntity.LISTED_ENTITY_ROUTING_NUMBER).build()), Status.Code.INVALID_ARGUMENT,
            "value: a routing number is 9 digits");
        refused(() -> adminA.addListEntry(add.toBuilder().clearReason().build()),
            Status.Code.INVALID_ARGUMENT, "reason: is required");
        refused(() -> adminA.addListEntry(add.toBuilder().setExpiresAt(
            EventCodec.timestamp(NOW.toEpochMilli())).build()), Status.Code.INVALID_ARGUMENT,
            "expires_at: must be after now");

        // before: B scores the device's purchase as usual
        assertThat(score(kafka, b, "before", NOW).getPolicyRule()).isNotEqualTo("block-listed");

        ListEntry added = adminA.addListEntry(add);
        assertThat(added.getAuthor()).isEqualTo("admin");
        assertThat(added.getAddedAt()).isEqualTo(EventCodec.timestamp(NOW.toEpochMilli()));
        assertThat(added.getId()).startsWith("le-");
        refused(() -> adminA.addListEntry(add), Status.Code.ALREADY_EXISTS,
            "value: is on list 'fraud-ring' already, as " + added.getId());
        refused(() -> adminA.addListEntry(add.toBuilder().setKind(ListKind.LIST_KIND_ALLOW)
            .setValue("d-other").build()), Status.Code.FAILED_PRECONDITION,
            "kind: list 'fraud-ring' is a BLOCK list");

        // B follows the topic: the entry serves there too
        await(() -> b.lists().book().entry(added.getId()).isPresent(), "B reads the entry");
        assertThat(stub(b, "approver", channels).listListEntries(
            ListListEntriesRequest.getDefaultInstance()).getEntriesList())
            .extracting(ListEntry::getId).containsExactly(added.getId());
        AuditRecord blocked = score(kafka, b, "at-addition", NOW);
        assertThat(blocked.getDecision()).isEqualTo("DECLINE");
        assertThat(blocked.getPolicyRule()).isEqualTo("block-listed");
        assertThat(blocked.getScore().getReasons(0).getCode()).isEqualTo("BLOCK_LISTED");
        assertThat(blocked.getRequestFacts().getOnBlockList()).isTrue();
        assertThat(blocked.getRequestFacts().getOnAllowList()).isFalse();
        assertThat(blocked.getRequestFacts().getListsList()).containsExactly("fraud-ring");
        assertThat(blocked.getRequestFacts().getListEntriesList()).containsExactly(added.getId());
        assertThat(blocked.toString()).doesNotContain("dev-77");

        // the replay recomputes it from the record's facts alone
        var replay = new DecisionReplay(dir.resolve("b/models"),
            PolicyVersions.open(dir.resolve("b/state/policies")), ReasonCatalogue.load());
        assertThat(replay.replay(blocked)).isInstanceOf(DecisionReplay.Identical.class);
        // and notices facts that say otherwise
        var altered = blocked.toBuilder().setRequestFacts(blocked.getRequestFacts().toBuilder()
            .setOnBlockList(false)).build();
        assertThat(replay.replay(altered)).isInstanceOf(DecisionReplay.Differs.class);

        // a millisecond before its expiry, at it, after it
        clock.set(expires.minusMillis(1));
        assertThat(score(kafka, b, "before-expiry", expires.minusMillis(1)).getPolicyRule())
            .isEqualTo("block-listed");
        clock.set(expires);
        assertThat(score(kafka, b, "at-expiry", expires).getPolicyRule()).isNotEqualTo("block-listed");
        clock.set(expires.plusSeconds(60));
        AuditRecord after = score(kafka, a, "after-expiry", expires.plusSeconds(60));
        assertThat(after.getPolicyRule()).isNotEqualTo("block-listed");
        assertThat(after.getRequestFacts().getListsCount()).isZero();

        // a removal through B is served by A from then on; an event timed before it is still
        // judged against the lists as they stood then
        clock.set(expires.plus(Duration.ofMinutes(10)));
        ListEntry again = adminA.addListEntry(add.toBuilder().clearExpiresAt().build());
        await(() -> b.lists().book().entry(again.getId()).isPresent(), "B reads the new entry");
        clock.set(expires.plus(Duration.ofMinutes(20)));
        ListEntry removed = adminB.removeListEntry(RemoveListEntryRequest.newBuilder()
            .setId(again.getId()).setReason("cleared by the investigation").build());
        assertThat(removed.getRemovedBy()).isEqualTo("admin");
        refused(() -> adminB.removeListEntry(RemoveListEntryRequest.newBuilder()
            .setId(again.getId()).setReason("twice").build()), Status.Code.FAILED_PRECONDITION,
            "id: " + again.getId() + " is removed already");
        refused(() -> adminB.removeListEntry(RemoveListEntryRequest.newBuilder()
            .setId("le-none").setReason("x").build()), Status.Code.NOT_FOUND, "id: no list entry");
        await(() -> a.lists().book().entry(again.getId()).orElseThrow().removedAtMillis()
            != Listing.NEVER, "A reads the removal");
        assertThat(score(kafka, a, "after-removal", expires.plus(Duration.ofMinutes(20))).getPolicyRule())
            .isNotEqualTo("block-listed");
        assertThat(score(kafka, a, "before-removal", expires.plus(Duration.ofMinutes(15))).getPolicyRule())
            .isEqualTo("block-listed");
        assertThat(adminA.listListEntries(ListListEntriesRequest.getDefaultInstance())
            .getEntriesList()).isEmpty();
        assertThat(adminA.listListEntries(ListListEntriesRequest.newBuilder()
            .setIncludeInactive(true).build()).getEntriesList()).hasSize(2);

        // every change audited, refused ones too, the value as its token only
        List<ListChange> changes = listChanges(kafka, 14);
        assertThat(changes).allSatisfy(c -> assertThat(c.toString()).doesNotContain("dev-77"));
        assertThat(changes).filteredOn(c -> c.getOutcome().equals("OK"))
            .extracting(ListChange::getAction)
            .containsExactly("AddListEntry", "AddListEntry", "RemoveListEntry");
        assertThat(changes).filteredOn(c -> c.getOutcome().equals("OK")).first()
            .satisfies(c -> {
              assertThat(c.getCaller()).isEqualTo("admin");
              assertThat(c.getEntryId()).isEqualTo(added.getId());
              assertThat(c.getValueToken()).startsWith("DEVICE/").hasSize(7 + 64);
            });
        assertThat(changes).extracting(ListChange::getOutcome)
            .anySatisfy(o -> assertThat(o).startsWith("ALREADY_EXISTS"));
      } finally {
        channels.forEach(ManagedChannel::shutdownNow);
        a.close();
        b.close();
      }
    }
  }

  /** Scores a purchase on device dev-77 timed {@code at}; its audit record. */
  static AuditRecord score(EmbeddedKafka kafka, ScoringServer server, String id, Instant at)
      throws Exception {
    ManagedChannel channel = TestService.channel(server.port(), "scorer");
    try {
      var event = new Event(id, at.toEpochMilli(), "a-lists", "c-lists", new Transaction(
          new Money(2_500, "USD"), Direction.DEBIT, Channel.CARD_PRESENT, "m-1", "5411", "US",
          "dev-77", ""));
      String auditId = ScoringServiceGrpc.newBlockingStub(channel)
          .withDeadlineAfter(30, TimeUnit.SECONDS).scoreTransaction(ScoreTransactionRequest
              .newBuilder().setEvent(EventCodec.toProto(event)).build())
          .getScore().getAuditId();
      return AuditRecord.parseFrom(kafka.awaitValue("vigil.decisions", auditId,
          Duration.ofSeconds(30)));
    } finally {
      channel.shutdownNow();
    }
  }

  static List<ListChange> listChanges(EmbeddedKafka kafka, int expected) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    var changes = new ArrayList<ListChange>();
    while (changes.size() < expected && System.nanoTime() < deadline) {
      changes.clear();
      for (var r : AuditChain.records(kafka.bootstrapServers(), new Properties(),
          "vigil.decisions")) {
        AuditRecord record = AuditRecord.parseFrom(r.value());
        if (record.hasListChange() && !record.getDecision().equals("REQUESTED")) {
          changes.add(record.getListChange());
        }
      }
      if (changes.size() < expected) {
        Thread.sleep(200);
      }
    }
    return changes;
  }

  static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 30 s: " + what);
      }
      Thread.sleep(50);
    }
  }

  static PolicyAdminBlockingStub stub(ScoringServer server, String client,
      List<ManagedChannel> channels) {
    ManagedChannel channel = TestService.channel(server.port(), client);
    channels.add(channel);
    return PolicyAdminGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  static void refused(ThrowingCallable call, Status.Code code, String description) {
    assertThatThrownBy(call).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
      assertThat(e.getStatus().getCode()).isEqualTo(code);
      assertThat(e.getStatus().getDescription() == null ? "" : e.getStatus().getDescription())
          .startsWith(description);
    });
  }
}
