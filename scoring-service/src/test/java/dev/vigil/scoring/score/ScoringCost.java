package dev.vigil.scoring.score;

import dev.vigil.proto.v1.ScoreTransactionRequest;
import dev.vigil.scoring.ScoringServer;
import dev.vigil.scoring.ServiceConfig;
import dev.vigil.scoring.bench.LoadHarness;
import dev.vigil.testkit.EmbeddedKafka;
import java.nio.file.Files;

/**
 * The server-side cost of one ScoreTransaction without gRPC: the handler called directly in one
 * thread (`java ... ScoringCost [accounts] [seconds]`), for attributing time with a profiler.
 */
public final class ScoringCost {
  public static void main(String[] args) throws Exception {
    int accounts = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    var dir = Files.createTempDirectory("vigil-cost");
    long now = dev.vigil.scoring.TestService.NOW.toEpochMilli(); // a weekday afternoon
    LoadHarness.fill(dir.resolve("state/profiles"), accounts, now);
    try (var kafka = new EmbeddedKafka()) {
      kafka.createTopic("vigil.profiles", 1, true);
      kafka.createTopic("vigil.decisions", 1, false);
      var env = LoadHarness.benchEnv(kafka, dir);
      var server = ScoringServer.start(ServiceConfig.load(null, env),
          dev.vigil.scoring.TestService.CLOCK);
      Scoring scoring = server.scoring();
      ScoreTransactionRequest[] requests = LoadHarness.requests(accounts, now, 50_000);
      for (int round = 0; round < 3; round++) {
        long calls = 0;
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        long start = System.nanoTime();
        while (System.nanoTime() < end) {
          scoring.transaction(requests[(int) (calls++ % requests.length)]);
        }
        System.out.printf("round %d: %.1f µs per ScoreTransaction (%,d calls, one thread)%n",
            round, (System.nanoTime() - start) / 1e3 / calls, calls);
      }
      // the steps one at a time, same requests
      Assessor assessor = scoring.assessor();
      long[] spent = new long[4];
      int n = 50_000;
      for (int i = 0; i < n; i++) {
        var r = requests[i % requests.length];
        long t0 = System.nanoTime();
        var event = dev.vigil.features.event.EventCodec.fromProto(r.getEvent(),
            now);
        long t1 = System.nanoTime();
        var keys = dev.vigil.features.profile.FeatureInputs.keysFor(event);
        var inputs = assessor.inputs(event.timeMillis(), event, keys);
        long t2 = System.nanoTime();
        var a = assessor.assess(dev.vigil.features.profile.FeatureCatalogue.Task.FRAUD, inputs,
            keys.list(), i);
        long t3 = System.nanoTime();
        scoring.transaction(r);
        long t4 = System.nanoTime();
        spent[0] += t1 - t0;
        spent[1] += t2 - t1;
        spent[2] += t3 - t2;
        spent[3] += t4 - t3;
      }
      long read = 0;
      long decode = 0;
      var codec = new dev.vigil.features.profile.ProfileCodec(
          dev.vigil.features.profile.ProfileSettings.DEFAULT);
      for (int i = 0; i < n; i++) {
        var event = dev.vigil.features.event.EventCodec.fromProto(
            requests[i % requests.length].getEvent(), now);
        var keys = dev.vigil.features.profile.FeatureInputs.keysFor(event).list();
        long t0 = System.nanoTime();
        var records = server.store().get(keys);
        long t1 = System.nanoTime();
        for (var r : records) {
          if (r != null) {
            codec.decode(r.getState().toByteArray());
          }
        }
        read += t1 - t0;
        decode += System.nanoTime() - t1;
      }
      System.out.printf("of which: store read (%d keys) %.1f µs, decode %.1f µs%n",
          4, read / 1e3 / n, decode / 1e3 / n);
      // the decoded-merchant cache against the store alone, interleaved call by call so that
      // the machine's noise falls on both alike
      var cached = new dev.vigil.scoring.store.HotProfiles(server.store(), codec, 100_000);
      var storeOnly = new dev.vigil.scoring.store.HotProfiles(server.store(), codec, 0);
      long[] withCache = new long[2];
      for (int i = -2 * n; i < 2 * n; i++) {
        // each arm reads its own requests: a read right after the same keys' read is warmer
        var event = dev.vigil.features.event.EventCodec.fromProto(requests[Math.floorMod(
            i / 2 + (i % 2 == 0 ? 0 : n / 2), requests.length)].getEvent(),
            now);
        var keys = dev.vigil.features.profile.FeatureInputs.keysFor(event).list();
        long t0 = System.nanoTime();
        (i % 2 == 0 ? cached : storeOnly).read(keys);
        if (i >= 0) { // the first half warms both up
          withCache[i % 2] += System.nanoTime() - t0;
        }
      }
      System.out.printf("read+decode: with decoded merchants cached %.1f µs, store only %.1f µs"
          + " (ratio %.2f)%n", withCache[0] / 1e3 / n, withCache[1] / 1e3 / n,
          (double) withCache[0] / withCache[1]);
      System.out.printf("per call: parse+validate %.1f µs, read+decode profiles %.1f µs,"
          + " features+model+reasons %.1f µs, whole handler %.1f µs%n", spent[0] / 1e3 / n,
          spent[1] / 1e3 / n, spent[2] / 1e3 / n, spent[3] / 1e3 / n);
      server.close();
    }
  }
}
