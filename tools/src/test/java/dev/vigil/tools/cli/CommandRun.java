package dev.vigil.tools.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/** One run of the {@code ./vigil} command tree in-process, with what it printed. */
public record CommandRun(int code, String out, String err) {

  /** Runs {@code args} through {@link Vigil#commandLine()}, capturing stdout and stderr. */
  public static CommandRun of(String... args) {
    var out = new StringWriter();
    var err = new StringWriter();
    CommandLine line = Vigil.commandLine();
    line.setOut(new PrintWriter(out, true));
    line.setErr(new PrintWriter(err, true));
    // error lines go to System.err itself
    var printed = new ByteArrayOutputStream();
    PrintStream previous = System.err;
    System.setErr(new PrintStream(printed, true, StandardCharsets.UTF_8));
    try {
      int code = line.execute(args);
      return new CommandRun(code, out.toString(), err + printed.toString(StandardCharsets.UTF_8));
    } finally {
      System.setErr(previous);
    }
  }
}
