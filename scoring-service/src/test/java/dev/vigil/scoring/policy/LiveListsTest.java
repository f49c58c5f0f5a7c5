package dev.vigil.scoring.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.scoring.policy.Listing.Entity;
import dev.vigil.scoring.policy.Listing.Kind;
import dev.vigil.testkit.EmbeddedKafka;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * The lists' log on a real broker: a replica started before its topic exists serves no entries
 * and follows the topic once it does; a change published through one replica is served by it on
 * return and by the other once read; a replica started later reads every change from the
 * beginning, each entry in its latest state.
 */
class LiveListsTest {
  static final Instant ADDED = Instant.parse("2026-11-24T15:00:00Z");

  static Properties client(EmbeddedKafka kafka) {
    Properties p = kafka.clientProperties();
    p.put("bootstrap.servers", kafka.bootstrapServers());
    return p;
  }

  @Test
  void everyReplicaServesTheLogFromItsBeginning() throws Exception {
    try (var kafka = new EmbeddedKafka()) {
      Duration wait = Duration.ofSeconds(30);
      long started = System.nanoTime();
      try (var early = new LiveLists(client(kafka), "vigil.lists", wait)) {
        System.out.printf("a replica without its topic started in %d ms%n",
            (System.nanoTime() - started) / 1_000_000);
        assertThat(early.book().entries()).isEmpty();
        kafka.createTopic("vigil.lists", 1, true);
        try (var a = new LiveLists(client(kafka), "vigil.lists", wait)) {
          Listing entry = ListBookTest.entry("le-1", "fraud-ring", Kind.BLOCK, Entity.DEVICE,
              "dev-1", null);
          a.publish(entry, wait);
          // read back before publish returns: the caller sees its own change
          assertThat(a.book().entry("le-1")).contains(entry);
          Listing removed = entry.removed(ADDED.plusSeconds(60).toEpochMilli(), "admin", "gone");
          a.publish(removed, wait);
          assertThat(a.book().entry("le-1")).contains(removed);
          ListsReplicationTest.await(() -> early.book().entry("le-1").equals(
              Optional.of(removed)), "the replica started first follows the topic");
        }
        try (var late = new LiveLists(client(kafka), "vigil.lists", wait)) {
          // read to the end before the constructor returns
          assertThat(late.book().entries()).singleElement().satisfies(l ->
              assertThat(l.removedBy()).isEqualTo("admin"));
        }
      }
    }
  }
}
