package dev.vigil.history.training;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.Event.CheckDeposit;
import dev.vigil.features.event.Event.Direction;
import dev.vigil.features.event.Event.Transaction;
import dev.vigil.features.profile.EntityKey;
import dev.vigil.features.profile.FeatureCatalogue;
import dev.vigil.features.profile.FeatureInputs;
import dev.vigil.features.profile.Profile;
import dev.vigil.features.profile.ProfileBook;
import dev.vigil.features.profile.ProfileCodec;
import dev.vigil.features.profile.ProfileSettings;
import dev.vigil.history.simulator.Simulator;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Online equals offline, whatever the arrival order (issue 18). A history whose events arrive up to
 * ten minutes out of order is served the way the streaming job and the service serve it: each
 * transaction and deposit is scored on its arrival from the profiles of every event that arrived
 * before it, folded not in the file's order but as two Kafka partitions (keyed by account) happen
 * to interleave, and read back through the profile codec as the service reads the published
 * profiles. Every feature of every scored event must equal its training row's.
 */
class ArrivalOrderTest {
  private static final ProfileSettings SETTINGS = ProfileSettings.DEFAULT;
  private static final int PARTITIONS = 2;
  private static List<Event> arrivals;

  @BeforeAll
  static void history() {
    arrivals = new ArrayList<>();
    new Simulator(new Simulator.Config(19, 150, 45, Instant.parse("2026-01-01T00:00:00Z"),
        600_000L)).run(arrivals::add);
  }

  @Test
  void theHistoryReallyArrivesOutOfOrder() {
    long newest = Long.MIN_VALUE;
    int late = 0;
    for (Event e : arrivals) {
      if (e.timeMillis() < newest) {
        late++;
      }
      newest = Math.max(newest, e.timeMillis());
    }
    // the measure: about a third of events arrive after a later one
    assertThat((double) late / arrivals.size()).isGreaterThan(0.2);
  }

  @Test
  void everyFeatureOfEveryScoredEventIsWhatServingSaw() {
    long from = arrivals.stream().mapToLong(Event::timeMillis).min().orElseThrow()
        + 30L * 86_400_000L;
    Map<String, double[]> offline = new HashMap<>();
    TrainingSets.fraud(arrivals, SETTINGS, from, Long.MAX_VALUE).rows()
        .forEach(r -> offline.put(r.id(), r.values()));
    TrainingSets.deposits(arrivals, SETTINGS, from, Long.MAX_VALUE).rows()
        .forEach(r -> offline.put(r.id(), r.values()));

    var online = new ProfileBook(SETTINGS);
    var codec = new ProfileCodec(SETTINGS);
    var random = new Random(5);
    List<ArrayDeque<Integer>> partitions = new ArrayList<>();
    for (int i = 0; i < PARTITIONS; i++) {
      partitions.add(new ArrayDeque<>());
    }
    int compared = 0;
    int reordered = 0;
    for (int n = 0; n < arrivals.size(); n++) {
      Event e = arrivals.get(n);
      var catalogue = e.kind() instanceof Transaction t && t.direction() == Direction.DEBIT
          ? FeatureCatalogue.FRAUD
          : e.kind() instanceof CheckDeposit ? FeatureCatalogue.DEPOSIT : null;
      if (catalogue != null && e.timeMillis() >= from) {
        // the job has caught up with everything that arrived before: the partitions drain in an
        // interleaving of their own, each in its own order
        reordered += drain(partitions, online, random);
        FeatureInputs.Keys keys = FeatureInputs.keysFor(e);
        Map<EntityKey, Profile> published = new HashMap<>();
        for (EntityKey key : keys.list()) {
          Profile p = online.get(key);
          if (p != null) {
            published.put(key, codec.decode(codec.encode(p)));
          }
        }
        double[] served = catalogue.vector(
            FeatureInputs.assemble(e.timeMillis(), e, keys, published::get));
        double[] trained = offline.get(e.eventId());
        assertThat(trained).as("training row of %s", e.eventId()).isNotNull();
        for (int i = 0; i < served.length; i++) {
          assertThat(trained[i]).as("%s of %s (scored at %s)", catalogue.names().get(i),
              e.eventId(), Instant.ofEpochMilli(e.timeMillis()))
              .isEqualTo(served[i]);
        }
        compared++;
      }
      partitions.get(Math.floorMod(e.accountId().hashCode(), PARTITIONS)).add(n);
    }
    assertThat(compared).isGreaterThan(1_000);
    // the interleavings did change the fold order: the equality is not the file order's
    assertThat(reordered).isGreaterThan(100);
  }

  /**
   * Folds every queued event, picking partitions at random; returns how many were folded before
   * one that arrived earlier.
   */
  private static int drain(List<ArrayDeque<Integer>> partitions, ProfileBook book, Random random) {
    int reordered = 0;
    var heads = new ArrayList<ArrayDeque<Integer>>();
    for (var p : partitions) {
      if (!p.isEmpty()) {
        heads.add(p);
      }
    }
    int previous = -1;
    while (!heads.isEmpty()) {
      var p = heads.get(random.nextInt(heads.size()));
      int n = p.poll();
      if (p.isEmpty()) {
        heads.remove(p);
      }
      if (n < previous) {
        reordered++;
      }
      previous = n;
      book.fold(arrivals.get(n));
    }
    return reordered;
  }
}
