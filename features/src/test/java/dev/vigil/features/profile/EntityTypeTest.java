package dev.vigil.features.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class EntityTypeTest {
  @Test
  void everyTypeHasItsOwnWireValueAndComesBackFromIt() {
    var seen = EnumSet.noneOf(dev.vigil.proto.v1.EntityType.class);
    for (EntityType type : EntityType.values()) {
      assertThat(type.wire().name()).isEqualTo("ENTITY_TYPE_" + type.name());
      assertThat(seen.add(type.wire())).as("%s has a wire value of its own", type).isTrue();
      assertThat(EntityType.of(type.wire())).isSameAs(type);
    }
  }

  @Test
  void everyWireValueButTheUnspecifiedNamesAType() {
    for (var wire : dev.vigil.proto.v1.EntityType.values()) {
      if (wire == dev.vigil.proto.v1.EntityType.ENTITY_TYPE_UNSPECIFIED
          || wire == dev.vigil.proto.v1.EntityType.UNRECOGNIZED) {
        assertThatThrownBy(() -> EntityType.of(wire))
            .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("entity_type: ");
      } else {
        assertThat(EntityType.of(wire).wire()).isSameAs(wire);
      }
    }
  }
}
