package dev.vigil.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import dev.vigil.features.event.Event;
import dev.vigil.features.event.EventCodec;
import dev.vigil.features.event.InvalidEventException;
import dev.vigil.history.simulator.Simulator;
import dev.vigil.proto.v1.AckStatus;
import dev.vigil.proto.v1.IngestServiceGrpc;
import dev.vigil.proto.v1.PublishAck;
import dev.vigil.proto.v1.PublishRequest;
import dev.vigil.proto.v1.ScoreCheckDepositRequest;
import dev.vigil.proto.v1.ScoreDelinquencyRequest;
import dev.vigil.proto.v1.ScoreTransactionRequest;
import dev.vigil.proto.v1.ScoringServiceGrpc;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Generated malformed input, 10,000 events through the codec and 10,000 requests over the real
 * port: valid simulated events of every kind, each with one to three fields set to hostile values
 * (over-long, control characters, extreme numbers, unknown enum numbers, missing messages, out of
 * range timestamps) found through the protobuf descriptors. Nothing crashes, nothing is answered
 * INTERNAL or UNKNOWN, and every refusal names the field. Seeded: a failure names its case.
 */
class MalformedInputTest {
  private static final long SEED = 20261130L;
  private static TestService.Stack stack;
  private static List<dev.vigil.proto.v1.Event> valid;
  @TempDir static Path dir;

  @BeforeAll
  static void start() throws Exception {
    stack = TestService.Stack.start(dir, 1);
    var events = new ArrayList<dev.vigil.proto.v1.Event>();
    // a history that ends just before the service's clock: every kind, all valid
    var config = new Simulator.Config(3, 60, 30,
        TestService.NOW.minus(Duration.ofDays(31)), 0);
    new Simulator(config).run(e -> {
      if (e.timeMillis() <= TestService.NOW.toEpochMilli()) {
        events.add(EventCodec.toProto(e));
      }
    });
    valid = events;
  }

  @AfterAll
  static void stop() throws Exception {
    stack.close();
  }

  /** Hostile values for fields, chosen by type. */
  static final class Mutator {
    private final SplittableRandom random;

    Mutator(SplittableRandom random) {
      this.random = random;
    }

    <M extends Message> M mutate(M message, int mutations) {
      Message.Builder b = message.toBuilder();
      for (int i = 0; i < mutations; i++) {
        mutateOne(b, 0);
      }
      @SuppressWarnings("unchecked")
      M out = (M) b.build();
      return out;
    }

    private void mutateOne(Message.Builder b, int depth) {
      List<FieldDescriptor> fields = new ArrayList<>();
      for (FieldDescriptor f : b.getDescriptorForType().getFields()) {
        // prefer the fields that are set (the event's kind), sometimes any
        if (b.hasField(f) || f.isRepeated() || random.nextInt(4) == 0) {
          fields.add(f);
        }
      }
      if (fields.isEmpty()) {
        return;
      }
      FieldDescriptor f = fields.get(random.nextInt(fields.size()));
      if (f.isRepeated()) {
        b.clearField(f);
        return;
      }
      switch (f.getJavaType()) {
        case STRING -> b.setField(f, hostileString());
        case LONG -> b.setField(f, hostileLong());
        case INT -> b.setField(f, (int) hostileLong());
        case DOUBLE -> b.setField(f, new double[] {Double.NaN, Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY, -0.0, Double.MAX_VALUE}[random.nextInt(5)]);
        case FLOAT -> b.setField(f, Float.NaN);
        case BOOLEAN -> b.setField(f, !(Boolean) b.getField(f));
        case ENUM -> {
          EnumDescriptor e = f.getEnumType();
          int number = random.nextBoolean() ? e.getValues().get(random.nextInt(
              e.getValues().size())).getNumber() : random.nextInt(1000) - 500;
          b.setField(f, e.findValueByNumberCreatingIfUnknown(number));
        }
        case MESSAGE -> {
          if (depth > 3 || random.nextInt(3) == 0) {
            b.clearField(f);
          } else {
            Message.Builder child = ((Message) b.getField(f)).toBuilder();
            mutateOne(child, depth + 1);
            b.setField(f, child.build());
          }
        }
        case BYTE_STRING -> b.setField(f, com.google.protobuf.ByteString.copyFrom(
            new byte[random.nextInt(5000)]));
      }
    }

    String hostileString() {
      return switch (random.nextInt(9)) {
        case 0 -> "";
        case 1 -> "x".repeat(EventCodec.MAX_ID_LENGTH + 1 + random.nextInt(5000));
        case 2 -> "x".repeat(EventCodec.MAX_CODE_LENGTH + 1);
        case 3 -> "\u0000\u0007\n\t\u007f";
        case 4 -> "   ";
        case 5 -> "\uD83D\uDCB3\u202E\u00E9\u4E2D"; // emoji, right-to-left override, accents
        case 6 -> "Robert'); DROP TABLE accounts;--";
        case 7 -> "usd";
        default -> "../../etc/passwd";
      };
    }

    long hostileLong() {
      return switch (random.nextInt(8)) {
        case 0 -> Long.MIN_VALUE;
        case 1 -> Long.MAX_VALUE;
        case 2 -> -1;
        case 3 -> 0;
        case 4 -> Integer.MAX_VALUE + 1L;
        case 5 -> 253_402_300_800L; // year 10000 in seconds
        case 6 -> -62_135_596_801L; // before year 1 in seconds
        default -> random.nextLong();
      };
    }
  }

  private static dev.vigil.proto.v1.Event malformed(Mutator m, SplittableRandom random) {
    return m.mutate(valid.get(random.nextInt(valid.size())), 1 + random.nextInt(3));
  }

  /** The outcomes seen, by kind, for the report. */
  private final Map<String, Integer> outcomes = new TreeMap<>();

  private void count(String outcome) {
    outcomes.merge(outcome, 1, Integer::sum);
  }

  @Test
  void tenThousandMalformedEventsThroughTheCodecNeverCrashAndNameTheirField() {
    var random = new SplittableRandom(SEED);
    var m = new Mutator(random);
    long now = TestService.NOW.toEpochMilli();
    for (int i = 0; i < 10_000; i++) {
      var event = malformed(m, random);
      try {
        EventCodec.fromProto(event, now);
        count("codec: valid");
      } catch (InvalidEventException e) {
        assertThat(e.field()).as("case %d: %s", i, e.getMessage()).startsWith("event");
        assertThat(e.reason()).as("case %d", i).isNotBlank();
        count("codec: refused naming " + e.field().split("\\.")[0]);
      } catch (RuntimeException e) {
        throw new AssertionError("case " + i + " (seed " + SEED + ") crashed the codec: " + e
            + "\n" + event, e);
      }
    }
    System.out.println("malformed events through the codec: " + outcomes);
    assertThat(outcomes.getOrDefault("codec: refused naming event", 0)).isGreaterThan(5_000);
  }

  @Test
  void tenThousandMalformedRequestsAreAnsweredNeverWithInternalOrUnknown() throws Exception {
    var random = new SplittableRandom(SEED + 1);
    var m = new Mutator(random);
    var scoring = ScoringServiceGrpc.newBlockingStub(stack.channel)
        .withDeadlineAfter(10, java.util.concurrent.TimeUnit.MINUTES);
    for (int i = 0; i < 6_000; i++) {
      int kind = random.nextInt(3);
      final int n = i;
      Supplier<Object> call = switch (kind) {
        case 0 -> () -> scoring.scoreTransaction(ScoreTransactionRequest.newBuilder()
            .setRequestId("fuzz-" + n).setEvent(malformed(m, random)).build());
        case 1 -> () -> scoring.scoreCheckDeposit(ScoreCheckDepositRequest.newBuilder()
            .setRequestId("fuzz-" + n).setEvent(malformed(m, random)).build());
        default -> () -> scoring.scoreDelinquency(m.mutate(ScoreDelinquencyRequest.newBuilder()
            .setRequestId("fuzz-" + n).setAccountId(valid.get(random.nextInt(valid.size()))
                .getAccountId()).setTimeZone("America/Chicago").build(), 1));
      };
      try {
        call.get();
        count("score: answered");
      } catch (StatusRuntimeException e) {
        Status s = e.getStatus();
        assertThat(s.getCode()).as("case %d: %s", i, s)
            .isIn(Status.Code.INVALID_ARGUMENT, Status.Code.RESOURCE_EXHAUSTED);
        if (s.getCode() == Status.Code.INVALID_ARGUMENT) {
          assertThat(s.getDescription()).as("case %d names its field", i)
              .matches("^[a-z_]+(\\.[a-z_]+)*: .+");
        }
        count("score: " + s.getCode());
      }
    }

    // 4,000 events on Publish streams of 100: each acknowledged, none breaks its stream
    var ingest = IngestServiceGrpc.newStub(stack.channel);
    for (int batch = 0; batch < 40; batch++) {
      var acks = new TestService.Responses<PublishAck>();
      var stream = ingest.publish(acks);
      for (int i = 0; i < 100; i++) {
        var event = malformed(m, random).toBuilder().setEventId("fuzz-" + batch + "-" + i);
        if (random.nextInt(4) == 0) {
          event.setEventId(m.hostileString()); // the id itself, hostile
        }
        stream.onNext(PublishRequest.newBuilder().setEvent(event).build());
      }
      stream.onCompleted();
      List<PublishAck> received = acks.await(Duration.ofSeconds(60));
      assertThat(received).hasSize(100);
      for (PublishAck ack : received) {
        if (ack.getStatus() == AckStatus.ACK_STATUS_REJECTED) {
          assertThat(ack.getField()).as("ack %s names its field", ack).startsWith("event");
          assertThat(ack.getReason()).isNotBlank();
        }
        count("publish: " + ack.getStatus());
      }
    }
    System.out.println("malformed requests over the port: " + outcomes);
    assertThat(outcomes.getOrDefault("score: INVALID_ARGUMENT", 0)).isGreaterThan(1_000);
    assertThat(outcomes.getOrDefault("publish: ACK_STATUS_REJECTED", 0)).isGreaterThan(1_000);
  }
}
