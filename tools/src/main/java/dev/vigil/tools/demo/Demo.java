package dev.vigil.tools.demo;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.EventCodec;
import dev.vigil.history.cli.VigilHome;
import dev.vigil.history.simulator.Simulator;
import dev.vigil.proto.v1.AckStatus;
import dev.vigil.proto.v1.IngestServiceGrpc;
import dev.vigil.proto.v1.PublishAck;
import dev.vigil.proto.v1.PublishRequest;
import dev.vigil.proto.v1.Reason;
import dev.vigil.proto.v1.Score;
import dev.vigil.proto.v1.ScoreCheckDepositRequest;
import dev.vigil.proto.v1.DelinquencyModel;
import dev.vigil.proto.v1.ScoreDelinquencyRequest;
import dev.vigil.proto.v1.ScoreTransactionRequest;
import dev.vigil.proto.v1.ScoringServiceGrpc;
import dev.vigil.scoring.access.ClientTls;
import dev.vigil.scoring.collections.TreatmentAction;
import dev.vigil.scoring.policy.DepositAction;
import dev.vigil.scoring.policy.Segment;
import dev.vigil.scoring.policy.TransactionAction;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A newcomer's first look at Vigil running ({@code ./vigil demo}): simulated customers' history is
 * published through IngestService, then their last day plays live: each transaction and check
 * deposit is scored before it is published, some accounts' delinquency is assessed, and the
 * decisions print as they come, with their reasons. A summary ends it. Account ids are shown
 * masked, as any screen of a bank's should.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Feed simulated events through the running service and watch its decisions.")
public final class Demo implements Callable<Integer> {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("MM-dd HH:mm")
      .withZone(ZoneOffset.UTC);

  @Option(names = "--target", defaultValue = "localhost:50051",
      description = "The scoring service (default: ${DEFAULT-VALUE}).") String target;
  @Option(names = "--tls-dir", defaultValue = VigilHome.VAR + "/tls", description = "Where ca.pem and the"
      + " client certificates are: events are published as 'producer', scored as 'scorer'"
      + " (default: ${DEFAULT-VALUE}, made by ./vigil up).") Path tlsDir;
  @Option(names = "--customers", defaultValue = "300", description = "Simulated customers,"
      + " each with an account, whose events are published (default: ${DEFAULT-VALUE}).")
  int customers;
  @Option(names = "--days", defaultValue = "40", description = "Days of history, ending now;"
      + " the last one plays live (default: ${DEFAULT-VALUE}).") int days;
  @Option(names = "--seed", defaultValue = "2026", description = "Random seed of the simulation;"
      + " the same seed, the same customers (default: ${DEFAULT-VALUE}).") long seed;
  @Option(names = "--show-every", defaultValue = "25", description = "Print every Nth approval"
      + " or acceptance; every other decision always prints (default: ${DEFAULT-VALUE}).")
  int showEvery;

  private final Map<String, Integer> outcomes = new TreeMap<>();
  private final List<Long> latencyMicros = new ArrayList<>();
  private final Clock clock;

  /** @param clock "now": the live day is the day before it, the history the days before that */
  public Demo(Clock clock) {
    this.clock = clock;
  }

  @Override
  public Integer call() throws Exception {
    // two identities, two roles: what publishes cannot score, what scores cannot publish
    ManagedChannel producer = Grpc.newChannelBuilder(target,
        ClientTls.credentials(tlsDir, "producer")).build();
    ManagedChannel channel = Grpc.newChannelBuilder(target,
        ClientTls.credentials(tlsDir, "scorer")).build();
    try {
      var ingest = IngestServiceGrpc.newStub(producer);
      var scoring = ScoringServiceGrpc.newBlockingStub(channel);
      long now = clock.millis();
      Instant start = Instant.ofEpochMilli(now).minus(Duration.ofDays(days)).minusSeconds(600);
      var events = new ArrayList<Event>();
      new Simulator(new Simulator.Config(seed, customers, days, start, 0)).run(events::add);
      events.removeIf(e -> e.timeMillis() > now);
      long liveFrom = now - Duration.ofDays(1).toMillis();
      var history = events.stream().filter(e -> e.timeMillis() < liveFrom).toList();
      var live = events.stream().filter(e -> e.timeMillis() >= liveFrom).toList();

      System.out.printf("Publishing %,d events of %d customers' history (%d days)...%n",
          history.size(), customers, days - 1);
      long t0 = System.nanoTime();
      int accepted = publish(ingest, history);
      double seconds = (System.nanoTime() - t0) / 1e9;
      System.out.printf("  %,d accepted in %.1f s (%,.0f events/s, each acknowledged only once"
          + " Kafka had it)%n", accepted, seconds, history.size() / seconds);
      System.out.println("Waiting for the streaming job to fold them into profiles...");
      Thread.sleep(5_000);

      System.out.printf("%nThe last day, live (%,d events): each transaction and deposit is"
          + " scored, then published.%n%n", live.size());
      int scored = 0;
      int shown = 0;
      long liveStart = System.nanoTime();
      for (Event e : live) {
        if (e.kind() instanceof Event.Transaction tx && tx.direction() == Event.Direction.DEBIT) {
          var r = timed(() -> scoring.scoreTransaction(ScoreTransactionRequest.newBuilder()
              .setEvent(EventCodec.toProto(e)).build()));
          if (r != null) {
            scored++;
            String decision = TransactionAction.of(r.getDecision()).name();
            if (count("transaction " + decision) % showEvery == 1
                || !decision.equals("APPROVE")) {
              shown++;
              print(e, String.format("%-11s %9s %s", "card/transfer", money(tx.amount()),
                  tx.channel().name().toLowerCase(Locale.ROOT)), decision, r.getScore());
            }
          }
        } else if (e.kind() instanceof Event.CheckDeposit d) {
          var r = timed(() -> scoring.scoreCheckDeposit(ScoreCheckDepositRequest.newBuilder()
              .setEvent(EventCodec.toProto(e)).build()));
          if (r != null) {
            scored++;
            String decision = DepositAction.of(r.getDecision()).name()
                + (r.getHoldDays() > 0 ? " " + r.getHoldDays() + "d " + r.getHoldReason() : "");
            if (count("deposit " + DepositAction.of(r.getDecision()).name())
                % showEvery == 1 || !decision.equals("ACCEPT")) {
              shown++;
              print(e, String.format("%-11s %9s", "check", money(d.amount())), decision,
                  r.getScore());
            }
          }
        } else if (e.kind() instanceof Event.Statement) {
          var r = timed(() -> scoring.scoreDelinquency(ScoreDelinquencyRequest.newBuilder()
              .setAccountId(e.accountId()).setCustomerId(e.customerId())
              // the customer's own zone comes from their CustomerDetails; this one stands in
              // for the simulated customers (one in ten) whose zone was never sent
              .setAsOf(EventCodec.timestamp(e.timeMillis())).setTimeZone("America/Chicago")
              .build()));
          if (r != null) {
            scored++;
            String segment = Segment.of(r.getSegment()).name();
            boolean cure = r.getModel() == DelinquencyModel.DELINQUENCY_MODEL_CURE;
            // a past-due account is answered by the cure model, the roll model beside it: its
            // chances of curing and of rolling into the next bucket are shown
            count("delinquency " + (cure ? "past due " : "current ") + segment);
            if (r.getSegment() != dev.vigil.proto.v1.Segment.SEGMENT_CURRENT_LOW_RISK) {
              shown++;
              print(e, cure ? String.format(Locale.ROOT, "past due, %2.0f%% cure", 100
                      * r.getCureProbability()) + (r.hasRollProbability() ? String.format(
                      Locale.ROOT, ", %2.0f%% roll", 100 * r.getRollProbability()) : "")
                  : "collections",
                  segment + " -> " + (r.hasTreatment()
                  ? TreatmentAction.of(r.getTreatment().getAction()).name() + " by "
                      + Event.ContactChannel.of(r.getTreatment().getChannel()).name()
                  : "no treatment (stand-in)"), r.getScore());
            }
          }
        }
        publish(ingest, List.of(e));
      }
      double liveSeconds = (System.nanoTime() - liveStart) / 1e9;

      long[] lat = latencyMicros.stream().mapToLong(Long::longValue).sorted().toArray();
      System.out.printf("%nSummary: %,d decisions in %.1f s (%,.0f per second, each followed by"
              + " its event's publication); %d shown%n", scored, liveSeconds,
          scored / liveSeconds, shown);
      outcomes.forEach((k, v) -> System.out.printf("  %-32s %,6d%n", k, v));
      if (lat.length > 0) {
        System.out.printf("  latency as the client saw it: p50 %.1f ms, p99 %.1f ms, max %.1f"
            + " ms%n", lat[lat.length / 2] / 1e3, lat[(int) (lat.length * 0.99)] / 1e3,
            lat[lat.length - 1] / 1e3);
      }
      return 0;
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      producer.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private int count(String outcome) {
    return outcomes.merge(outcome, 1, Integer::sum);
  }

  private <T> T timed(java.util.function.Supplier<T> call) {
    long t0 = System.nanoTime();
    try {
      T result = call.get();
      latencyMicros.add((System.nanoTime() - t0) / 1000);
      return result;
    } catch (StatusRuntimeException e) {
      count("error " + e.getStatus().getCode());
      return null;
    }
  }

  private static void print(Event e, String what, String decision, Score score) {
    // no reasons: the score is not above the typical customer's, nothing adverse to explain
    String reasons = score.getReasonsCount() == 0 ? "no adverse factors"
        : score.getReasonsList().stream().limit(3).map(Reason::getText)
            .collect(Collectors.joining("; "));
    System.out.printf("%s  acct %s  %-28s -> %-26s score %3d  %s%n",
        TIME.format(Instant.ofEpochMilli(e.timeMillis())), masked(e.accountId()), what, decision,
        score.getScore(), reasons);
  }

  /** The last four characters, the rest hidden. */
  static String masked(String account) {
    return "..." + account.substring(Math.max(0, account.length() - 4));
  }

  private static String money(Event.Money m) {
    return String.format(Locale.ROOT, "%s %,.2f", m.currency(), m.minorUnits() / 100.0);
  }

  /** Publishes on one stream, in order; returns how many were accepted. */
  private static int publish(IngestServiceGrpc.IngestServiceStub ingest, List<Event> events)
      throws Exception {
    int accepted = 0;
    for (int from = 0; from < events.size(); from += 5_000) {
      var slice = events.subList(from, Math.min(events.size(), from + 5_000));
      var acks = new ArrayList<PublishAck>();
      var done = new CompletableFuture<Void>();
      var stream = ingest.publish(new StreamObserver<>() {
        @Override
        public void onNext(PublishAck ack) {
          acks.add(ack);
        }

        @Override
        public void onError(Throwable t) {
          done.completeExceptionally(t);
        }

        @Override
        public void onCompleted() {
          done.complete(null);
        }
      });
      for (Event e : slice) {
        stream.onNext(PublishRequest.newBuilder().setEvent(EventCodec.toProto(e)).build());
      }
      stream.onCompleted();
      done.get(120, TimeUnit.SECONDS);
      accepted += (int) acks.stream()
          .filter(a -> a.getStatus() == AckStatus.ACK_STATUS_ACCEPTED).count();
    }
    return accepted;
  }

}
