package dev.vigil.scoring.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.Event.Channel;
import dev.vigil.features.event.Event.Direction;
import dev.vigil.features.event.Event.Money;
import dev.vigil.features.event.Event.Transaction;
import dev.vigil.features.event.EventCodec;
import dev.vigil.proto.v1.AuditRecord;
import dev.vigil.proto.v1.DecidePolicyRequest;
import dev.vigil.proto.v1.ListPoliciesRequest;
import dev.vigil.proto.v1.PolicyAdminGrpc;
import dev.vigil.proto.v1.PolicyProposal;
import dev.vigil.proto.v1.PolicyVersion;
import dev.vigil.proto.v1.ScoreTransactionRequest;
import dev.vigil.proto.v1.ScoringServiceGrpc;
import dev.vigil.scoring.ScoringServer;
import dev.vigil.scoring.ServiceConfig;
import dev.vigil.scoring.TestService;
import dev.vigil.testkit.EmbeddedKafka;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Policy versions over a real port: each policy that serves is kept with its hash and a version,
 * named in the audit record of every decision it makes; an edited file and an approved proposal
 * each make a new version (audited with its proposer and approver, refused without the
 * policy-admin role); the versions survive a restart, and a file edited while the service was
 * down is the next version.
 */
class PolicyVersionsTest {
  @TempDir Path dir;

  @Test
  void everyPolicyThatServesIsAVersionInTheAuditRecordAndSurvivesARestart() throws Exception {
    try (var kafka = new EmbeddedKafka()) {
      kafka.createTopic("vigil.profiles", 1, true);
      kafka.createTopic("vigil.decisions", 1, false);
      Map<String, String> env = TestService.env(kafka, dir);
      Path file = dir.resolve("state/policy.yaml");
      ScoringServer server = ScoringServer.start(ServiceConfig.load(null, env),
          TestService.CLOCK);
      String original = Files.readString(file);
      String edited = original.replace("2026-12-07.5", "2026-12-07.1")
          .replace("when: score >= 900", "when: score >= 950");
      String activated = original.replace("2026-12-07.5", "2026-12-07.2")
          .replace("when: score >= 900", "when: score >= 800");
      try {
        // version 1: the default the service wrote, loaded from its file at start
        List<PolicyVersion> versions = list(server);
        assertThat(versions).singleElement().satisfies(v -> {
          assertThat(v.getVersion()).isEqualTo(1);
          assertThat(v.getSha256()).isEqualTo(PolicyVersions.sha256(Files.readAllBytes(file)));
          assertThat(v.getLabel()).isEqualTo("2026-12-07.5");
          assertThat(v.getSource()).isEqualTo("file:" + file);
          assertThat(v.getActivatedAt()).isEqualTo(EventCodec.timestamp(
              TestService.NOW.toEpochMilli()));
          assertThat(v.getServing()).isTrue();
        });
        AuditRecord first = score(kafka, server, "pv-1");
        assertThat(first.getPolicy().getVersion()).isEqualTo(1);
        assertThat(first.getPolicy().getSha256()).isEqualTo(versions.get(0).getSha256());
        assertThat(first.getRequestFacts().getCurrency()).isEqualTo("USD");
        assertThat(first.getRequestFacts().getChannel()).isEqualTo("CARD_PRESENT");
        assertThat(first.getRequestFacts().getCountry()).isEqualTo("US");

        // an edit of the file, reloaded: version 2
        Files.writeString(file, edited);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (list(server).size() < 2 && System.nanoTime() < deadline) {
          Thread.sleep(50);
        }
        assertThat(list(server)).extracting(PolicyVersion::getVersion).containsExactly(1L, 2L);
        AuditRecord second = score(kafka, server, "pv-2");
        assertThat(second.getPolicy().getVersion()).isEqualTo(2);
        assertThat(second.getPolicy().getSha256()).isEqualTo(PolicyVersions.sha256(
            edited.getBytes(StandardCharsets.UTF_8)));
        assertThat(second.getScore().getPolicyVersion()).isEqualTo("2026-12-07.1");

        // through the API: proposed by admin, approved by approver: version 3, written to the file
        ManagedChannel admin = TestService.channel(server.port(), "admin");
        ManagedChannel approver = TestService.channel(server.port(), "approver");
        ManagedChannel scorer = TestService.channel(server.port(), "scorer");
        try {
          var adminStub = PolicyAdminGrpc.newBlockingStub(admin)
              .withDeadlineAfter(30, TimeUnit.SECONDS);
          PolicyProposal proposal = adminStub.proposePolicy(PolicyApprovalTest.proposal(activated));
          PolicyProposal approved = PolicyAdminGrpc.newBlockingStub(approver)
              .withDeadlineAfter(30, TimeUnit.SECONDS).approvePolicy(DecidePolicyRequest
                  .newBuilder().setProposalId(proposal.getId()).setSha256(proposal.getSha256())
                  .build());
          assertThat(approved.getVersion()).isEqualTo(3);
          PolicyVersion third = list(server).get(2);
          assertThat(third.getVersion()).isEqualTo(3);
          assertThat(third.getSource()).isEqualTo("api:admin+approver");
          assertThat(third.getLabel()).isEqualTo("2026-12-07.2");
          assertThat(Files.readString(file)).isEqualTo(activated);
          // a policy that does not validate: refused, naming the problem, and recorded
          assertThatThrownBy(() -> adminStub.proposePolicy(PolicyApprovalTest.proposal(
              activated.replace("features.device_new_90d", "features.device_nwe_90d"))))
              .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                assertThat(e.getStatus().getDescription()).startsWith("policy_yaml: ")
                    .contains("device_nwe_90d");
              });
          // a caller without the policy-admin role
          assertThatThrownBy(() -> PolicyAdminGrpc.newBlockingStub(scorer)
              .withDeadlineAfter(30, TimeUnit.SECONDS).proposePolicy(
                  PolicyApprovalTest.proposal(original)))
              .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(
                  e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
        } finally {
          admin.shutdownNow();
          approver.shutdownNow();
          scorer.shutdownNow();
        }
        assertThat(score(kafka, server, "pv-3").getPolicy().getVersion()).isEqualTo(3);
        List<AuditRecord> changes = policyChanges(kafka, 6);
        assertThat(changes).extracting(AuditRecord::getDecision)
            .containsExactly("REQUESTED", "DONE", "REQUESTED", "DONE", "REQUESTED", "REFUSED");
        assertThat(changes).extracting(c -> c.getPolicyChange().getAction()).containsExactly(
            "ProposePolicy", "ProposePolicy", "ApprovePolicy", "ApprovePolicy", "ProposePolicy",
            "ProposePolicy");
        assertThat(changes.get(3).getPolicyChange().getCaller()).isEqualTo("approver");
        assertThat(changes.get(3).getPolicyChange().getProposer()).isEqualTo("admin");
        assertThat(changes.get(3).getPolicyChange().getVersion()).isEqualTo(3);
        assertThat(changes.get(3).getPolicyChange().getSha256()).isEqualTo(third(server));
        assertThat(changes.get(3).getPolicyChange().getOutcome()).isEqualTo("OK");
        assertThat(changes.get(5).getPolicyChange().getOutcome())
            .startsWith("INVALID_ARGUMENT: policy_yaml: ");
      } finally {
        server.close();
      }

      // a restart serves version 3 again: no new version for the same text
      server = ScoringServer.start(ServiceConfig.load(null, env), TestService.CLOCK);
      try {
        assertThat(list(server)).extracting(PolicyVersion::getVersion)
            .containsExactly(1L, 2L, 3L);
        assertThat(list(server).get(2).getServing()).isTrue();
        assertThat(score(kafka, server, "pv-4").getPolicy().getVersion()).isEqualTo(3);
      } finally {
        server.close();
      }

      // the file edited while the service was down: version 4 at the next start
      Files.writeString(file, edited.replace("2026-12-07.1", "2026-12-07.3"));
      server = ScoringServer.start(ServiceConfig.load(null, env), TestService.CLOCK);
      try {
        List<PolicyVersion> versions = list(server);
        assertThat(versions).extracting(PolicyVersion::getVersion)
            .containsExactly(1L, 2L, 3L, 4L);
        assertThat(versions.get(3).getSource()).isEqualTo("file:" + file);
        assertThat(versions).extracting(PolicyVersion::getServing)
            .containsExactly(false, false, false, true);
        assertThat(score(kafka, server, "pv-5").getPolicy().getVersion()).isEqualTo(4);
      } finally {
        server.close();
      }
    }
  }

  private static String third(ScoringServer server) {
    return list(server).get(2).getSha256();
  }

  static List<PolicyVersion> list(ScoringServer server) {
    ManagedChannel channel = TestService.channel(server.port(), "admin");
    try {
      return PolicyAdminGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
          .listPolicies(ListPoliciesRequest.getDefaultInstance()).getPoliciesList();
    } finally {
      channel.shutdownNow();
    }
  }

  /** Scores a card purchase and returns its audit record, read from the decisions topic. */
  static AuditRecord score(EmbeddedKafka kafka, ScoringServer server, String id)
      throws Exception {
    ManagedChannel channel = TestService.channel(server.port(), "scorer");
    try {
      long now = TestService.NOW.toEpochMilli();
      var event = new Event(id, now - 1_000, "a-pv", "c-pv", new Transaction(
          new Money(2_500, "USD"), Direction.DEBIT, Channel.CARD_PRESENT, "m-1", "5411", "US",
          "d-1", ""));
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

  /** The PolicyAdmin change records on the decisions topic, once {@code expected} are there. */
  static List<AuditRecord> policyChanges(EmbeddedKafka kafka, int expected)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    var changes = new ArrayList<AuditRecord>();
    while (changes.size() < expected && System.nanoTime() < deadline) {
      changes.clear();
      for (ConsumerRecord<byte[], byte[]> r : kafka.readAll("vigil.decisions")) {
        AuditRecord record = AuditRecord.parseFrom(r.value());
        if (record.hasPolicyChange()) {
          changes.add(record);
        }
      }
      Thread.sleep(50);
    }
    return changes;
  }
}
