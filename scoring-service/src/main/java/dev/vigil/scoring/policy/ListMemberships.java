package dev.vigil.scoring.policy;

import java.util.List;
import java.util.Map;

/**
 * The allow and block lists a call's entities are on at the call's time: what a policy condition
 * reads as its {@code lists} variable ({@code lists.block}, {@code lists.allow}, {@code
 * lists.names}) and what the audit record keeps of it.
 *
 * @param block an entity is on a block list
 * @param allow an entity is on an allow list
 * @param names the lists they are on, sorted, each once
 * @param entries the ids of the entries that matched, sorted (explanation only: no condition
 *     reads them)
 */
public record ListMemberships(boolean block, boolean allow, List<String> names,
    List<String> entries) {
  /** On no list. */
  public static final ListMemberships NONE = new ListMemberships(false, false, List.of(),
      List.of());

  /** {@link #NONE} as a condition reads it, made once. */
  private static final Map<String, Object> NONE_INPUT = input(NONE);

  public ListMemberships {
    names = List.copyOf(names);
    entries = List.copyOf(entries);
  }

  /** What a condition's {@code lists} variable holds. */
  public Map<String, Object> input() {
    return this == NONE ? NONE_INPUT : input(this);
  }

  private static Map<String, Object> input(ListMemberships m) {
    return Map.of("block", m.block, "allow", m.allow, "names", m.names);
  }
}
