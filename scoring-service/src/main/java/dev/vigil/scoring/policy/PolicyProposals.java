package dev.vigil.scoring.policy;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Policy proposals awaiting a second identity (maker-checker), kept in a directory (the service's
 * {@code <state-dir>/policies}) as {@code proposals.jsonl}: one JSON line per event, appended and
 * forced to disk: a proposal (with its text) when it is made, and a decision line when it is
 * approved or rejected. Reading the lines in order gives each proposal's state, so a pending
 * proposal survives a restart; a last line torn by a crash is dropped (that call never completed).
 */
public final class PolicyProposals {
  private static final ObjectMapper JSON = new ObjectMapper()
      .setSerializationInclusion(JsonInclude.Include.NON_NULL);
  private static final String FILE = "proposals.jsonl";

  /** Where a proposal stands. */
  public enum State { PENDING, APPROVED, REJECTED }

  /** What a proposal rests on. */
  public enum EvidenceKind { BACKTEST, SHADOW }

  /**
   * A backtest or shadow report, named by {@code ref} (an id or path) and its SHA-256.
   */
  public record Evidence(EvidenceKind kind, String ref, String sha256) {}

  /**
   * One proposal.
   *
   * @param baseVersion the policy version serving when it was proposed
   * @param decidedBy who approved or rejected it, null while pending
   * @param version the version it serves as once approved, else 0
   */
  public record Proposal(String id, State state, String proposer, long proposedAtMillis,
      String sha256, String label, Evidence evidence, String justification, long baseVersion,
      String text, String decidedBy, long decidedAtMillis, String comment, long version) {
    Proposal decided(State to, String by, long atMillis, String why, long served) {
      return new Proposal(id, to, proposer, proposedAtMillis, sha256, label, evidence,
          justification, baseVersion, text, by, atMillis, why, served);
    }
  }

  /** A line of the file: a proposal made, or one decided. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Line(Proposal proposal, String decided, State state, String by, Long atMillis,
      String comment, Long version) {}

  private final Path file;
  private final Map<String, Proposal> proposals;

  private PolicyProposals(Path file, Map<String, Proposal> proposals) {
    this.file = file;
    this.proposals = proposals;
  }

  /**
   * The proposals kept in {@code dir}, created when it does not exist.
   *
   * @throws IOException if the file cannot be read, or a line of it is damaged (named by its line
   *     number)
   */
  public static PolicyProposals open(Path dir) throws IOException {
    Files.createDirectories(dir);
    Path file = dir.resolve(FILE);
    var proposals = new LinkedHashMap<String, Proposal>();
    List<String> lines = ForcedLines.read(file);
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).isBlank()) {
        continue;
      }
      Line line = ForcedLines.parse(JSON, file, i, lines.get(i), Line.class);
      if (line.proposal() != null) {
        proposals.put(line.proposal().id(), line.proposal());
      } else {
        Proposal p = proposals.get(line.decided());
        if (p == null) {
          throw new IOException(file + " line " + (i + 1) + ": decides unknown proposal '"
              + line.decided() + "'");
        }
        proposals.put(p.id(), p.decided(line.state(), line.by(), line.atMillis(),
            line.comment(), line.version() == null ? 0 : line.version()));
      }
    }
    return new PolicyProposals(file, proposals);
  }

  /**
   * Keeps a new pending proposal, numbered after the last one.
   *
   * @throws UncheckedIOException if it cannot be written
   */
  public synchronized Proposal propose(String proposer, long atMillis, String text, String label,
      Evidence evidence, String justification, long baseVersion) {
    var proposal = new Proposal("proposal-" + (proposals.size() + 1), State.PENDING, proposer,
        atMillis, PolicyVersions.sha256(text.getBytes(StandardCharsets.UTF_8)), label, evidence,
        justification, baseVersion, text, null, 0, null, 0);
    append(new Line(proposal, null, null, null, null, null, null));
    proposals.put(proposal.id(), proposal);
    return proposal;
  }

  /**
   * Records {@code id}'s decision.
   *
   * @throws IllegalStateException naming its state when it is not pending
   * @throws UncheckedIOException if it cannot be written
   */
  public synchronized Proposal decide(String id, State to, String by, long atMillis,
      String comment, long version) {
    Proposal p = find(id).orElseThrow(() -> new IllegalArgumentException("no proposal " + id));
    if (p.state() != State.PENDING) {
      throw new IllegalStateException(id + " is already " + p.state());
    }
    append(new Line(null, id, to, by, atMillis, comment, version));
    Proposal decided = p.decided(to, by, atMillis, comment, version);
    proposals.put(id, decided);
    return decided;
  }

  /** The proposal {@code id}. */
  public synchronized Optional<Proposal> find(String id) {
    return Optional.ofNullable(proposals.get(id));
  }

  /** Every proposal, oldest first. */
  public synchronized List<Proposal> all() {
    return new ArrayList<>(proposals.values());
  }

  private void append(Line line) {
    try {
      ForcedLines.append(JSON, file, line);
    } catch (IOException e) {
      throw new UncheckedIOException("policy proposals in " + file + ": " + e.getMessage(), e);
    }
  }
}
