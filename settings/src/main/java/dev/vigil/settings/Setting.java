package dev.vigil.settings;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One setting, declared once: its key, its type (how a value is read and what values are valid),
 * its default and what it means. Parsing, the errors a bad value gets, {@code --help} and the
 * docs' reference all read the declaration.
 *
 * <p>A value that cannot be read, or is read but not valid, is refused with an error that names
 * the key and the value and says what was expected: {@code vigil.port: "abc" is not an integer
 * (0-65535)}.
 *
 * @param <T> the type of the setting's value
 */
public final class Setting<T> {
  private final String key;
  private final String type;
  private final String expected;
  private final Function<String, T> reader;
  private final Predicate<T> valid;
  private final Function<T, String> format;
  private final T defaultValue;
  private final String defaultText;
  private final String description;

  private Setting(String key, String type, String expected, Function<String, T> reader,
      Predicate<T> valid, Function<T, String> format, T defaultValue, String defaultText,
      String description) {
    if (key == null || key.isBlank() || !key.equals(key.trim()) || key.startsWith("-")) {
      throw new IllegalArgumentException("a setting's key must be a non-blank word not starting"
          + " with '-', not \"" + key + "\"");
    }
    this.key = key;
    this.type = type;
    this.expected = expected;
    this.reader = reader;
    this.valid = valid;
    this.format = format;
    this.description = Objects.requireNonNull(description, "description");
    this.defaultValue = defaultValue;
    if (defaultValue != null && !valid.test(defaultValue)) {
      throw new IllegalArgumentException(key + ": the default " + format.apply(defaultValue)
          + " is not " + expected);
    }
    this.defaultText = defaultText != null ? defaultText
        : defaultValue == null ? "(none)" : format.apply(defaultValue);
  }

  /** An integer from {@code min} to {@code max} (both included). */
  public static Setting<Integer> integer(String key, int defaultValue, int min, int max,
      String description) {
    String range = max == Integer.MAX_VALUE ? min + " or more" : min + "-" + max;
    return new Setting<>(key, "integer (" + range + ")", "an integer (" + range + ")",
        Integer::valueOf, v -> v >= min && v <= max, String::valueOf, defaultValue, null,
        description);
  }

  /** A whole number from {@code min} up (a count, a size in some unit). */
  public static Setting<Long> count(String key, long defaultValue, long min,
      String description) {
    String range = min + " or more";
    return new Setting<>(key, "integer (" + range + ")", "an integer (" + range + ")",
        Long::valueOf, v -> v >= min, String::valueOf, defaultValue, null, description);
  }

  /** A decimal number from {@code min} up. */
  public static Setting<Double> decimal(String key, double defaultValue, double min,
      String description) {
    String range = trim(min) + " or more";
    return new Setting<>(key, "number (" + range + ")", "a number (" + range + ")",
        raw -> {
          double v = Double.parseDouble(raw);
          return Double.isFinite(v) ? v : null;
        }, v -> v >= min, Setting::trim, defaultValue, null, description);
  }

  /**
   * {@code true} or {@code false} (any case). On a command line {@code --key} alone means true
   * and {@code --no-key} false.
   */
  public static Setting<Boolean> flag(String key, boolean defaultValue, String description) {
    return new Setting<>(key, "boolean", "true or false", raw -> switch (lower(raw)) {
      case "true" -> true;
      case "false" -> false;
      default -> null;
    }, v -> true, String::valueOf, defaultValue, null, description);
  }

  /** A non-blank text (a host, a topic, a URI). */
  public static Setting<String> text(String key, String defaultValue, String description) {
    return new Setting<>(key, "text", "a non-blank text", raw -> raw.isEmpty() ? null : raw,
        v -> !v.isBlank(), v -> v, defaultValue, null, description);
  }

  /** A file or directory path. */
  public static Setting<Path> path(String key, Path defaultValue, String description) {
    return new Setting<>(key, "path", "a path", raw -> raw.isEmpty() ? null : Path.of(raw),
        v -> true, Path::toString, defaultValue, null, description);
  }

  /**
   * A path that may be left unset (its value then null; a blank value unsets it too).
   *
   * @param whenUnset what an unset value means, as {@code --help} and the reference show it in
   *     place of a default ({@code "<state-dir>/policy.yaml"})
   */
  public static Setting<Path> optionalPath(String key, String whenUnset, String description) {
    return new Setting<>(key, "path", "a path", Setting::optionalPath, v -> true,
        Path::toString, null, whenUnset, description);
  }

  /** A duration in whole milliseconds, {@code min} or more. */
  public static Setting<Duration> millis(String key, Duration defaultValue, Duration min,
      String description) {
    return duration(key, defaultValue, min, ChronoUnit.MILLIS, "milliseconds", description);
  }

  /**
   * A duration in whole seconds, {@code min} or more ({@code min} may be finer: {@code
   * Duration.ofMillis(1)} refuses 0 seconds and lets code give 300 ms).
   */
  public static Setting<Duration> seconds(String key, Duration defaultValue, Duration min,
      String description) {
    return duration(key, defaultValue, min, ChronoUnit.SECONDS, "seconds", description);
  }

  /**
   * One of a few words (any case), each standing for a value.
   *
   * @param choices the words, in the order {@code --help} lists them, and their values
   */
  public static <T> Setting<T> oneOf(String key, T defaultValue, Map<String, T> choices,
      String description) {
    var words = new LinkedHashMap<String, T>();
    choices.forEach((word, value) -> words.put(lower(word), value));
    String list = String.join(", ", words.keySet());
    Function<T, String> format = value -> words.entrySet().stream()
        .filter(e -> e.getValue().equals(value)).map(Map.Entry::getKey).findFirst()
        .orElse(String.valueOf(value));
    return new Setting<>(key, String.join(" | ", words.keySet()), "one of " + list,
        raw -> words.get(lower(raw)), words::containsValue, format, defaultValue, null,
        description);
  }

  private static Setting<Duration> duration(String key, Duration defaultValue, Duration min,
      ChronoUnit unit, String unitName, String description) {
    // the least whole number of units at or above min (a value given in code, finer than the
    // unit, is checked against min itself)
    long nanos = unit.getDuration().toNanos();
    long least = Math.floorDiv(min.toNanos() + nanos - 1, nanos);
    String range = least + " or more";
    return new Setting<>(key, unitName + " (" + range + ")",
        "a whole number of " + unitName + " (" + range + ")",
        raw -> Duration.of(Long.parseLong(raw), unit), v -> v.compareTo(min) >= 0,
        v -> String.valueOf(unit == ChronoUnit.SECONDS ? v.toSeconds() : v.toMillis()),
        defaultValue, null, description);
  }

  public String key() {
    return key;
  }

  /** The type as {@code --help} and the reference show it: {@code integer (0-65535)}. */
  public String type() {
    return type;
  }

  /** The default, or null when the setting has none (unset). */
  public T defaultValue() {
    return defaultValue;
  }

  /** The default as a user would write it, or what an unset value means. */
  public String defaultText() {
    return defaultText;
  }

  public String description() {
    return description;
  }

  /** True for a setting that a command line may give without a value ({@code --key}). */
  public boolean isFlag() {
    return "boolean".equals(type);
  }

  /**
   * Reads {@code raw} (trimmed).
   *
   * @throws SettingException naming the key and the value when it cannot be read or is not
   *     valid: {@code vigil.port: "abc" is not an integer (0-65535)}
   */
  public T parse(String raw) {
    Objects.requireNonNull(raw, key);
    T value;
    try {
      value = reader.apply(raw.trim());
    } catch (NumberFormatException | ArithmeticException | InvalidPathException e) {
      value = null;
    }
    if (value == null) {
      if (defaultValue == null && raw.isBlank()) {
        return null; // an optional setting, unset
      }
      throw new SettingException(key + ": \"" + raw + "\" is not " + expected);
    }
    if (!valid.test(value)) {
      throw new SettingException(key + ": \"" + raw + "\" is not " + expected);
    }
    return value;
  }

  /**
   * Checks a value given in code, as {@link #parse} checks one read from text.
   *
   * @throws SettingException naming the key and the value when it is not valid
   */
  public T check(T value) {
    if (value == null) {
      if (defaultValue == null) {
        return null;
      }
      throw new SettingException(key + ": a value is needed (" + expected + ")");
    }
    if (!valid.test(value)) {
      throw new SettingException(key + ": \"" + format.apply(value) + "\" is not " + expected);
    }
    return value;
  }

  /** {@code value} as a user would write it. */
  public String format(T value) {
    return value == null ? "" : format.apply(value);
  }

  @Override
  public String toString() {
    return key;
  }

  private static String trim(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }

  private static String lower(String raw) {
    return raw.trim().toLowerCase(Locale.ROOT);
  }

  private static Path optionalPath(String raw) {
    return raw.isEmpty() ? null : Path.of(raw);
  }
}
