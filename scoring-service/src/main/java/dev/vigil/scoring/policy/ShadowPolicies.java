package dev.vigil.scoring.policy;

import dev.vigil.features.event.EventCodec;
import dev.vigil.proto.v1.PolicyRef;
import dev.vigil.proto.v1.ShadowPolicy;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Draft policies running beside the serving one on live traffic, each until a time or a number
 * of decisions, whichever comes first. Each shadow's text is kept as a policy version that never
 * serves ({@link PolicyVersions#keepShadow}), so that its decisions can be replayed. The serving
 * path reads {@link #running()} (a volatile array, empty without a shadow) and claims a decision
 * of each ({@link Shadow#claim}); what a shadow decides is recorded, never answered. At most
 * {@link #MAX_RUNNING} run at once on a replica: each costs every call its rules' evaluation.
 */
public final class ShadowPolicies {
  /** The most shadows running at once. */
  public static final int MAX_RUNNING = 2;
  private static final long NOT_ENDED = Long.MIN_VALUE;
  private static final Shadow[] NONE = new Shadow[0];

  /** One shadow: its policy, its bounds, what it did so far. */
  public final class Shadow {
    private final String id;
    private final Policy policy;
    private final PolicyVersions.Kept kept;
    private final PolicyRef ref;
    private final String startedBy;
    private final long startedAtMillis;
    private final long untilMillis;
    private final long maxDecisions;
    private final AtomicLong decisions = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private volatile long endedAtMillis = NOT_ENDED;
    private volatile String endReason = "";

    private Shadow(String id, Policy policy, PolicyVersions.Kept kept, String startedBy,
        long startedAtMillis, long untilMillis, long maxDecisions) {
      this.id = id;
      this.policy = policy;
      this.kept = kept;
      this.ref = PolicyRef.newBuilder().setVersion(kept.version()).setSha256(kept.sha256())
          .build();
      this.startedBy = startedBy;
      this.startedAtMillis = startedAtMillis;
      this.untilMillis = untilMillis;
      this.maxDecisions = maxDecisions;
    }

    public String id() {
      return id;
    }

    public Policy policy() {
      return policy;
    }

    /** Its kept version, as the audit record names it. */
    public PolicyRef ref() {
      return ref;
    }

    public long decisions() {
      return decisions.get();
    }

    public long errors() {
      return errors.get();
    }

    public boolean running() {
      return endedAtMillis == NOT_ENDED;
    }

    /**
     * Takes one decision of this shadow for a call at {@code nowMillis}: false (and the shadow
     * ends) once its time is up or its decisions are spent. The decision that spends the last one
     * is made, and ends it.
     */
    public boolean claim(long nowMillis) {
      if (endedAtMillis != NOT_ENDED) {
        return false;
      }
      if (nowMillis >= untilMillis) {
        end(this, nowMillis, "until reached");
        return false;
      }
      long n = decisions.incrementAndGet();
      if (maxDecisions > 0 && n > maxDecisions) {
        decisions.decrementAndGet(); // another call took the last one
        return false;
      }
      if (maxDecisions > 0 && n == maxDecisions) {
        end(this, nowMillis, "max_decisions reached");
      }
      return true;
    }

    /** A claimed decision that failed (no decision recorded, the error instead). */
    public void failed() {
      errors.incrementAndGet();
    }

    /** Its state as PolicyAdmin shows it. */
    public ShadowPolicy wire() {
      var out = ShadowPolicy.newBuilder().setId(id)
          .setState(running() ? ShadowPolicy.State.RUNNING : ShadowPolicy.State.ENDED)
          .setVersion(kept.version()).setSha256(kept.sha256()).setLabel(policy.version())
          .setStartedBy(startedBy).setStartedAt(EventCodec.timestamp(startedAtMillis))
          .setUntil(EventCodec.timestamp(untilMillis)).setMaxDecisions(maxDecisions)
          .setDecisions(decisions.get()).setErrors(errors.get());
      long ended = endedAtMillis;
      if (ended != NOT_ENDED) {
        out.setEndedAt(EventCodec.timestamp(ended)).setEndReason(endReason);
      }
      return out.build();
    }
  }

  private final PolicyVersions versions;
  private final Clock clock;
  private final List<Shadow> all = new ArrayList<>();
  private volatile Shadow[] running = NONE;

  /**
   * @param versions where each shadow's text is kept
   * @param clock when a shadow starts and ends
   */
  public ShadowPolicies(PolicyVersions versions, Clock clock) {
    this.versions = versions;
    this.clock = clock;
  }

  /** The shadows running now; empty (the same array) when there are none. */
  public Shadow[] running() {
    return running;
  }

  /** The clock the shadows' bounds are judged on. */
  public Clock clock() {
    return clock;
  }

  /** The refusal of a shadow that cannot start: {@link #field} names what is wrong. */
  public static final class RefusedException extends Exception {
    private final boolean full;

    RefusedException(String message, boolean full) {
      super(message);
      this.full = full;
    }

    /** True when it was refused only because {@link #MAX_RUNNING} run already. */
    public boolean full() {
      return full;
    }
  }

  /**
   * Starts running {@code yaml} in shadow, by {@code caller}, until {@code untilMillis} or {@code
   * maxDecisions} decisions (0: no count).
   *
   * @throws RefusedException naming the field when it does not validate, or when {@link
   *     #MAX_RUNNING} run already
   */
  public synchronized Shadow start(String yaml, String caller, long untilMillis,
      long maxDecisions) throws RefusedException {
    long now = clock.millis();
    if (yaml == null || yaml.isBlank()) {
      throw new RefusedException("policy_yaml: is required", false);
    }
    Policy policy;
    try {
      policy = Policy.parse(yaml);
    } catch (Policy.InvalidPolicyException e) {
      throw new RefusedException("policy_yaml: " + e.getMessage(), false);
    }
    if (untilMillis <= now) {
      throw new RefusedException("until: must be after now (" + Instant.ofEpochMilli(now)
          + "), got " + Instant.ofEpochMilli(untilMillis), false);
    }
    if (maxDecisions < 0) {
      throw new RefusedException("max_decisions: must be 0 (none) or more, got "
          + maxDecisions, false);
    }
    if (running.length >= MAX_RUNNING) {
      throw new RefusedException("policy_yaml: " + running.length + " shadows run already, the"
          + " most at once; stop one first", true);
    }
    PolicyVersions.Kept kept = versions.keepShadow(yaml.getBytes(StandardCharsets.UTF_8),
        policy.version(), caller, now);
    var shadow = new Shadow("shadow-" + (all.size() + 1), policy, kept, caller, now,
        untilMillis, maxDecisions);
    all.add(shadow);
    Shadow[] next = Arrays.copyOf(running, running.length + 1);
    next[next.length - 1] = shadow;
    running = next;
    return shadow;
  }

  /** Ends shadow {@code id} now; empty when there is none by that id. */
  public synchronized Optional<Shadow> stop(String id, String caller) {
    Optional<Shadow> found = find(id);
    found.filter(Shadow::running).ifPresent(s -> end(s, clock.millis(), "stopped by " + caller));
    return found;
  }

  public synchronized Optional<Shadow> find(String id) {
    return all.stream().filter(s -> s.id.equals(id)).findFirst();
  }

  /** Every shadow started since this replica started, oldest first. */
  public synchronized List<Shadow> all() {
    return List.copyOf(all);
  }

  private synchronized void end(Shadow shadow, long atMillis, String why) {
    if (shadow.endedAtMillis != NOT_ENDED) {
      return;
    }
    shadow.endReason = why;
    shadow.endedAtMillis = atMillis;
    running = Arrays.stream(running).filter(s -> s != shadow).toArray(Shadow[]::new);
  }
}
