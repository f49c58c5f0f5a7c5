package dev.vigil.features.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Function;

/** Checks an enum's wire mapping: every constant round trips, every other wire value is refused. */
public final class WireMapping {
  private WireMapping() {}

  /**
   * @param refused the wire values that name no constant (UNSPECIFIED, UNRECOGNIZED...)
   * @param field what the refusal's message starts with, before ": "
   */
  public static <E extends Enum<E>, W extends Enum<W>> void check(Class<E> type, Class<W> wireType,
      Function<E, W> wire, Function<W, E> of, Set<W> refused, String field) {
    var seen = new HashSet<W>();
    for (E e : type.getEnumConstants()) {
      W w = wire.apply(e);
      assertThat(w).as("%s has a wire value", e).isNotNull();
      assertThat(seen.add(w)).as("%s has a wire value of its own", e).isTrue();
      assertThat(refused).as("%s maps to a refused value", e).doesNotContain(w);
      assertThat(of.apply(w)).as("%s comes back from %s", e, w).isSameAs(e);
    }
    for (W w : wireType.getEnumConstants()) {
      if (refused.contains(w)) {
        assertThatThrownBy(() -> of.apply(w)).as("%s is refused", w)
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith(field + ": " + w.name() + " ");
      } else {
        assertThat(wire.apply(of.apply(w))).as("%s names a constant", w).isSameAs(w);
      }
    }
    assertThat(seen.size() + refused.size()).as("every wire value of %s is mapped or refused",
        wireType.getSimpleName()).isEqualTo(wireType.getEnumConstants().length);
    assertThat(Arrays.asList(wireType.getEnumConstants())).containsAll(refused);
  }
}
