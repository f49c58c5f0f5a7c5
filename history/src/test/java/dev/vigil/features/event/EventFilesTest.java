package dev.vigil.features.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.features.event.EventFiles.BadEventFileException;
import dev.vigil.features.event.EventFiles.OnBadLine;
import dev.vigil.history.simulator.Simulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventFilesTest {
  @TempDir Path dir;

  @Test
  void writesAndReadsBackEveryEventPlainOrGzipped() throws Exception {
    var events = new ArrayList<Event>();
    new Simulator(Simulator.Config.of(3, 50, 10)).run(events::add);
    for (String name : List.of("events.jsonl", "events.jsonl.gz")) {
      Path file = dir.resolve(name);
      try (var writer = new EventFiles.EventWriter(file)) {
        events.forEach(writer);
      }
      var back = new ArrayList<Event>();
      var report = EventFiles.read(file, OnBadLine.FAIL, back::add);
      assertThat(back).isEqualTo(events);
      assertThat(report.events()).isEqualTo(events.size());
      assertThat(report.badLines()).isZero();
      // the time range, against a scan of the events written
      assertThat(report.firstMillis()).isEqualTo(
          events.stream().mapToLong(Event::timeMillis).min().orElseThrow());
      assertThat(report.lastMillis()).isEqualTo(
          events.stream().mapToLong(Event::timeMillis).max().orElseThrow());
    }
  }

  @Test
  void badLinesAreReportedWithTheirNumberAndSkippedOrFatalAsChosen() throws Exception {
    Path file = dir.resolve("mixed.jsonl");
    Files.write(file, List.of(
        "{\"eventId\":\"e1\",\"eventTime\":\"2026-01-01T10:00:00Z\",\"accountId\":\"a1\","
            + "\"hardshipFlag\":{\"active\":true}}",
        "not json at all",
        "",
        "{\"eventId\":\"e2\",\"eventTime\":\"2026-01-01T10:00:00Z\",\"accountId\":\"a1\","
            + "\"transaction\":{\"amount\":{\"minorUnits\":\"100\",\"currency\":\"US\"},"
            + "\"direction\":\"DIRECTION_DEBIT\",\"channel\":\"TRANSACTION_CHANNEL_ATM\"}}",
        "{\"eventId\":\"e3\",\"eventTime\":\"2026-01-01T10:00:00Z\",\"accountId\":\"a1\","
            + "\"colour\":\"blue\",\"hardshipFlag\":{\"active\":false}}",
        "{\"eventId\":\"e4\",\"eventTime\":\"2026-01-01T11:00:00Z\",\"accountId\":\"a1\","
            + "\"hardshipFlag\":{\"active\":false}}"));

    var kept = new ArrayList<Event>();
    var report = EventFiles.read(file, OnBadLine.SKIP, kept::add);
    assertThat(kept).extracting(Event::eventId).containsExactly("e1", "e4");
    assertThat(report.badLines()).isEqualTo(3);
    assertThat(report.firstBadLines()).extracting(EventFiles.BadLine::lineNumber)
        .containsExactly(2L, 4L, 5L);
    assertThat(report.firstBadLines().get(1).field())
        .isEqualTo("event.transaction.amount.currency");
    assertThat(report.firstBadLines().get(2).reason()).contains("colour");

    assertThatThrownBy(() -> EventFiles.read(file, OnBadLine.FAIL, e -> { }))
        .isInstanceOf(BadEventFileException.class)
        .hasMessageContaining("line 2");
  }
}
