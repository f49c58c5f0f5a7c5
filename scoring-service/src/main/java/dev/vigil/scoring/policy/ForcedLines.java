package dev.vigil.scoring.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * A JSON Lines file whose every line is forced to disk as it is appended (the kept policy
 * versions and the proposals): a last line torn by a crash mid-append is an append that never
 * completed, cut off when the file is read.
 */
final class ForcedLines {
  private ForcedLines() {}

  /**
   * The file's whole lines, line {@code i + 1} at index {@code i} (blank ones included); none
   * when it does not exist. A torn last line is cut off the file first.
   */
  static List<String> read(Path file) throws IOException {
    if (!Files.exists(file)) {
      return List.of();
    }
    byte[] bytes = Files.readAllBytes(file);
    int end = bytes.length;
    while (end > 0 && bytes[end - 1] != '\n') {
      end--;
    }
    if (end < bytes.length) {
      try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
        c.truncate(end);
        c.force(true);
      }
    }
    return List.of(new String(bytes, 0, end, StandardCharsets.UTF_8).split("\n"));
  }

  /** Line {@code i + 1} of {@code file} as a {@code type}; a damaged one refused naming it. */
  static <T> T parse(ObjectMapper json, Path file, int i, String line, Class<T> type)
      throws IOException {
    try {
      return json.readValue(line, type);
    } catch (JsonProcessingException e) {
      throw new IOException(file + " line " + (i + 1) + ": " + e.getOriginalMessage());
    }
  }

  /** Appends {@code value} as one JSON line and forces it to disk. */
  static void append(ObjectMapper json, Path file, Object value) throws IOException {
    byte[] bytes = (json.writeValueAsString(value) + "\n").getBytes(StandardCharsets.UTF_8);
    try (FileChannel c = FileChannel.open(file, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
      c.write(ByteBuffer.wrap(bytes));
      c.force(true);
    }
  }
}
