package dev.vigil.settings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The docs' settings reference ({@code docs/settings.md}): one generated section per program,
 * between {@code <!-- BEGIN generated: NAME -->} and {@code <!-- END generated: NAME -->}, each
 * program's build checking (and, asked to, rewriting) its own section only.
 */
public final class Reference {
  private Reference() {}

  /**
   * {@code document} with section {@code name} holding {@code content}: replaced where the
   * section is, appended at the end when it is not there yet.
   */
  public static String withSection(String document, String name, String content) {
    String begin = "<!-- BEGIN generated: " + name + " -->\n";
    String end = "<!-- END generated: " + name + " -->\n";
    int from = document.indexOf(begin);
    int to = document.indexOf(end);
    if (from < 0 || to < from) {
      String sep = document.isEmpty() || document.endsWith("\n\n") ? ""
          : document.endsWith("\n") ? "\n" : "\n\n";
      return document + sep + begin + content + end;
    }
    return document.substring(0, from) + begin + content + document.substring(to);
  }

  /**
   * What {@code file} would hold with section {@code name} up to date; when {@code rewrite},
   * also writes it there.
   *
   * @return the file's text as it should be (compare with the file's text to find it stale)
   */
  public static String update(Path file, String name, String content, boolean rewrite)
      throws IOException {
    String now = Files.exists(file) ? Files.readString(file) : "";
    String wanted = withSection(now, name, content);
    if (rewrite && !wanted.equals(now)) {
      Files.writeString(file, wanted);
    }
    return wanted;
  }
}
