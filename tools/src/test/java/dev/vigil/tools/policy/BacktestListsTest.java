package dev.vigil.tools.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.Event.Channel;
import dev.vigil.features.event.Event.Direction;
import dev.vigil.features.event.Event.Money;
import dev.vigil.features.event.Event.Transaction;
import dev.vigil.features.profile.FeatureCatalogue;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.history.History;
import dev.vigil.models.training.DefaultModels;
import dev.vigil.registry.ModelRegistry;
import dev.vigil.scoring.model.ServedModel;
import dev.vigil.scoring.policy.ListBook;
import dev.vigil.scoring.policy.Listing;
import dev.vigil.scoring.policy.Listing.Entity;
import dev.vigil.scoring.policy.Listing.Kind;
import dev.vigil.scoring.policy.Policy;
import dev.vigil.scoring.reason.ReasonCatalogue;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backtest sees the allow and block lists as they stood at each event's time, from their
 * change log (the export the service writes): an entry decides the events after its addition and
 * before its expiry or removal, and none before or after; the export read back gives the same.
 */
class BacktestListsTest {
  private static final long DAY = 86_400_000L;
  private static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00Z

  @TempDir static Path dir;
  private static ServedModel fraud;
  private static Policy policy;

  @BeforeAll
  static void models() throws Exception {
    Path registry = Files.createDirectories(dir.resolve("models"));
    var models = new ModelRegistry(registry);
    DefaultModels.ensure(models, m -> { });
    String champion = models.roles(Task.FRAUD).champion();
    fraud = new ServedModel(champion, models.load(Task.FRAUD, champion), FeatureCatalogue.FRAUD);
    policy = Policy.parse(PolicyCommand.defaultPolicy());
  }

  private static Event purchase(String id, long at, String account, String merchant) {
    return new Event(id, at, account, "c-" + account, new Transaction(new Money(2_500, "USD"),
        Direction.DEBIT, Channel.CARD_PRESENT, merchant, "5411", "US", "d-" + account, ""));
  }

  private static Listing entry(String id, Entity entity, String value, long added, long expires,
      long removed) {
    return new Listing(id, "fraud-ring", Kind.BLOCK, entity, value, "seen in a fraud ring",
        "analyst", added, expires, removed, removed == Listing.NEVER ? "" : "analyst",
        removed == Listing.NEVER ? "" : "cleared");
  }

  /** Each backtested purchase's deciding rule, by event id. */
  private static Map<String, String> firstRules(ListBook lists) {
    var events = new ArrayList<Event>();
    for (int day = 1; day <= 6; day++) {
      events.add(purchase("a-1-day" + day, T0 + day * DAY + 3_600_000L, "a-1", "m-1"));
      events.add(purchase("a-2-day" + day, T0 + day * DAY + 7_200_000L, "a-2", "m-9"));
    }
    var first = new TreeMap<String, String>();
    new Backtest(policy, policy, Map.of(Task.FRAUD, fraud), ReasonCatalogue.load(),
        Set.of(Task.FRAUD), lists).run(History.of(events),
            new Backtest.Window(Long.MIN_VALUE, Long.MAX_VALUE, List.of(), Duration.ofDays(90)),
            c -> first.put(c.id(), c.baseline().first()));
    return first;
  }

  @Test
  void eachEventSeesTheListsAsTheyStoodAtItsTime() throws Exception {
    // account a-1 blocked from day 2 (at 00:00) until its expiry at day 4 (not at);
    // merchant m-9 blocked from day 3 until its removal at day 5
    ListBook lists = ListBook.of(List.of(
        entry("le-1", Entity.ACCOUNT, "a-1", T0 + 2 * DAY, T0 + 4 * DAY + 3_600_000L,
            Listing.NEVER),
        entry("le-2", Entity.MERCHANT, "m-9", T0 + 3 * DAY, Listing.NEVER, T0 + 5 * DAY)));

    Map<String, String> first = firstRules(lists);

    var blocked = new ArrayList<String>();
    first.forEach((id, rule) -> {
      if ("block-listed".equals(rule)) {
        blocked.add(id);
      }
    });
    // a-1 on day 4 at 01:00 is at its entry's expiry: no longer blocked
    assertThat(blocked).containsExactly("a-1-day2", "a-1-day3", "a-2-day3", "a-2-day4");
    assertThat(first).hasSize(12);

    // the service's export, read back, is the same change log
    var export = new StringWriter();
    lists.export(export);
    Path file = dir.resolve("lists.jsonl");
    Files.writeString(file, export.toString());
    assertThat(firstRules(ListBook.load(file))).isEqualTo(first);

    // and without the lists no purchase is block-listed
    assertThat(firstRules(ListBook.EMPTY).values()).doesNotContain("block-listed");
  }
}
