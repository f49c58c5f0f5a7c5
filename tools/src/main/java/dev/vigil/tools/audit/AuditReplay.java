package dev.vigil.tools.audit;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.vigil.history.cli.VigilHome;
import dev.vigil.proto.v1.AuditRecord;
import dev.vigil.scoring.policy.PolicyVersions;
import dev.vigil.scoring.reason.ReasonCatalogue;
import dev.vigil.scoring.replay.DecisionReplay;
import dev.vigil.scoring.replay.DecisionReplay.Differs;
import dev.vigil.scoring.replay.DecisionReplay.Identical;
import dev.vigil.scoring.replay.DecisionReplay.NotReplayable;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code ./vigil audit replay}: recomputes decisions from their audit records ({@link
 * DecisionReplay}: the recorded feature values, the model version from the registry, the policy
 * version from the service's kept versions, through the serving code) and reports each one that
 * differs, field by field (recorded, recomputed), and each one that cannot be recomputed, with
 * why; then a summary line. Reads the decisions topic from its beginning to its end, or a file of
 * records. Exit code 0 when every decision recomputed is identical, 1 when any differs, is not
 * replayable, or none was found.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
    description = "Recomputes decisions from their audit records (features, model version,"
        + " policy version) and reports any that differ, field by field, or cannot be"
        + " recomputed, and why.")
public final class AuditReplay implements Callable<Integer> {
  @Mixin DecisionsTopic decisions = new DecisionsTopic();
  @Spec CommandSpec spec;

  @Option(names = "--registry", defaultValue = VigilHome.VAR + "/models", paramLabel = "DIR",
      description = "The model registry the service served from%n(default: ${DEFAULT-VALUE}).")
  Path registry;

  @Option(names = "--policies", defaultValue = VigilHome.VAR + "/service/policies",
      paramLabel = "DIR", description = "The policy versions the service kept: its state"
          + " directory's policies/%n(default: ${DEFAULT-VALUE}).")
  Path policies;

  @Option(names = "--records", paramLabel = "FILE", description = "Replay the audit records in"
      + " FILE (JSON Lines, each an AuditRecord in protobuf's JSON mapping) instead of the"
      + " decisions topic.")
  Path records;

  @Option(names = "--audit-id", paramLabel = "ID", description = "Replay only these decisions"
      + " (repeatable; default: every decision).")
  List<String> auditIds = new ArrayList<>();

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    if (!Files.isDirectory(policies)) {
      throw new ParameterException(spec.commandLine(), "--policies: " + policies
          + " is not a directory (the service's <state-dir>/policies)");
    }
    if (!Files.isDirectory(registry)) {
      throw new ParameterException(spec.commandLine(), "--registry: " + registry
          + " is not a directory");
    }
    List<AuditRecord> read = records != null ? fromFile(spec, records)
        : fromTopic(spec, decisions);
    var replay = new DecisionReplay(registry, PolicyVersions.open(policies),
        ReasonCatalogue.load());
    int code = report(replay, read, auditIds, out);
    out.flush();
    return code;
  }

  /**
   * Replays each decision of {@code read} ({@code only} those ids when not empty), printing a
   * line per difference and per decision not replayable, then the summary; 0 when none differs.
   */
  static int report(DecisionReplay replay, List<AuditRecord> read, List<String> only,
      PrintWriter out) {
    long replayed = 0;
    long identical = 0;
    long differ = 0;
    long notReplayable = 0;
    var causes = new TreeMap<String, Long>();
    for (AuditRecord record : read) {
      if (!DecisionReplay.isDecision(record)
          || (!only.isEmpty() && !only.contains(record.getAuditId()))) {
        continue;
      }
      replayed++;
      DecisionReplay.Result result = replay.replay(record);
      if (result instanceof Identical) {
        identical++;
      } else if (result instanceof Differs d) {
        differ++;
        for (DecisionReplay.Difference f : d.differences()) {
          out.println("DIFFERS " + d.auditId() + " " + record.getTask() + " " + f);
        }
      } else if (result instanceof NotReplayable n) {
        notReplayable++;
        causes.merge(n.kind(), 1L, Long::sum);
        out.println("NOT REPLAYABLE " + n.auditId() + " " + record.getTask() + ": "
            + n.cause());
      }
    }
    out.println(replayed + " replayed, " + identical + " identical, " + differ + " differ, "
        + notReplayable + " not replayable" + (causes.isEmpty() ? "" : " (" + causes.entrySet()
            .stream().map(e -> e.getKey() + ": " + e.getValue())
            .collect(Collectors.joining(", ")) + ")"));
    // nothing checked is no evidence: a wrong --policies or --registry (every record not
    // replayable) or an --audit-id matching nothing fails as a difference does
    return differ == 0 && notReplayable == 0 && replayed > 0 ? 0 : 1;
  }

  /** Every audit record on the decisions topic, from its beginning to its end. */
  public static List<AuditRecord> fromTopic(CommandSpec spec, DecisionsTopic decisions)
      throws IOException {
    var read = new ArrayList<AuditRecord>();
    for (ConsumerRecord<byte[], byte[]> r : decisions.readAll()) {
      if (r.value() == null) {
        continue;
      }
      try {
        read.add(AuditRecord.parseFrom(r.value()));
      } catch (InvalidProtocolBufferException e) {
        spec.commandLine().getErr().println("skipped " + decisions.topic() + " partition "
            + r.partition() + " offset " + r.offset() + ": not an audit record");
      }
    }
    return read;
  }

  /**
   * The audit records in {@code file} (JSON Lines in protobuf's JSON mapping); a line that is not
   * one is a usage error naming the line.
   */
  public static List<AuditRecord> fromFile(CommandSpec spec, Path file) throws IOException {
    var read = new ArrayList<AuditRecord>();
    var parser = JsonFormat.parser();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int n = 0;
      while ((line = in.readLine()) != null) {
        n++;
        if (line.isBlank()) {
          continue;
        }
        var record = AuditRecord.newBuilder();
        try {
          parser.merge(line, record);
        } catch (InvalidProtocolBufferException e) {
          throw new ParameterException(spec.commandLine(), "--records: " + file + " line " + n
              + ": " + e.getMessage());
        }
        read.add(record.build());
      }
    }
    return read;
  }
}
