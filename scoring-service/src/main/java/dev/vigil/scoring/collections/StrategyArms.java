package dev.vigil.scoring.collections;

import dev.vigil.proto.v1.StrategyArm;
import dev.vigil.proto.v1.StrategyAssignment;
import dev.vigil.scoring.policy.Policy;
import dev.vigil.scoring.policy.Segment;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.Optional;

/**
 * Which collections strategy an account gets when the policy tests a challenger: the account's
 * bucket, the first 8 bytes of SHA-256 of {@code experiment + "/" + account id} read as a fraction
 * of 2^64, is below the challenger's share. The same account is in the same arm on every call, on
 * every replica and after every restart, and a new experiment name draws the arms anew. Serving,
 * replay and the simulated book ({@code ./vigil collections simulate}) all assign here.
 */
public final class StrategyArms {
  private StrategyArms() {}

  /** Champion or challenger, mapped to the wire's {@code vigil.v1.StrategyArm} here only. */
  public enum Arm {
    CHAMPION(StrategyArm.STRATEGY_ARM_CHAMPION),
    CHALLENGER(StrategyArm.STRATEGY_ARM_CHALLENGER);

    private final StrategyArm wire;

    Arm(StrategyArm wire) {
      this.wire = wire;
    }

    public StrategyArm wire() {
      return wire;
    }

    /** The arm a record names; refused naming the value for UNSPECIFIED and unknown ones. */
    public static Arm of(StrategyArm wire) {
      for (Arm a : values()) {
        if (a.wire == wire) {
          return a;
        }
      }
      throw new IllegalArgumentException("strategy.arm: " + wire + " names no arm");
    }
  }

  /**
   * An account's strategy: its arm's name, rules and treatment overrides (none for the champion,
   * whose treatments are the planner's own).
   */
  public record Strategy(String experiment, String name, Arm arm, Policy.Rules<Segment> rules,
      Map<Segment, TreatmentAction> treatments) {

    /** The assignment as the answer and the audit record carry it. */
    public StrategyAssignment wire() {
      return StrategyAssignment.newBuilder().setExperiment(experiment).setStrategy(name)
          .setArm(arm.wire()).build();
    }
  }

  /** {@code accountId}'s bucket in {@code experiment}: uniform in [0, 1), stable. */
  public static double bucket(String experiment, String accountId) {
    byte[] digest;
    try {
      digest = MessageDigest.getInstance("SHA-256")
          .digest((experiment + "/" + accountId).getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
    long high = 0;
    for (int i = 0; i < 8; i++) {
      high = (high << 8) | (digest[i] & 0xFF);
    }
    // the top 53 bits, exactly representable: [0, 1)
    return (high >>> 11) * 0x1.0p-53;
  }

  /** The strategy {@code policy} gives {@code accountId}. */
  public static Strategy assign(Policy policy, String accountId) {
    Optional<Policy.Challenger> challenger = policy.delinquencyChallenger();
    if (challenger.isPresent()
        && bucket(challenger.get().experiment(), accountId) < challenger.get().share()) {
      return of(policy, Arm.CHALLENGER);
    }
    return of(policy, Arm.CHAMPION);
  }

  /**
   * The strategy of {@code arm} in {@code policy} (replay: the arm a record names).
   *
   * @throws IllegalArgumentException for the challenger of a policy that has none
   */
  public static Strategy of(Policy policy, Arm arm) {
    Optional<Policy.Challenger> challenger = policy.delinquencyChallenger();
    String experiment = challenger.map(Policy.Challenger::experiment).orElse("");
    if (arm == Arm.CHAMPION) {
      return new Strategy(experiment, Policy.CHAMPION_STRATEGY, Arm.CHAMPION,
          policy.delinquency(), Map.of());
    }
    Policy.Challenger c = challenger.orElseThrow(() -> new IllegalArgumentException(
        "strategy.arm: CHALLENGER, but policy " + policy.version()
            + " has no delinquency_challenger"));
    return new Strategy(c.experiment(), c.name(), Arm.CHALLENGER, c.rules(), c.treatments());
  }
}
