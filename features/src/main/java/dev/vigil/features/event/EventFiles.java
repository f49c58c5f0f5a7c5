package dev.vigil.features.event;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Event files: JSON Lines, one {@code vigil.v1.Event} per line in protobuf's canonical JSON
 * mapping, so that any team can bring its own history. A name ending in {@code .gz} is gzipped.
 *
 * <p>A bad line (not JSON, an unknown field, or an event that fails validation) is reported with
 * its line number, field and reason; the reader either skips it and counts it, or stops, as the
 * caller chooses. Blank lines are allowed. Nothing is dropped silently.
 */
public final class EventFiles {
  /** What to do with a bad line. */
  public enum OnBadLine { SKIP, FAIL }

  /** One bad line: where, which field, what is wrong. */
  public record BadLine(long lineNumber, String field, String reason) {
    @Override
    public String toString() {
      return "line " + lineNumber + ": " + field + ": " + reason;
    }
  }

  /** What a read did: events delivered, bad lines skipped, the first bad lines in detail. */
  /**
   * What a read found: the valid events, their earliest and latest event times (Long.MAX_VALUE
   * and Long.MIN_VALUE when there are none), and the bad lines.
   */
  public record ReadReport(long events, long firstMillis, long lastMillis, long badLines,
      List<BadLine> firstBadLines) {}

  /** A bad line with {@link OnBadLine#FAIL}. */
  public static final class BadEventFileException extends RuntimeException {
    private final BadLine badLine;

    public BadEventFileException(Path file, BadLine badLine) {
      super(file.getFileName() + ": " + badLine);
      this.badLine = badLine;
    }

    public BadLine badLine() {
      return badLine;
    }
  }

  private static final int KEEP_BAD_LINES = 100;

  private EventFiles() {}

  /** Reads every event of {@code file} in file order into {@code sink}. */
  public static ReadReport read(Path file, OnBadLine onBadLine, Consumer<Event> sink) {
    JsonFormat.Parser parser = JsonFormat.parser();
    long events = 0;
    long first = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;
    long bad = 0;
    var firstBad = new ArrayList<BadLine>();
    try (BufferedReader in = reader(file)) {
      String line;
      long number = 0;
      var builder = dev.vigil.proto.v1.Event.newBuilder();
      while ((line = in.readLine()) != null) {
        number++;
        if (line.isBlank()) {
          continue;
        }
        BadLine problem;
        try {
          builder.clear();
          parser.merge(line, builder);
          Event e = EventCodec.fromProto(builder.build(), Long.MAX_VALUE);
          sink.accept(e);
          events++;
          first = Math.min(first, e.timeMillis());
          last = Math.max(last, e.timeMillis());
          continue;
        } catch (InvalidProtocolBufferException e) {
          problem = new BadLine(number, "event", "not a vigil.v1.Event in JSON: " + e.getMessage());
        } catch (InvalidEventException e) {
          problem = new BadLine(number, e.field(), e.reason());
        }
        if (onBadLine == OnBadLine.FAIL) {
          throw new BadEventFileException(file, problem);
        }
        bad++;
        if (firstBad.size() < KEEP_BAD_LINES) {
          firstBad.add(problem);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    return new ReadReport(events, first, last, bad, List.copyOf(firstBad));
  }

  /** Reads a whole file into memory, in file order. */
  public static List<Event> readAll(Path file, OnBadLine onBadLine) {
    var events = new ArrayList<Event>();
    read(file, onBadLine, events::add);
    return events;
  }

  private static BufferedReader reader(Path file) throws IOException {
    var stream = Files.newInputStream(file);
    if (file.toString().endsWith(".gz")) {
      return new BufferedReader(new InputStreamReader(new GZIPInputStream(stream, 1 << 16),
          StandardCharsets.UTF_8), 1 << 16);
    }
    return new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8), 1 << 16);
  }

  /** Writes events as JSON Lines. */
  public static final class EventWriter implements AutoCloseable, Consumer<Event> {
    private final Writer out;
    private final JsonFormat.Printer printer =
        JsonFormat.printer().omittingInsignificantWhitespace();
    private long written;

    public EventWriter(Path file) throws IOException {
      Files.createDirectories(file.toAbsolutePath().getParent()); // var/ under a new directory
      var stream = Files.newOutputStream(file);
      this.out = new BufferedWriter(new OutputStreamWriter(
          file.toString().endsWith(".gz") ? new GZIPOutputStream(stream, 1 << 16) : stream,
          StandardCharsets.UTF_8), 1 << 16);
    }

    public void write(Event e) throws IOException {
      printer.appendTo(EventCodec.toProto(e), out);
      out.write('\n');
      written++;
    }

    @Override
    public void accept(Event e) {
      try {
        write(e);
      } catch (IOException x) {
        throw new UncheckedIOException(x);
      }
    }

    public long written() {
      return written;
    }

    @Override
    public void close() throws IOException {
      out.close();
    }
  }
}
