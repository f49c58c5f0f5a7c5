package dev.vigil.tools.audit;

import dev.vigil.scoring.audit.AuditChain;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code ./vigil audit verify}: reads the decisions topic from its beginning to its end and checks
 * every writer's hash chain ({@link AuditChain}: one per replica's spool); prints each writer's
 * count, the token keys its records name, and whether its chain holds or where it first breaks;
 * then the token keys seen, and each pair of writers that made tokens with different keys at the
 * same time (replicas given different key files: one account then has two tokens). Exit code 0
 * when every chain holds and the writers agree on their key, 1 otherwise.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = "Checks the audit trail's hash chains on the decisions topic (one per replica)"
        + " and that the replicas made their tokens with one key.")
public final class AuditVerify implements Callable<Integer> {
  @Mixin DecisionsTopic decisions = new DecisionsTopic();
  @Spec CommandSpec spec;

  @Option(names = "--rotation-overlap-minutes", defaultValue = "60", paramLabel = "MINUTES",
      description = "Two writers that used different token keys side by side for at most this"
          + " long are a rolling key rotation (each replica restarted on the new key file in"
          + " turn): reported, not a failure; longer, their keys disagree (default:"
          + " ${DEFAULT-VALUE}).")
  long rotationOverlapMinutes = 60;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    if (rotationOverlapMinutes < 0) {
      throw new ParameterException(spec.commandLine(), "--rotation-overlap-minutes: "
          + rotationOverlapMinutes + " is negative");
    }
    int code = report(AuditChain.verify(decisions.readAll()), decisions.topic(),
        Duration.ofMinutes(rotationOverlapMinutes), out);
    out.flush();
    return code;
  }

  /** Prints what verification found; 0 when every chain holds and the writers' keys agree. */
  static int report(List<AuditChain.Finding> findings, String topic, Duration rotation,
      PrintWriter out) {
    if (findings.isEmpty()) {
      out.println("no audit records written by a spool on " + topic);
    }
    boolean holds = true;
    var keys = new LinkedHashMap<String, Long>();
    for (AuditChain.Finding f : findings) {
      String used = f.tokenKeys().isEmpty() ? "no token key"
          : "token key " + f.tokenKeys().stream().map(AuditChain.KeyUse::keyId)
              .collect(Collectors.joining(", "));
      out.println("writer " + f.spool() + ": " + f.records() + " records, " + used + ", "
          + (f.holds() ? "chain holds" : "chain BROKEN at " + f.firstBreak()));
      holds &= f.holds();
      f.tokenKeys().forEach(k -> keys.merge(k.keyId(), k.records(), Long::sum));
    }
    out.println(findings.size() + " writers, token keys seen: " + (keys.isEmpty() ? "none"
        : keys.entrySet().stream().map(e -> e.getKey() + " (" + e.getValue() + " records)")
            .collect(Collectors.joining(", "))));
    var disagreements = AuditChain.keyDisagreements(findings, rotation);
    for (AuditChain.KeyDisagreement d : AuditChain.keyDisagreements(findings, Duration.ZERO)) {
      if (!disagreements.contains(d)) {
        out.println("token keys rotated: " + d.describe() + " (side by side for at most "
            + rotation.toMinutes() + " min: a rolling rotation)");
      }
    }
    for (AuditChain.KeyDisagreement d : disagreements) {
      out.println("TOKEN KEYS DISAGREE: " + d.describe() + ": their tokens cannot be joined;"
          + " give every replica one vigil.audit.token-key-file");
    }
    return holds && disagreements.isEmpty() ? 0 : 1;
  }
}
