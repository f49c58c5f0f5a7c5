package dev.vigil.settings;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The settings of one program, in the order its {@code --help} and the docs' reference list them.
 * Reads values from text (a properties file, the environment, a command line), refusing a key
 * that is not declared, and describes every setting from its declaration.
 */
public final class Settings {
  private final String program;
  private final String summary;
  private final Map<String, Setting<?>> byKey = new LinkedHashMap<>();

  private Settings(String program, String summary, List<Setting<?>> settings) {
    this.program = program;
    this.summary = summary;
    for (Setting<?> s : settings) {
      if (byKey.put(s.key(), s) != null) {
        throw new IllegalArgumentException(s.key() + ": declared twice in " + program);
      }
    }
  }

  /**
   * @param program the program's name, as its usage line and errors give it
   * @param summary what the program does, in a sentence
   * @param groups the settings, group by group, in the order they are described
   */
  @SafeVarargs
  public static Settings of(String program, String summary, List<Setting<?>>... groups) {
    var all = new ArrayList<Setting<?>>();
    for (List<Setting<?>> group : groups) {
      all.addAll(group);
    }
    return new Settings(program, summary, all);
  }

  public String program() {
    return program;
  }

  /** Every setting, in order. */
  public List<Setting<?>> all() {
    return List.copyOf(byKey.values());
  }

  /** Every setting at its default. */
  public Values defaults() {
    return parse(Map.of());
  }

  /**
   * The values {@code given} (key to text) says, every other setting at its default.
   *
   * @throws SettingException naming the key (and the value) of the first key not declared or
   *     value not valid
   */
  public Values parse(Map<String, String> given) {
    for (String key : given.keySet()) {
      known(key, key);
    }
    var values = new LinkedHashMap<Setting<?>, Object>();
    for (Setting<?> s : byKey.values()) {
      String raw = given.get(s.key());
      values.put(s, raw == null ? s.defaultValue() : s.parse(raw));
    }
    return new Values(values);
  }

  /**
   * Every entry of the properties file a setting names ({@code file}, that setting's value).
   *
   * @throws SettingException naming the setting's key and the file when it cannot be read
   */
  public static Map<String, String> properties(Setting<?> setting, Path file) {
    try {
      return properties(file);
    } catch (IOException e) {
      throw new SettingException(setting.key() + ": \"" + file + "\" cannot be read: "
          + (e instanceof NoSuchFileException ? "no such file; check the path" : e));
    }
  }

  /** Every entry of a properties file, key to text. */
  public static Map<String, String> properties(Path file) throws IOException {
    var p = new Properties();
    try (Reader r = Files.newBufferedReader(file)) {
      p.load(r);
    }
    var entries = new LinkedHashMap<String, String>();
    for (String key : p.stringPropertyNames()) {
      entries.put(key, p.getProperty(key));
    }
    return entries;
  }

  /**
   * The settings an environment gives: for each declared key, the variable named after it
   * ({@link #environmentName}) when set and not blank. Other variables are not read (an
   * environment holds much besides), so a misspelt variable is not refused, only ignored.
   */
  public Map<String, String> environment(Map<String, String> env) {
    var given = new LinkedHashMap<String, String>();
    for (String key : byKey.keySet()) {
      String value = env.get(environmentName(key));
      if (value != null && !value.isBlank()) {
        given.put(key, value);
      }
    }
    return given;
  }

  /** {@code vigil.kafka.bootstrap-servers} → {@code VIGIL_KAFKA_BOOTSTRAP_SERVERS}. */
  public static String environmentName(String key) {
    return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  /**
   * A command line read: {@code --key value} and {@code --key=value} for any setting; {@code
   * --key} alone (true) and {@code --no-key} (false) for a flag; {@code -h} or {@code --help}.
   *
   * @param given the settings named, key to text
   * @param positional the words that are not options, in order
   * @param help whether help was asked for
   */
  public record Arguments(Map<String, String> given, List<String> positional, boolean help) {}

  /**
   * Reads a command line ({@link Arguments}).
   *
   * @throws SettingException naming the option when it is not declared, or lacks its value
   */
  public Arguments arguments(String... args) {
    var given = new LinkedHashMap<String, String>();
    var positional = new ArrayList<String>();
    boolean help = false;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("-h") || arg.equals("--help")) {
        help = true;
        continue;
      }
      if (!arg.startsWith("--") || arg.length() == 2) {
        positional.add(arg);
        continue;
      }
      String name = arg.substring(2);
      int eq = name.indexOf('=');
      if (eq >= 0) {
        given.put(known(name.substring(0, eq), "--" + name.substring(0, eq)).key(),
            name.substring(eq + 1));
        continue;
      }
      Setting<?> negated = name.startsWith("no-") ? byKey.get(name.substring(3)) : null;
      if (!byKey.containsKey(name) && negated != null && negated.isFlag()) {
        given.put(negated.key(), "false");
        continue;
      }
      Setting<?> s = known(name, arg);
      if (s.isFlag()) {
        given.put(s.key(), "true");
      } else if (i + 1 < args.length) {
        given.put(s.key(), args[++i]);
      } else {
        throw new SettingException(arg + ": a value is needed (" + s.type() + ")");
      }
    }
    return new Arguments(given, positional, help);
  }

  private Setting<?> known(String key, String asGiven) {
    Setting<?> s = byKey.get(key);
    if (s == null) {
      throw new SettingException(asGiven + ": unknown setting (" + program
          + " --help lists every setting)");
    }
    return s;
  }

  /**
   * What {@code --help} prints: the usage line, the summary, then each setting with its type,
   * default and description.
   *
   * @param usage how the program is called, after its name ({@code "[--option value]..."})
   * @param keyPrefix put before each key ({@code "--"} when keys are command-line options)
   * @param notes said after the summary (how values may be given), or empty
   */
  public String help(String usage, String keyPrefix, String notes) {
    var b = new StringBuilder();
    b.append("Usage: ").append(program).append(' ').append(usage).append("\n\n");
    wrap(b, summary, "");
    if (!notes.isEmpty()) {
      b.append('\n');
      wrap(b, notes, "");
    }
    b.append('\n');
    for (Setting<?> s : byKey.values()) {
      b.append("  ").append(keyPrefix).append(s.key());
      if (s.isFlag() && keyPrefix.equals("--")) {
        b.append(" | --no-").append(s.key());
      } else {
        b.append(" <").append(s.type()).append('>');
      }
      b.append('\n');
      wrap(b, s.description(), "      ");
      b.append("      Default: ").append(s.defaultText()).append(".\n");
    }
    return b.toString();
  }

  /**
   * The settings as a Markdown table (key, type, default, description), for the docs'
   * reference.
   *
   * @param keyPrefix put before each key ({@code "--"} when keys are command-line options)
   */
  public String reference(String keyPrefix) {
    var b = new StringBuilder();
    b.append("| Key | Type | Default | Description |\n");
    b.append("|---|---|---|---|\n");
    for (Setting<?> s : byKey.values()) {
      b.append("| `").append(keyPrefix).append(s.key()).append("` | ")
          .append(cell(s.type())).append(" | ").append(cell(s.defaultText())).append(" | ")
          .append(cell(s.description())).append(" |\n");
    }
    return b.toString();
  }

  private static String cell(String text) {
    return text.replace("|", "\\|").replace("\n", " ");
  }

  /** Appends {@code text} wrapped at 80 columns, each line after {@code indent}. */
  private static void wrap(StringBuilder b, String text, String indent) {
    int width = 80 - indent.length();
    var line = new StringBuilder();
    for (String word : text.split("\\s+")) {
      if (word.isEmpty()) {
        continue;
      }
      if (line.length() > 0 && line.length() + 1 + word.length() > width) {
        b.append(indent).append(line).append('\n');
        line.setLength(0);
      }
      line.append(line.length() > 0 ? " " : "").append(word);
    }
    if (line.length() > 0) {
      b.append(indent).append(line).append('\n');
    }
  }
}
