package dev.vigil.history.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * How every picocli command of {@code ./vigil} runs: {@code -V/--version} prints the build's
 * version ({@link BuildVersion}), and an error is one line on standard error, {@code vigil
 * <command>: <cause> (<option or file>); <what to do>}, without a stack trace or a usage dump
 * ({@value #VERBOSE} adds the trace). Exit codes: 2 for a usage error (an option missing, a value
 * refused), 1 for a failure the user can fix (a missing file, data that cannot make what was
 * asked); an unexpected exception still prints its trace (a bug to report, not a user's error).
 * The line goes to System.err as it is when the error happens (a command line's own error writer
 * can be replaced while a subcommand runs).
 */
public final class ToolCommandLine {
  /** What users type, and what every usage line starts with. */
  public static final String PROGRAM = "./vigil";
  /** The option that adds the stack trace to an error line, on every command. */
  public static final String VERBOSE = "--verbose";
  /** Exit code of a usage error. */
  public static final int USAGE = 2;
  /** Exit code of a failure. */
  public static final int FAILURE = 1;

  private ToolCommandLine() {}

  /**
   * Configures {@code line} and every subcommand it holds now (add subcommands first): the
   * version provider, {@value #VERBOSE}, and the one-line error handlers.
   */
  public static CommandLine configure(CommandLine line) {
    var version = new BuildVersion();
    for (CommandLine c : tree(line)) {
      CommandSpec spec = c.getCommandSpec();
      spec.versionProvider(version);
      if (spec.findOption(VERBOSE) == null) {
        spec.addOption(OptionSpec.builder(VERBOSE).type(boolean.class).arity("0")
            .description("On an error, print its stack trace too.").build());
      }
    }
    for (CommandLine c : tree(line)) {
      handleErrors(c);
    }
    return line;
  }

  /**
   * {@code command} run on its own as {@code ./vigil <name>} (named so, its usage lines and errors
   * say what the user types), configured. A tree that adds it as a subcommand names it {@code
   * <name>} again first.
   */
  public static CommandLine standalone(String name, CommandLine command) {
    command.getCommandSpec().name(PROGRAM + " " + name);
    return configure(command);
  }

  /** One-line errors for what {@code line} runs (a command or a subcommand run directly). */
  private static void handleErrors(CommandLine line) {
    line.setParameterExceptionHandler((e, args) -> {
      CommandLine failed = located(line, e.getCommandLine());
      PrintWriter err = new PrintWriter(System.err);
      err.println(name(failed) + ": " + e.getMessage() + "; see "
          + failed.getCommandSpec().qualifiedName(" ") + " --help");
      if (Arrays.asList(args).contains(VERBOSE)) {
        e.printStackTrace(err);
      }
      err.flush();
      return USAGE;
    });
    line.setExecutionExceptionHandler((e, command, parsed) -> {
      CommandLine failed = located(line, command);
      String cause = cause(e, failed.getCommandSpec());
      if (cause == null) {
        throw e;
      }
      PrintWriter err = new PrintWriter(System.err);
      err.println(name(failed) + ": " + cause);
      if (verbose(parsed)) {
        e.printStackTrace(err);
      }
      err.flush();
      return FAILURE;
    });
  }

  /** {@code line} and its subcommands, depth first, each command before its subcommands. */
  public static List<CommandLine> tree(CommandLine line) {
    var all = new ArrayList<CommandLine>();
    all.add(line);
    for (CommandLine sub : line.getSubcommands().values()) {
      if (!all.contains(sub)) {
        all.addAll(tree(sub));
      }
    }
    return all;
  }

  /** How an error names the command: {@code vigil models train}. */
  static String name(CommandLine command) {
    String qualified = command.getCommandSpec().qualifiedName(" ");
    return qualified.startsWith("./") ? qualified.substring(2) : qualified;
  }

  /**
   * The command of {@code root}'s tree that runs {@code given}'s user object: a command that
   * throws a ParameterException built with a new CommandLine of itself is named as the user typed
   * it, not by its bare name.
   */
  static CommandLine located(CommandLine root, CommandLine given) {
    if (given.getParent() != null || given == root) {
      return given;
    }
    for (CommandLine c : tree(root)) {
      if (c.getCommand() == given.getCommand()) {
        return c;
      }
    }
    return given;
  }

  static boolean verbose(ParseResult parsed) {
    for (ParseResult p = parsed; p != null; p = p.subcommand()) {
      if (p.hasMatchedOption(VERBOSE)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The line an expected failure prints after the command's name, or null for an unexpected one:
   * a file that is missing or cannot be read, named with the option that gave it; an
   * IllegalArgumentException's or IllegalStateException's message (data that cannot make what
   * was asked).
   */
  static String cause(Throwable e, CommandSpec command) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof NoSuchFileException missing) {
        return "no such file: " + missing.getFile() + given(missing.getFile(), command)
            + "; check the path (a relative path resolves in the directory ./vigil was run in)";
      }
      if (t instanceof AccessDeniedException denied) {
        return "permission denied: " + denied.getFile() + given(denied.getFile(), command)
            + "; check the file's permissions";
      }
    }
    if (e instanceof IOException || e instanceof UncheckedIOException
        || e instanceof IllegalArgumentException || e instanceof IllegalStateException) {
      return e.getMessage() == null ? e.toString() : e.getMessage();
    }
    return null;
  }

  /** " (--option)" when one of the command's options or parameters holds {@code file}. */
  static String given(String file, CommandSpec command) {
    if (file == null) {
      return "";
    }
    Path missing = Path.of(file).toAbsolutePath().normalize();
    var args = new ArrayList<ArgSpec>(command.options());
    args.addAll(command.positionalParameters());
    for (ArgSpec arg : args) {
      Object value = arg.getValue();
      var values = value instanceof List<?> list ? list : List.of(value == null ? "" : value);
      for (Object v : values) {
        if (v instanceof Path p && p.toAbsolutePath().normalize().equals(missing)) {
          return " (" + (arg instanceof OptionSpec o ? o.longestName() : arg.paramLabel()) + ")";
        }
      }
    }
    return "";
  }
}
