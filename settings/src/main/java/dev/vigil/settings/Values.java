package dev.vigil.settings;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The values of a group of settings ({@link Settings}): every declared setting has one (its
 * default unless given), each checked by its declaration. Immutable; {@link #with} makes a copy.
 */
public final class Values {
  private final Map<Setting<?>, Object> values;

  Values(Map<Setting<?>, Object> values) {
    this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  /** The settings these are the values of, in order. */
  public List<Setting<?>> settings() {
    return List.copyOf(values.keySet());
  }

  /**
   * The value of {@code setting} (null for an optional setting left unset).
   *
   * @throws IllegalArgumentException if {@code setting} is not one of these values' settings
   */
  @SuppressWarnings("unchecked")
  public <T> T get(Setting<T> setting) {
    if (!values.containsKey(setting)) {
      throw new IllegalArgumentException(setting.key() + ": not one of these settings "
          + values.keySet());
    }
    return (T) values.get(setting);
  }

  /**
   * These values with {@code setting} set to {@code value}.
   *
   * @throws SettingException naming the key and the value when the value is not valid
   * @throws IllegalArgumentException if {@code setting} is not one of these values' settings
   */
  public <T> Values with(Setting<T> setting, T value) {
    get(setting);
    var copy = new LinkedHashMap<>(values);
    copy.put(setting, setting.check(value));
    return new Values(copy);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Values other && values.equals(other.values);
  }

  @Override
  public int hashCode() {
    return Objects.hash(values);
  }

  @Override
  public String toString() {
    var b = new StringBuilder("{");
    values.forEach((setting, value) -> {
      @SuppressWarnings("unchecked")
      var s = (Setting<Object>) setting;
      b.append(b.length() > 1 ? ", " : "").append(s.key()).append('=').append(s.format(value));
    });
    return b.append('}').toString();
  }
}
