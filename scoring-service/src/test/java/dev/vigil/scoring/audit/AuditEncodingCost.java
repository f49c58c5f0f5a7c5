package dev.vigil.scoring.audit;
import dev.vigil.features.profile.FeatureCatalogue;
import dev.vigil.proto.v1.AuditRecord;
import dev.vigil.proto.v1.Reason;
import dev.vigil.proto.v1.Score;
import dev.vigil.proto.v1.Task;
import java.util.HashMap;
import java.util.SplittableRandom;

/**
 * The cost of encoding one audit record with its 34 fraud feature values: protobuf-java's map
 * against {@link FeatureValues}, interleaved call by call in one thread so that the machine's
 * noise falls on both alike ({@code java -cp <scoring-service test classpath>
 * dev.vigil.scoring.audit.AuditEncodingCost}).
 */
public final class AuditEncodingCost {
  public static void main(String[] args) {
    var names = FeatureCatalogue.of(FeatureCatalogue.Task.FRAUD).names();
    var fv = new FeatureValues(names);
    var r = new SplittableRandom(1);
    long sink = 0;
    for (int round = 0; round < 6; round++) {
      long tOld = 0;
      long tNew = 0;
      int n = 200_000;
      for (int i = 0; i < n; i++) {
        double[] values = new double[names.size()];
        for (int k = 0; k < values.length; k++) {
          values[k] = r.nextDouble() * 100;
        }
        var base = AuditRecord.newBuilder().setAuditId("au-" + i).setRequestId("r-" + i)
            .setTask(Task.TASK_FRAUD).setInputHash("0123456789abcdef".repeat(4))
            .setDecision("APPROVE").addEntities("ACCOUNT/a-" + i).addEntities("MERCHANT/m-1")
            .setScore(Score.newBuilder().setScore(600).setProbability(0.1).addReasons(
                Reason.newBuilder().setCode("R1").setText("a reason a lender can show")))
            .setLatencyMicros(50);
        long t0 = System.nanoTime();
        if ((i & 1) == 0) {
          var map = new HashMap<String, Double>(values.length * 2);
          for (int k = 0; k < values.length; k++) {
            map.put(names.get(k), values[k]);
          }
          sink += base.putAllFeatures(map).build().toByteArray().length;
          tOld += System.nanoTime() - t0;
        } else {
          sink += fv.encode(base.build(), values).length;
          tNew += System.nanoTime() - t0;
        }
      }
      System.out.printf("round %d: protobuf map %.2f µs, hand-encoded %.2f µs per record"
          + " (ratio %.2f; %d)%n", round, tOld / 1e3 / (n / 2), tNew / 1e3 / (n / 2),
          (double) tNew / tOld, sink % 7);
    }
  }
}
