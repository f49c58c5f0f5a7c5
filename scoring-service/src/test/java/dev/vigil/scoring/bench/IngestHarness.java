package dev.vigil.scoring.bench;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.EventCodec;
import dev.vigil.history.simulator.Simulator;
import dev.vigil.proto.v1.IngestServiceGrpc;
import dev.vigil.proto.v1.PublishAck;
import dev.vigil.proto.v1.PublishRequest;
import dev.vigil.scoring.ScoringServer;
import dev.vigil.scoring.ServiceConfig;
import dev.vigil.scoring.TestService;
import dev.vigil.testkit.EmbeddedKafka;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import java.nio.file.Files;
import java.util.ArrayList;

/** IngestService.Publish throughput on one stream (`java ... IngestHarness [events]`). */
public final class IngestHarness {
  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
    var events = new ArrayList<Event>();
    new Simulator(new Simulator.Config(3, 2_000, 30,
        TestService.NOW.minusSeconds(31 * 86_400L), 0)).run(events::add);
    var dir = Files.createTempDirectory("vigil-ingest");
    try (var kafka = new EmbeddedKafka()) {
      kafka.createTopic("vigil.events", 4, false);
      kafka.createTopic("vigil.profiles", 1, true);
      var env = LoadHarness.benchEnv(kafka, dir);
      var server = ScoringServer.start(ServiceConfig.load(null, env), TestService.CLOCK);
      var channel = Grpc.newChannelBuilderForAddress("127.0.0.1", server.port(),
          InsecureChannelCredentials.create()).build();
      for (int round = 0; round < 3; round++) {
        int from = round * n;
        var slice = events.subList(from, Math.min(events.size(), from + n));
        var acks = new TestService.Responses<PublishAck>();
        long t0 = System.nanoTime();
        var stream = IngestServiceGrpc.newStub(channel).publish(acks);
        for (Event e : slice) {
          stream.onNext(PublishRequest.newBuilder().setEvent(EventCodec.toProto(e)).build());
        }
        stream.onCompleted();
        int acked = acks.await(java.time.Duration.ofMinutes(10)).size();
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf("round %d: %,d events acknowledged in %.1f s: %,.0f events/s%n", round,
            acked, s, acked / s);
      }
      channel.shutdownNow();
      server.close();
    }
  }
}
