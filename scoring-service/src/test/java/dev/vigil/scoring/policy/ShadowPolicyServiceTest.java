package dev.vigil.scoring.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.Event.Channel;
import dev.vigil.features.event.Event.Direction;
import dev.vigil.features.event.Event.Money;
import dev.vigil.features.event.Event.Transaction;
import dev.vigil.features.event.EventCodec;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.features.profile.FeatureInputs;
import dev.vigil.proto.v1.AuditRecord;
import dev.vigil.proto.v1.ListPoliciesRequest;
import dev.vigil.proto.v1.ListShadowsRequest;
import dev.vigil.proto.v1.PolicyChange;
import dev.vigil.proto.v1.PolicyVersion;
import dev.vigil.proto.v1.ScoreTransactionRequest;
import dev.vigil.proto.v1.ScoreTransactionResponse;
import dev.vigil.proto.v1.ScoringServiceGrpc;
import dev.vigil.proto.v1.ShadowDecision;
import dev.vigil.proto.v1.ShadowPolicy;
import dev.vigil.proto.v1.StartShadowRequest;
import dev.vigil.proto.v1.StopShadowRequest;
import dev.vigil.scoring.ScoringServer;
import dev.vigil.scoring.ServiceConfig;
import dev.vigil.scoring.TestService;
import dev.vigil.scoring.score.Call;
import dev.vigil.scoring.score.Pipeline;
import dev.vigil.scoring.score.Verdict;
import dev.vigil.testkit.EmbeddedKafka;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shadow policies on live traffic, over a real port and real mutual TLS: a policy-admin starts one
 * without an approval; each call's audit record carries its decision (every field) while the
 * answer stays the serving policy's; a shadow whose rules fail, or loop to their bound, or whose
 * evaluation throws, never changes an answer nor fails a call (counted in
 * vigil_shadow_policy_errors_total); a shadow ends at its count; starts and stops are audited.
 */
class ShadowPolicyServiceTest {
  @TempDir Path dir;

  @Test
  void aShadowIsRecordedBesideTheAnswerAndNeverChangesIt() throws Exception {
    try (var kafka = new EmbeddedKafka()) {
      kafka.createTopic("vigil.profiles", 1, true);
      kafka.createTopic("vigil.decisions", 1, false);
      ScoringServer server = ScoringServer.start(ServiceConfig.load(null,
          TestService.env(kafka, dir)), TestService.CLOCK);
      var channels = new ArrayList<ManagedChannel>();
      try {
        String serving = Files.readString(dir.resolve("state/policy.yaml"));
        // stricter: declines from 400 where the serving policy reviews
        String draft = serving.replace("version: \"2026-12-07.5\"", "version: \"draft-1\"")
            .replace("when: score >= 400\n      decision: REVIEW",
                "when: score >= 400\n      decision: DECLINE");
        // its first transaction rule loops to the iteration bound: a run-time failure
        String numbers = IntStream.rangeClosed(1, 40).mapToObj(Integer::toString)
            .collect(Collectors.joining(", "));
        String looping = serving.replace("version: \"2026-12-07.5\"", "version: \"loops-1\"")
            .replace("    - name: decline-very-high-risk\n      when: score >= 900",
                "    - name: loops\n      when: 'probability > 0.0 && [" + numbers + "].all(x, [" + numbers
                    + "].all(y, x * y > 0))'\n      decision: DECLINE\n"
                    + "    - name: decline-very-high-risk\n      when: score >= 900");
        assertThat(looping).contains("name: loops");

        List<ScoreTransactionResponse> alone = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          alone.add(score(server, "alone-" + i, "a-" + i));
        }

        var admin = ListsReplicationTest.stub(server, "admin", channels);
        ListsReplicationTest.refused(() -> ListsReplicationTest.stub(server, "scorer", channels)
            .startShadow(start(draft, 3)), Status.Code.PERMISSION_DENIED, "");
        ListsReplicationTest.refused(() -> ListsReplicationTest.stub(server, "approver",
            channels).startShadow(start(draft, 3)), Status.Code.PERMISSION_DENIED, "");
        ListsReplicationTest.refused(() -> admin.startShadow(start(draft, 3).toBuilder()
            .clearUntil().build()), Status.Code.INVALID_ARGUMENT, "until: is required");
        ListsReplicationTest.refused(() -> admin.startShadow(start("version: x", 3)),
            Status.Code.INVALID_ARGUMENT, "policy_yaml: ");
        ShadowPolicy stricter = admin.startShadow(start(draft, 3));
        assertThat(stricter.getState()).isEqualTo(ShadowPolicy.State.RUNNING);
        assertThat(stricter.getStartedBy()).isEqualTo("admin");
        assertThat(stricter.getLabel()).isEqualTo("draft-1");
        ShadowPolicy loops = admin.startShadow(start(looping, 0));
        ListsReplicationTest.refused(() -> admin.startShadow(start(draft, 3)),
            Status.Code.RESOURCE_EXHAUSTED, "policy_yaml: 2 shadows run already");

        // the same calls with both shadows: the same answers
        for (int i = 0; i < 3; i++) {
          ScoreTransactionResponse r = score(server, "shadowed-" + i, "a-" + i);
          assertThat(r.getDecision()).isEqualTo(alone.get(i).getDecision());
          assertThat(r.getScore().getScore()).isEqualTo(alone.get(i).getScore().getScore());
          assertThat(r.getScore().getReasonsList())
              .isEqualTo(alone.get(i).getScore().getReasonsList());
          AuditRecord record = audit(kafka, r);
          assertThat(record.getShadowDecisionsList()).hasSize(2);
          ShadowDecision s = record.getShadowDecisions(0);
          assertThat(s.getPolicy().getVersion()).isEqualTo(stricter.getVersion());
          assertThat(s.getPolicy().getSha256()).isEqualTo(stricter.getSha256());
          assertThat(s.getError()).isEmpty();
          int score = r.getScore().getScore();
          assertThat(s.getDecision()).isEqualTo(score >= 400 ? "DECLINE" : "APPROVE");
          assertThat(s.getHoldDays()).isZero();
          if (score >= 900) {
            assertThat(s.getPolicyRule()).isEqualTo("decline-very-high-risk");
          }
          if (!s.getDecision().equals("APPROVE")) {
            assertThat(s.getReasonCodesList()).isNotEmpty();
          }
          // the looping one fails its first rule: its on_error outcome, never the answer's
          ShadowDecision l = record.getShadowDecisions(1);
          assertThat(l.getPolicy().getVersion()).isEqualTo(loops.getVersion());
          assertThat(l.getDecision()).isEqualTo("REVIEW");
          assertThat(l.getPolicyRule()).isEqualTo("loops: failed, on_error");
          assertThat(l.getReasonCodesList()).startsWith("POLICY_RULE_FAILED");
        }

        // the stricter one is spent (3 decisions): ended, no longer recorded
        var listed = ListsReplicationTest.stub(server, "approver", channels)
            .listShadows(ListShadowsRequest.getDefaultInstance()).getShadowsList();
        assertThat(listed).extracting(ShadowPolicy::getState).containsExactly(
            ShadowPolicy.State.ENDED, ShadowPolicy.State.RUNNING);
        assertThat(listed.get(0).getEndReason()).isEqualTo("max_decisions reached");
        assertThat(listed.get(0).getDecisions()).isEqualTo(3);
        AuditRecord fourth = audit(kafka, score(server, "after-count", "a-0"));
        assertThat(fourth.getShadowDecisionsList()).extracting(d -> d.getPolicy().getVersion())
            .containsExactly(loops.getVersion());

        // whatever a shadow's evaluation throws is caught: the answer is the serving policy's
        Pipeline pipeline = server.scoring().pipeline();
        Policy live = server.policy().current();
        Call call = call("throws-1", "a-1");
        Verdict<TransactionAction> verdict = pipeline.decide(call, p -> {
          if (p != live) {
            throw new IllegalStateException("a shadow's evaluation broke");
          }
          return p.transaction();
        });
        Verdict<TransactionAction> plain = pipeline.decide(call("plain-1", "a-1"),
            Policy::transaction);
        assertThat(verdict.decision()).isEqualTo(plain.decision());
        assertThat(verdict.outcome()).isEqualTo(plain.outcome());
        assertThat(verdict.shadows()).singleElement().satisfies(d -> {
          assertThat(d.getDecision()).isEmpty();
          assertThat(d.getError()).isEqualTo("failed: java.lang.IllegalStateException");
        });
        assertThat(metrics(server)).containsPattern(
            "vigil_shadow_policy_errors_total\\{task=\"fraud\"} [1-9]");

        // stopped: ended by its caller; both starts and the stop audited, the text kept
        ShadowPolicy stopped = admin.stopShadow(StopShadowRequest.newBuilder()
            .setId(loops.getId()).build());
        assertThat(stopped.getEndReason()).isEqualTo("stopped by admin");
        ListsReplicationTest.refused(() -> admin.stopShadow(StopShadowRequest.newBuilder()
            .setId(loops.getId()).build()), Status.Code.FAILED_PRECONDITION, "id: ");
        assertThat(audit(kafka, score(server, "after-stop", "a-0")).getShadowDecisionsList())
            .isEmpty();
        List<PolicyVersion> versions = admin.listPolicies(ListPoliciesRequest.getDefaultInstance())
            .getPoliciesList();
        assertThat(versions).filteredOn(v -> v.getSource().equals("shadow:admin"))
            .extracting(PolicyVersion::getVersion)
            .containsExactly(stricter.getVersion(), loops.getVersion());
        assertThat(versions).filteredOn(PolicyVersion::getServing).extracting(
            PolicyVersion::getVersion).containsExactly(1L);
        List<PolicyChange> changes = PolicyVersionsTest.policyChanges(kafka, 14).stream()
            .filter(c -> c.getDecision().equals("DONE")).map(AuditRecord::getPolicyChange)
            .toList();
        assertThat(changes).extracting(PolicyChange::getAction)
            .containsExactly("StartShadow", "StartShadow", "StopShadow");
        assertThat(changes.get(0).getShadowId()).isEqualTo(stricter.getId());
        assertThat(changes.get(0).getVersion()).isEqualTo(stricter.getVersion());
        assertThat(changes.get(2).getCaller()).isEqualTo("admin");
      } finally {
        channels.forEach(ManagedChannel::shutdownNow);
        server.close();
      }
    }
  }

  static StartShadowRequest start(String yaml, long max) {
    return StartShadowRequest.newBuilder().setPolicyYaml(yaml)
        .setUntil(EventCodec.timestamp(TestService.NOW.plus(Duration.ofDays(7)).toEpochMilli()))
        .setMaxDecisions(max).build();
  }

  static Event purchase(String id, String account) {
    return new Event(id, TestService.NOW.toEpochMilli() - 1_000, account, "c-" + account,
        new Transaction(new Money(2_500, "USD"), Direction.DEBIT, Channel.CARD_PRESENT, "m-1",
            "5411", "US", "d-" + account, ""));
  }

  static Call call(String id, String account) {
    Event event = purchase(id, account);
    return new Call(Task.FRAUD, id, event.timeMillis(), event, FeatureInputs.keysFor(event),
        ScoreTransactionRequest.newBuilder().setEvent(EventCodec.toProto(event)).build(),
        RequestFacts.transaction("USD", Channel.CARD_PRESENT, "US", "5411"), System.nanoTime());
  }

  static ScoreTransactionResponse score(ScoringServer server, String id, String account) {
    ManagedChannel channel = TestService.channel(server.port(), "scorer");
    try {
      return ScoringServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
          .scoreTransaction(ScoreTransactionRequest.newBuilder()
              .setEvent(EventCodec.toProto(purchase(id, account))).build());
    } finally {
      channel.shutdownNow();
    }
  }

  static AuditRecord audit(EmbeddedKafka kafka, ScoreTransactionResponse r) throws Exception {
    return AuditRecord.parseFrom(kafka.awaitValue("vigil.decisions", r.getScore().getAuditId(),
        Duration.ofSeconds(30)));
  }

  static String metrics(ScoringServer server) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
        "http://127.0.0.1:" + server.metricsPort() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }
}
