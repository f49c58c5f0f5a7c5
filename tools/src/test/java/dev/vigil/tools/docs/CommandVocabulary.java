package dev.vigil.tools.docs;

import dev.vigil.tools.cli.Vigil;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * What {@code ./vigil} accepts, read from the code: its commands are the {@code case} labels of the
 * {@code vigil} script; a command's options are those of the picocli command it runs (its
 * CommandSpec in {@code Vigil}'s tree, in process), the streaming job's those its settings declare (the generated job
 * table of docs/settings.md, which {@code ProfileJobCliTest} keeps equal to {@code
 * JobSettings.SETTINGS}), and a hand-parsed main's those its source names.
 * Script-only commands (up, test, build, dist and the benchmarks) take positional arguments only.
 */
final class CommandVocabulary {
  /** One command or subcommand: its options, and its subcommands by name. */
  record Command(String name, Set<String> options, Map<String, Command> subcommands) {
    Command {
      options = Set.copyOf(options);
      subcommands = Map.copyOf(subcommands);
    }

    /** A script-only command: positional arguments, and the script's own --help and -V. */
    static Command positionalOnly(String name) {
      return new Command(name, Set.of("--help", "-h", "--version", "-V"), Map.of());
    }
  }

  private static final Pattern CASE_LABEL = Pattern.compile("^  ([a-z][a-z|-]*)\\)");
  private static final Pattern OPTION_LITERAL = Pattern.compile("(?<![\\w-])(--[a-z][a-z0-9-]*)");
  private static final Pattern JOB_OPTION_ROW = Pattern.compile("^\\| `(--[a-z][a-z0-9-]*)` \\| ([a-z]+)");

  private final Map<String, Command> commands;

  private CommandVocabulary(Map<String, Command> commands) {
    this.commands = commands;
  }

  /** The commands of the checkout at ROOT. */
  static CommandVocabulary of(Path root) throws IOException {
    Map<String, Command> picocli = new HashMap<>();
    // every picocli command is one tree, the one the script and the release's bin/vigil run
    Vigil.commandLine().getSubcommands().forEach((name, line) ->
        picocli.put(name, fromSpec(name, line.getCommandSpec())));
    picocli.put("job", jobFromSettings(root.resolve("docs/settings.md")));
    picocli.put("chaos", fromSource("chaos", root.resolve(
        "e2e/src/test/java/dev/vigil/e2e/Chaos.java")));
    picocli.put("cluster-check", fromSource("cluster-check", root.resolve(
        "e2e/src/test/java/dev/vigil/e2e/cluster/ClusterCheck.java")));

    Map<String, Command> commands = new TreeMap<>();
    for (String label : scriptCommands(root.resolve("vigil"))) {
      commands.put(label, picocli.getOrDefault(label, Command.positionalOnly(label)));
    }
    return new CommandVocabulary(commands);
  }

  /** The top-level {@code case} labels of the vigil script: the commands it runs. */
  static Set<String> scriptCommands(Path script) throws IOException {
    Set<String> labels = new LinkedHashSet<>();
    for (String line : Files.readAllLines(script)) {
      Matcher m = CASE_LABEL.matcher(line);
      if (m.find()) {
        labels.addAll(List.of(m.group(1).split("\\|")));
      }
    }
    return labels;
  }

  Set<String> commandNames() {
    return commands.keySet();
  }

  /**
   * What is wrong with a documented command line (its words after {@code ./vigil}): an unknown
   * command, subcommand or option, each named; empty when it exists as written.
   */
  List<String> problems(List<String> words) {
    List<String> problems = new ArrayList<>();
    String first = words.get(0);
    if (!first.matches("[a-z][a-z0-9-]*")) {
      return problems; // a placeholder (<command>, COMMAND) or the script's own --help
    }
    Command command = commands.get(first);
    if (command == null) {
      problems.add("./vigil " + first + ": no such command (the vigil script has "
          + String.join(", ", commands.keySet()) + ")");
      return problems;
    }
    String shown = "./vigil " + first;
    int i = 1;
    // subcommands, however deep (./vigil policy lists add)
    while (!command.subcommands().isEmpty() && i < words.size()
        && !words.get(i).startsWith("-")) {
      String sub = words.get(i);
      if (!sub.matches("[a-z][a-z0-9-]*")) {
        return problems; // a placeholder (verify|token, SUB, ...): its options are not checked
      }
      Command subcommand = command.subcommands().get(sub);
      if (subcommand == null) {
        problems.add(shown + " " + sub + ": no such subcommand (" + shown + " has "
            + String.join(", ", new TreeMap<>(command.subcommands()).keySet()) + ")");
        return problems;
      }
      command = subcommand;
      shown += " " + sub;
      i++;
    }
    for (; i < words.size(); i++) {
      String option = optionIn(words.get(i));
      if (option != null && !command.options().contains(option)) {
        problems.add(shown + ": " + option + " is not an option of it"
            + (command.options().isEmpty() ? " (it takes none)"
                : " (it has " + String.join(", ", new TreeSet<>(command.options()))
                    + ")"));
      }
    }
    return problems;
  }

  /** The option a word names ({@code --name}, {@code --name=value}, {@code [--name}), or null. */
  static String optionIn(String word) {
    String w = word.replaceAll("^[\\[(\"']+", "");
    Matcher m = Pattern.compile("^(--[a-z][a-z0-9-]*)(=.*|[\\]),.:\"']*)$").matcher(w);
    return m.matches() ? m.group(1) : null;
  }

  private static Command fromSpec(String name, CommandSpec spec) {
    Set<String> options = new LinkedHashSet<>();
    for (OptionSpec option : spec.options()) {
      for (String n : option.names()) {
        options.add(n);
      }
    }
    options.addAll(spec.negatedOptionsMap().keySet());
    Map<String, Command> subcommands = new HashMap<>();
    spec.subcommands().forEach((n, line) -> subcommands.put(n, fromSpec(n, line.getCommandSpec())));
    return new Command(name, options, subcommands);
  }

  /**
   * A hand-parsed main's options: every {@code --option} its source names (its parsing, its usage
   * and error messages; lax, but read from the code).
   */
  private static Command fromSource(String name, Path source) throws IOException {
    Set<String> options = new LinkedHashSet<>();
    Matcher m = OPTION_LITERAL.matcher(Files.readString(source));
    while (m.find()) {
      options.add(m.group(1));
    }
    return new Command(name, options, Map.of());
  }

  /** The job's options: the generated job table (boolean ones also as --no-option), --help. */
  private static Command jobFromSettings(Path settingsPage) throws IOException {
    String page = Files.readString(settingsPage);
    int begin = page.indexOf("<!-- BEGIN generated: job -->");
    int end = page.indexOf("<!-- END generated: job -->");
    if (begin < 0 || end < begin) {
      throw new IllegalStateException(settingsPage + " has no generated job section");
    }
    Set<String> options = new LinkedHashSet<>(List.of("--help"));
    for (String line : page.substring(begin, end).split("\n")) {
      Matcher m = JOB_OPTION_ROW.matcher(line);
      if (m.find()) {
        options.add(m.group(1));
        if (m.group(2).equals("boolean")) {
          options.add("--no-" + m.group(1).substring(2));
        }
      }
    }
    return new Command("job", options, Map.of());
  }
}
