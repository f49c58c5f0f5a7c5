package dev.vigil.scoring.audit;

import dev.vigil.features.event.Event.Channel;
import dev.vigil.features.profile.FeatureCatalogue;
import dev.vigil.proto.v1.AuditRecord;
import dev.vigil.proto.v1.PolicyRef;
import dev.vigil.proto.v1.Reason;
import dev.vigil.proto.v1.Score;
import dev.vigil.proto.v1.Task;
import dev.vigil.scoring.policy.RequestFacts;
import java.util.SplittableRandom;

/**
 * What the fields replay needs add to the encoding of one fraud audit record: the policy version
 * (a message made once per loaded policy) and the request facts (made per call), against the
 * record without them, interleaved call by call in one thread so that the machine's noise falls
 * on both alike ({@code java -cp <scoring-service test classpath>
 * dev.vigil.scoring.audit.ReplayFieldsCost}).
 */
public final class ReplayFieldsCost {
  public static void main(String[] args) {
    var names = FeatureCatalogue.of(FeatureCatalogue.Task.FRAUD).names();
    var fv = new FeatureValues(names);
    var r = new SplittableRandom(1);
    var policy = PolicyRef.newBuilder().setVersion(12).setSha256("ab".repeat(32)).build();
    long sink = 0;
    for (int round = 0; round < 6; round++) {
      long tWithout = 0;
      long tWith = 0;
      int n = 200_000;
      for (int i = 0; i < n; i++) {
        double[] values = new double[names.size()];
        for (int k = 0; k < values.length; k++) {
          values[k] = r.nextDouble() * 100;
        }
        var facts = RequestFacts.transaction("USD", Channel.CARD_PRESENT, "US", "5411");
        long t0 = System.nanoTime();
        var base = AuditRecord.newBuilder().setAuditId("au-" + i).setRequestId("r-" + i)
            .setTask(Task.TASK_FRAUD).setInputHash("0123456789abcdef".repeat(4))
            .setDecision("APPROVE").addEntities("ACCOUNT/a-" + i).addEntities("MERCHANT/m-1")
            .setScore(Score.newBuilder().setScore(600).setProbability(0.1).addReasons(
                Reason.newBuilder().setCode("R1").setText("a reason a lender can show")))
            .setLatencyMicros(50);
        if ((i & 1) == 0) {
          sink += fv.encode(base.build(), values).length;
          tWithout += System.nanoTime() - t0;
        } else {
          sink += fv.encode(base.setPolicy(policy).setRequestFacts(facts.wire()).build(),
              values).length;
          tWith += System.nanoTime() - t0;
        }
      }
      System.out.printf("round %d: without %.2f µs, with policy and facts %.2f µs per record"
          + " (+%.2f µs; %d)%n", round, tWithout / 1e3 / (n / 2), tWith / 1e3 / (n / 2),
          (tWith - tWithout) / 1e3 / (n / 2), sink % 7);
    }
  }
}
