package dev.vigil.scoring.reason;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.Event.Channel;
import dev.vigil.features.event.Event.Direction;
import dev.vigil.features.event.Event.Money;
import dev.vigil.features.event.Event.Transaction;
import dev.vigil.features.event.EventCodec;
import dev.vigil.features.profile.ProfileBook;
import dev.vigil.features.profile.ProfileSettings;
import dev.vigil.proto.v1.Reason;
import dev.vigil.proto.v1.ScoreTransactionRequest;
import dev.vigil.proto.v1.ScoreTransactionResponse;
import dev.vigil.proto.v1.ScoringServiceGrpc;
import dev.vigil.proto.v1.TransactionDecision;
import dev.vigil.scoring.TestService;
import dev.vigil.scoring.policy.Policy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reasons a person would agree with, on the served default fraud model (trained on a simulated
 * history) through the real pipeline over a real port: 40 accounts with 30 days of ordinary card
 * history (one 20-60 USD purchase a day at the same few merchants, from the same device), each
 * scored for another ordinary purchase; and the odd purchase (60 times the usual amount, from a
 * new device in a new country) on the same histories.
 */
class OrdinaryHistoriesTest {
  private static final long DAY = 86_400_000L;
  private static final long NOW = TestService.NOW.toEpochMilli();
  private static final int ACCOUNTS = 40;
  private static final String[][] MERCHANTS = {{"m-grocer", "5411"}, {"m-fuel", "5541"},
      {"m-pharmacy", "5912"}};
  private static TestService.Stack stack;
  private static ScoringServiceGrpc.ScoringServiceBlockingStub scoring;
  @TempDir static Path dir;

  @BeforeAll
  static void start() throws Exception {
    stack = TestService.Stack.start(dir, 2);
    scoring = ScoringServiceGrpc.newBlockingStub(stack.channel);
    var book = new ProfileBook(ProfileSettings.DEFAULT);
    var random = new Random(30);
    for (int a = 0; a < ACCOUNTS; a++) {
      for (int d = 30; d >= 1; d--) {
        String[] m = MERCHANTS[random.nextInt(MERCHANTS.length)];
        long at = NOW - d * DAY + random.nextInt(8 * 3_600_000);
        book.fold(purchase("h-" + a + "-" + d, at, a, 2_000 + random.nextInt(4_001), m,
            device(a), "US"));
      }
    }
    TestService.publish(stack.kafka, stack.server, book);
  }

  @AfterAll
  static void stop() throws Exception {
    stack.close();
  }

  static String device(int account) {
    return "d-phone-" + account;
  }

  static Event purchase(String id, long at, int account, long cents, String[] merchant,
      String device, String country) {
    return new Event(id, at, "a-ord-" + account, "c-ord-" + account,
        new Transaction(new Money(cents, "USD"), Direction.DEBIT, Channel.CARD_PRESENT,
            merchant[0], merchant[1], country, device, ""));
  }

  static ScoreTransactionResponse score(Event event) {
    return scoring.scoreTransaction(ScoreTransactionRequest.newBuilder()
        .setRequestId(event.eventId()).setEvent(EventCodec.toProto(event)).build());
  }

  /** Each account's ordinary purchase: 35 USD at the grocer, from its own device, at home. */
  static List<ScoreTransactionResponse> ordinary(String round) {
    var out = new ArrayList<ScoreTransactionResponse>();
    for (int a = 0; a < ACCOUNTS; a++) {
      out.add(score(purchase("p-" + round + "-" + a, NOW - 60_000, a, 3_500, MERCHANTS[0],
          device(a), "US")));
    }
    return out;
  }

  /** Serves the bundled default policy with {@code edit} applied, as version {@code version}. */
  static void usePolicy(String version, String insertAfterTransaction) throws Exception {
    String policy;
    try (var in = Policy.class.getResourceAsStream("default-policy.yaml")) {
      policy = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    policy = policy.replace("version: \"2026-12-07.5\"", "version: \"" + version + "\"")
        .replace("transaction:\n", "transaction:\n" + insertAfterTransaction);
    Files.writeString(dir.resolve("state/policy.yaml"), policy);
    var probe = purchase("v-" + version, NOW - 60_000, 0, 3_500, MERCHANTS[0], device(0), "US");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!score(probe).getScore().getPolicyVersion().equals(version)
        && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(score(probe).getScore().getPolicyVersion()).isEqualTo(version);
  }

  static String describe(List<ScoreTransactionResponse> answers) {
    var codes = new TreeMap<String, Integer>();
    for (var r : answers) {
      for (Reason reason : r.getScore().getReasonsList()) {
        codes.merge(reason.getCode() + " (" + reason.getFeature() + ")", 1, Integer::sum);
      }
    }
    return answers.stream().mapToInt(r -> r.getScore().getReasonsCount()).sum() + " reasons on "
        + answers.size() + " answers, scores " + answers.stream()
            .mapToInt(r -> r.getScore().getScore()).summaryStatistics() + ": " + codes;
  }

  /** Reasons the ordinary purchase must never get: its device, amount and merchant are usual. */
  private static final List<String> NOT_OF_AN_ORDINARY_PURCHASE = List.of("DEVICE_MANY_ACCOUNTS",
      "AMOUNT", "AMOUNT_UNUSUAL", "AMOUNT_ABOVE_AVERAGE", "AVERAGE_SPEND_7D",
      "AVERAGE_SPEND_30D", "LARGEST_SPEND_30D", "MERCHANT_VOLUME_1D", "MERCHANT_VOLUME_7D",
      "MERCHANT_VOLUME_30D", "NEW_DEVICE", "NEW_COUNTRY", "NEW_MERCHANT");

  /** Each account's usual purchase, but from a device it never used. */
  static List<ScoreTransactionResponse> newDevice(String round) {
    var out = new ArrayList<ScoreTransactionResponse>();
    for (int a = 0; a < ACCOUNTS; a++) {
      out.add(score(purchase("nd-" + round + "-" + a, NOW - 60_000, a, 3_500, MERCHANTS[0],
          "d-other-" + a, "US")));
    }
    return out;
  }

  @Test
  void ordinaryPurchasesAreApprovedWithoutReasonsAndNoneAnyoneWouldDisagreeWith()
      throws Exception {
    usePolicy("2026-12-07.default", "");
    List<ScoreTransactionResponse> answers = ordinary("default");
    System.out.println("ordinary probe, default policy: " + describe(answers));
    assertThat(answers).allSatisfy(r -> {
      assertThat(r.getDecision()).isEqualTo(TransactionDecision.TRANSACTION_DECISION_APPROVE);
      assertThat(r.getScore().getReasonsList()).isEmpty();
    });
    // a usual purchase from a new device: approved, and an approval carries no reasons
    List<ScoreTransactionResponse> newDevice = newDevice("default");
    System.out.println("new device, default policy: " + describe(newDevice));
    assertThat(newDevice).allSatisfy(r -> {
      assertThat(r.getDecision()).isEqualTo(TransactionDecision.TRANSACTION_DECISION_APPROVE);
      assertThat(r.getScore().getReasonsList()).isEmpty();
    });

    // a policy that asks for reasons on APPROVE too: still none that misstates a usual value
    usePolicy("2026-12-07.reasons-always",
        "  reasons: { given_on: [APPROVE, REVIEW, DECLINE] }\n");
    answers = ordinary("always");
    System.out.println("ordinary probe, reasons on APPROVE: " + describe(answers));
    assertThat(answers).allSatisfy(r -> {
      assertThat(r.getDecision()).isEqualTo(TransactionDecision.TRANSACTION_DECISION_APPROVE);
      assertThat(r.getScore().getReasonsList()).extracting(Reason::getCode)
          .doesNotContainAnyElementsOf(NOT_OF_AN_ORDINARY_PURCHASE);
    });
    // the policy does give reasons on APPROVE: the new device is one
    newDevice = newDevice("always");
    System.out.println("new device, reasons on APPROVE: " + describe(newDevice) + " decisions "
        + newDevice.stream().map(r -> r.getDecision().name()).distinct().toList());
    assertThat(newDevice).anySatisfy(r -> {
      assertThat(r.getDecision()).isEqualTo(TransactionDecision.TRANSACTION_DECISION_APPROVE);
      assertThat(r.getScore().getReasonsList()).extracting(Reason::getCode)
          .contains("NEW_DEVICE");
    });
  }

  @Test
  void theOddPurchaseStillGetsItsReasons() throws Exception {
    usePolicy("2026-12-07.default-odd", "");
    var answers = new ArrayList<ScoreTransactionResponse>();
    for (int a = 0; a < ACCOUNTS; a++) {
      // 60 times the usual 40 USD, from a new device, in a new country
      answers.add(score(purchase("odd-" + a, NOW - 60_000, a, 240_000, MERCHANTS[0],
          "d-unknown-" + a, "RO")));
    }
    System.out.println("odd purchase, default policy: " + describe(answers) + " decisions "
        + answers.stream().map(r -> r.getDecision().name()).distinct().toList());
    assertThat(answers).allSatisfy(r -> {
      assertThat(r.getDecision()).isNotEqualTo(
          TransactionDecision.TRANSACTION_DECISION_APPROVE);
      assertThat(r.getScore().getReasonsList()).extracting(Reason::getCode)
          .contains("NEW_DEVICE", "NEW_COUNTRY")
          .containsAnyOf("AMOUNT", "AMOUNT_UNUSUAL", "AMOUNT_ABOVE_AVERAGE");
    });
  }
}
