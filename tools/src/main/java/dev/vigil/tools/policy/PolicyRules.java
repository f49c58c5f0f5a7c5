package dev.vigil.tools.policy;

import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.scoring.policy.Decision;
import dev.vigil.scoring.policy.DepositAction;
import dev.vigil.scoring.policy.Policy;
import dev.vigil.scoring.policy.Segment;
import dev.vigil.scoring.policy.TransactionAction;

/** A task's part of a policy, and its decisions by name. */
final class PolicyRules {
  private PolicyRules() {}

  static Policy.Rules<?> of(Policy policy, Task task) {
    return switch (task) {
      case FRAUD -> policy.transaction();
      case DEPOSIT -> policy.deposit();
      case DELINQUENCY, CURE, ROLL -> policy.delinquency();
    };
  }

  /**
   * The decision {@code name} spells for {@code task}.
   *
   * @throws IllegalArgumentException naming the value when the task has no such decision
   */
  static Decision decision(Task task, String name) {
    try {
      return switch (task) {
        case FRAUD -> TransactionAction.valueOf(name);
        case DEPOSIT -> DepositAction.valueOf(name);
        case DELINQUENCY, CURE, ROLL -> Segment.valueOf(name);
      };
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("decision: " + name + " is no " + task.id()
          + " decision");
    }
  }
}
