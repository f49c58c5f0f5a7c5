package dev.vigil.scoring.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.EventCodec;
import dev.vigil.features.profile.ProfileBook;
import dev.vigil.features.profile.ProfileSettings;
import dev.vigil.proto.v1.ScoreTransactionRequest;
import dev.vigil.proto.v1.ScoringServiceGrpc;
import dev.vigil.proto.v1.TransactionDecision;
import dev.vigil.scoring.ScoringServer;
import dev.vigil.scoring.ServiceConfig;
import dev.vigil.scoring.TestService;
import dev.vigil.testkit.EmbeddedKafka;
import io.grpc.ManagedChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The risk team edits the policy file of a running service. */
class PolicyReloadTest {
  @TempDir Path dir;

  @Test
  void aGoodEditServesWithinSecondsAndABadOneIsRefusedWhileThePreviousServes() throws Exception {
    try (var kafka = new EmbeddedKafka()) {
      kafka.createTopic("vigil.profiles", 1, true);
      kafka.createTopic("vigil.decisions", 1, false);
      var server = ScoringServer.start(ServiceConfig.load(null, TestService.env(kafka, dir)),
          TestService.CLOCK);
      ManagedChannel channel = TestService.channel(server.port(), "scorer");
      try {
        var scoring = ScoringServiceGrpc.newBlockingStub(channel);
        // an ordinary purchase on an account with a month of ordinary purchases behind it
        long now = TestService.NOW.toEpochMilli();
        var book = new ProfileBook(ProfileSettings.DEFAULT);
        for (int d = 30; d >= 1; d--) {
          book.fold(purchase("pol-h" + d, now - d * 86_400_000L, 1_000 + 37 * d));
        }
        TestService.publish(kafka, server, book);
        var request = ScoreTransactionRequest.newBuilder()
            .setEvent(EventCodec.toProto(purchase("pol-1", now - 1000, 1_500))).build();
        Supplier<String> version = () -> scoring.scoreTransaction(request).getScore()
            .getPolicyVersion();
        assertThat(version.get()).isEqualTo("2026-12-07.5");
        assertThat(scoring.scoreTransaction(request).getDecision())
            .isEqualTo(TransactionDecision.TRANSACTION_DECISION_APPROVE);

        Path file = dir.resolve("state/policy.yaml");
        String original = Files.readString(file);
        // a typo in a feature name: refused, the previous policy keeps serving
        Files.writeString(file, original.replace("2026-12-07.5", "bad-1")
            .replace("features.device_new_90d", "features.device_nwe_90d"));
        Thread.sleep(1_000);
        assertThat(version.get()).isEqualTo("2026-12-07.5");

        // the risk team reviews every card transaction in USD: served without a restart
        Files.writeString(file, original.replace("2026-12-07.5", "2026-12-01.1")
            .replace("    - name: decline-very-high-risk", "    - name: review-all-usd\n"
                + "      when: request.currency == \"USD\"\n"
                + "      decision: REVIEW\n"
                + "    - name: decline-very-high-risk"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!version.get().equals("2026-12-01.1") && System.nanoTime() < deadline) {
          Thread.sleep(50);
        }
        assertThat(version.get()).isEqualTo("2026-12-01.1");
        assertThat(scoring.scoreTransaction(request).getDecision())
            .isEqualTo(TransactionDecision.TRANSACTION_DECISION_REVIEW);
      } finally {
        channel.shutdownNow();
        server.close();
      }
    }
  }

  static Event purchase(String id, long at, long cents) {
    return new Event(id, at, "a-1", "c-1", new Event.Transaction(new Event.Money(cents, "USD"),
        Event.Direction.DEBIT, Event.Channel.CARD_PRESENT, "m-1", "5411", "US", "d-1", ""));
  }
}
