package dev.vigil.tools.audit;

import dev.vigil.scoring.audit.AuditChain;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code ./vigil audit verify}: reads the decisions topic from its beginning to its end and checks
 * every writer's hash chain ({@link AuditChain}); prints each writer's count and whether its
 * chain holds, or where it first breaks. Exit code 0 when every chain holds, 1 otherwise.
 */
@Command(name = "vigil audit verify", mixinStandardHelpOptions = true,
    description = "Checks the audit trail's hash chains on the decisions topic.")
public final class AuditVerify implements Callable<Integer> {
  @Mixin DecisionsTopic decisions = new DecisionsTopic();

  @Override
  public Integer call() throws IOException {
    var findings = AuditChain.verify(decisions.readAll());
    if (findings.isEmpty()) {
      System.out.println("no audit records written by a spool on " + decisions.topic());
    }
    boolean holds = true;
    for (AuditChain.Finding f : findings) {
      System.out.println("writer " + f.spool() + ": " + f.records() + " records, "
          + (f.holds() ? "chain holds" : "chain BROKEN at " + f.firstBreak()));
      holds &= f.holds();
    }
    return holds ? 0 : 1;
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new AuditVerify()).execute(args));
  }
}
