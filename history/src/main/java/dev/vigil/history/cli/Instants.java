package dev.vigil.history.cli;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import picocli.CommandLine;

/** How every Vigil command line reads a time: a date (its midnight, UTC) or an RFC 3339 instant. */
public final class Instants {
  private Instants() {}

  /**
   * {@code 2005-10-01} (midnight UTC) or {@code 2005-10-01T06:00:00Z}.
   *
   * @throws CommandLine.TypeConversionException naming the text, for picocli to report
   */
  public static Instant parse(String text) {
    try {
      return text.contains("T") ? Instant.parse(text)
          : LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
    } catch (DateTimeParseException e) {
      throw new CommandLine.TypeConversionException("'" + text + "' is neither a date"
          + " (2005-10-01) nor an instant (2005-10-01T06:00:00Z)");
    }
  }
}
