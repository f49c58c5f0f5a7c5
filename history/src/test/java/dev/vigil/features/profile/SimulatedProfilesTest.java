package dev.vigil.features.profile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.Event.CheckDeposit;
import dev.vigil.features.event.Event.Transaction;
import dev.vigil.history.simulator.Simulator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Profiles folded from simulated books: arrival order within half an hour, serialisation. */
class SimulatedProfilesTest {
  private static final long MIN = 60_000L;
  private static final ProfileSettings SETTINGS = ProfileSettings.DEFAULT;

  @Test
  void transactionFeaturesDoNotDependOnArrivalOrderWithinHalfAnHour() {
    var events = new ArrayList<Event>();
    new Simulator(Simulator.Config.of(21, 300, 20)).run(e -> {
      if (e.kind() instanceof Transaction || e.kind() instanceof CheckDeposit) {
        events.add(e);
      }
    });
    var inOrder = new ProfileBook(SETTINGS);
    events.forEach(inOrder::fold);
    // shuffle within 30-minute blocks (LateEventsProperties delays events by up to 300 days)
    var shuffled = new ArrayList<Event>();
    var random = new Random(4);
    for (int i = 0; i < events.size(); ) {
      long block = events.get(i).timeMillis() / (30 * MIN);
      int j = i;
      while (j < events.size() && events.get(j).timeMillis() / (30 * MIN) == block) {
        j++;
      }
      var part = new ArrayList<>(events.subList(i, j));
      Collections.shuffle(part, random);
      shuffled.addAll(part);
      i = j;
    }
    var outOfOrder = new ProfileBook(SETTINGS);
    shuffled.forEach(outOfOrder::fold);
    var codec = new ProfileCodec(SETTINGS);
    assertThat(outOfOrder.all().keySet()).isEqualTo(inOrder.all().keySet());
    for (var key : inOrder.all().keySet()) {
      assertThat(Arrays.equals(codec.encode(outOfOrder.get(key)), codec.encode(inOrder.get(key))))
          .as("%s: same state whatever the arrival order", key).isTrue();
    }
  }

  @Test
  void profilesSurviveSerialisationAndATypicalAccountIsSmall() {
    var book = new ProfileBook(SETTINGS);
    var events = new ArrayList<Event>();
    new Simulator(Simulator.Config.of(8, 400, 120)).run(events::add);
    events.forEach(book::fold);
    var codec = new ProfileCodec(SETTINGS);
    var accountSizes = new ArrayList<Integer>();
    long asOf = events.get(events.size() - 1).timeMillis();
    for (var entry : book.all().entrySet()) {
      byte[] bytes = codec.encode(entry.getValue());
      Profile copy = codec.decode(bytes);
      assertThat(Arrays.equals(codec.encode(copy), bytes)).as("%s round trip", entry.getKey())
          .isTrue();
      assertThat(copy.version()).isEqualTo(entry.getValue().version());
      if (entry.getKey().type() == EntityType.ACCOUNT) {
        accountSizes.add(bytes.length);
        var original = new FeatureInputs(asOf, null, (AccountProfile) entry.getValue(), null,
            null, null, null, null);
        var restored = new FeatureInputs(asOf, null, (AccountProfile) copy, null, null, null,
            null, null);
        assertThat(FeatureCatalogue.DELINQUENCY.vector(restored))
            .containsExactly(FeatureCatalogue.DELINQUENCY.vector(original));
        assertThat(FeatureCatalogue.FRAUD.vector(restored))
            .containsExactly(FeatureCatalogue.FRAUD.vector(original));
      }
    }
    Collections.sort(accountSizes);
    int median = accountSizes.get(accountSizes.size() / 2);
    assertThat(median).as("median serialised account profile, bytes").isLessThanOrEqualTo(2048);
  }
}
