package dev.vigil.tools.docs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every {@code ./vigil ...} command line a Markdown page shows, in its fenced code blocks and its
 * inline code, with the page and line it starts on: what {@link CommandVocabulary} checks.
 */
final class DocumentedCommands {
  /** A command line a page shows: its words after {@code ./vigil}, and where. */
  record Usage(Path file, int line, List<String> words) {
    Usage {
      words = List.copyOf(words);
    }

    /** {@code file:line}, as a failure names it. */
    String where(Path root) {
      return root.relativize(file).toString().replace('\\', '/') + ":" + line;
    }
  }

  private static final Pattern VIGIL = Pattern.compile("(?<![\\w./-])\\./vigil(?=\\s|$)");
  private static final Pattern INLINE = Pattern.compile("`([^`]+)`");
  /** Where a shell command ends: a comment, a pipe or list operator, a redirection. */
  private static final Pattern END = Pattern.compile("\\s#|&&|\\|\\||;|\\s\\|\\s|\\s[12]?>|\\)$");

  private DocumentedCommands() {}

  /** The command lines of one Markdown file. */
  static List<Usage> in(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file);
    List<Usage> usages = new ArrayList<>();
    boolean fenced = false;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.strip().startsWith("```")) {
        fenced = !fenced;
        continue;
      }
      if (fenced) {
        // a command continued with a trailing backslash is one command
        int first = i;
        StringBuilder command = new StringBuilder(line);
        while (command.toString().stripTrailing().endsWith("\\") && i + 1 < lines.size()
            && !lines.get(i + 1).strip().startsWith("```")) {
          String text = command.toString().stripTrailing();
          command.setLength(0);
          command.append(text, 0, text.length() - 1).append(' ').append(lines.get(++i));
        }
        collect(file, first + 1, command.toString(), usages);
      } else {
        Matcher code = INLINE.matcher(line);
        while (code.find()) {
          collect(file, i + 1, code.group(1), usages);
        }
      }
    }
    return usages;
  }

  /** Each {@code ./vigil} command in TEXT, up to where its shell command ends. */
  private static void collect(Path file, int line, String text, List<Usage> usages) {
    Matcher vigil = VIGIL.matcher(text);
    List<Integer> starts = new ArrayList<>();
    while (vigil.find()) {
      starts.add(vigil.end());
    }
    for (int start : starts) {
      String rest = text.substring(start);
      Matcher end = END.matcher(rest);
      if (end.find()) {
        rest = rest.substring(0, end.start());
      }
      List<String> words = new ArrayList<>();
      for (String word : rest.strip().split("\\s+")) {
        if (!word.isEmpty()) {
          words.add(word);
        }
      }
      if (!words.isEmpty()) {
        usages.add(new Usage(file, line, words));
      }
    }
  }
}
