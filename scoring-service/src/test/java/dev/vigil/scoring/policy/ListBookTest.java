package dev.vigil.scoring.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.Event.Channel;
import dev.vigil.features.event.Event.CheckDeposit;
import dev.vigil.features.event.Event.Direction;
import dev.vigil.features.event.Event.Endorsement;
import dev.vigil.features.event.Event.Money;
import dev.vigil.features.event.Event.Transaction;
import dev.vigil.features.profile.FeatureInputs;
import dev.vigil.scoring.policy.Listing.Entity;
import dev.vigil.scoring.policy.Listing.Kind;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lists as they stand at an instant: an entry applies from its addition until (not at) the
 * earlier of its expiry and its removal, on the clock the caller reads; a call's memberships name
 * the lists and entries that matched; the JSON Lines export loads back into the same book.
 */
class ListBookTest {
  static final Instant ADDED = Instant.parse("2026-11-24T15:00:00Z");

  @TempDir Path dir;

  /** A clock a test moves. */
  static final class TestClock extends Clock {
    private volatile Instant now;

    TestClock(Instant now) {
      this.now = now;
    }

    void set(Instant instant) {
      now = instant;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  static Listing entry(String id, String list, Kind kind, Entity entity, String value,
      Instant expires) {
    return new Listing(id, list, kind, entity, value, "seen in a fraud ring", "analyst",
        ADDED.toEpochMilli(), expires == null ? Listing.NEVER : expires.toEpochMilli(),
        Listing.NEVER, "", "");
  }

  static Event purchase(String account, String device, String merchant) {
    return new Event("e-1", ADDED.toEpochMilli(), account, "c-1", new Transaction(
        new Money(2_500, "USD"), Direction.DEBIT, Channel.CARD_PRESENT, merchant, "5411", "US",
        device, ""));
  }

  @Test
  void anEntryAppliesFromItsAdditionUntilNotAtItsExpiry() {
    Instant expires = ADDED.plus(Duration.ofDays(30));
    ListBook book = ListBook.of(List.of(entry("le-1", "fraud-ring", Kind.BLOCK, Entity.DEVICE,
        "d-9", expires)));
    ListedEntities call = ListedEntities.of(purchase("a-1", "d-9", "m-1"));
    var clock = new TestClock(ADDED.minusMillis(1));

    // before it was added
    assertThat(book.memberships(clock.millis(), call)).isSameAs(ListMemberships.NONE);
    // at its addition, and a millisecond before its expiry
    clock.set(ADDED);
    assertThat(book.memberships(clock.millis(), call)).isEqualTo(new ListMemberships(true,
        false, List.of("fraud-ring"), List.of("le-1")));
    clock.set(expires.minusMillis(1));
    assertThat(book.memberships(clock.millis(), call).block()).isTrue();
    // at its expiry, and after
    clock.set(expires);
    assertThat(book.memberships(clock.millis(), call)).isSameAs(ListMemberships.NONE);
    clock.set(expires.plus(Duration.ofDays(1)));
    assertThat(book.memberships(clock.millis(), call)).isSameAs(ListMemberships.NONE);
  }

  @Test
  void aRemovalEndsAnEntryFromThenOnButNotBefore() {
    Listing added = entry("le-1", "fraud-ring", Kind.BLOCK, Entity.ACCOUNT, "a-1", null);
    Instant removedAt = ADDED.plus(Duration.ofHours(2));
    ListBook book = ListBook.of(List.of(added))
        .with(List.of(added.removed(removedAt.toEpochMilli(), "approver", "cleared")));
    ListedEntities call = ListedEntities.of(purchase("a-1", "d-1", "m-1"));

    assertThat(book.entries()).singleElement().satisfies(l -> {
      assertThat(l.removedBy()).isEqualTo("approver");
      assertThat(l.removalReason()).isEqualTo("cleared");
    });
    // the book answers as of any instant: a backtest or replay of an earlier event still sees it
    assertThat(book.memberships(ADDED.plus(Duration.ofHours(1)).toEpochMilli(), call).block())
        .isTrue();
    assertThat(book.memberships(removedAt.toEpochMilli(), call))
        .isSameAs(ListMemberships.NONE);
  }

  @Test
  void membershipsNameEveryListAndEntryThatMatchedOnEachEntityOfTheCall() {
    ListBook book = ListBook.of(List.of(
        entry("le-3", "vip", Kind.ALLOW, Entity.CUSTOMER, "c-1", null),
        entry("le-1", "fraud-ring", Kind.BLOCK, Entity.MERCHANT, "m-bad", null),
        entry("le-2", "fraud-ring", Kind.BLOCK, Entity.DEVICE, "d-9", null),
        entry("le-4", "mules", Kind.BLOCK, Entity.ACCOUNT, "a-other", null),
        entry("le-5", "bad-banks", Kind.BLOCK, Entity.ROUTING_NUMBER, "011000015", null),
        entry("le-6", "bad-checks", Kind.BLOCK, Entity.CHECK_FINGERPRINT, "image:img-7", null)));
    long at = ADDED.toEpochMilli();

    ListMemberships tx = book.memberships(at, ListedEntities.of(purchase("a-1", "d-9", "m-bad")));
    assertThat(tx).isEqualTo(new ListMemberships(true, true, List.of("fraud-ring", "vip"),
        List.of("le-1", "le-2", "le-3")));
    // a value of one entity is not another entity's: a merchant id equal to a device id
    assertThat(book.memberships(at, ListedEntities.of(purchase("a-1", "m-bad", "d-9"))).names())
        .containsExactly("vip");

    var deposit = new Event("e-2", at, "a-2", "", new CheckDeposit("dep-1",
        new Money(10_000, "USD"), "011000015", "payer-fp", "1001", "img-7",
        Endorsement.RESTRICTIVE, ""));
    assertThat(book.memberships(at, ListedEntities.of(deposit))).isEqualTo(new ListMemberships(
        true, false, List.of("bad-banks", "bad-checks"), List.of("le-5", "le-6")));

    // a delinquency call has no event: its account and customer keys
    var keys = FeatureInputs.keysForAccount("a-other", "c-1");
    assertThat(book.memberships(at, ListedEntities.of(null, keys)).names())
        .containsExactly("mules", "vip");
  }

  @Test
  void theExportLoadsBackIntoTheSameBook() throws Exception {
    Listing first = entry("le-1", "fraud-ring", Kind.BLOCK, Entity.DEVICE, "d-9",
        ADDED.plus(Duration.ofDays(3)));
    ListBook book = ListBook.of(List.of(first,
        entry("le-2", "vip", Kind.ALLOW, Entity.CUSTOMER, "c-1", null)))
        .with(List.of(first.removed(ADDED.plusSeconds(60).toEpochMilli(), "approver", "mistake")));
    var out = new StringWriter();
    book.export(out);
    Path file = dir.resolve("lists.jsonl");
    Files.writeString(file, out.toString());

    ListBook loaded = ListBook.load(file);
    assertThat(loaded.entries()).isEqualTo(book.entries());

    // a change log with an entry's states in order: the latest wins
    Files.writeString(file, ListBook.jsonLine(first) + "\n\n" + ListBook.jsonLine(
        first.removed(ADDED.plusSeconds(5).toEpochMilli(), "x", "y")) + "\n");
    assertThat(ListBook.load(file).entries()).singleElement()
        .satisfies(l -> assertThat(l.removedBy()).isEqualTo("x"));

    Files.writeString(file, ListBook.jsonLine(first) + "\n{\"id\": \"le-9\"}\n");
    assertThatThrownBy(() -> ListBook.load(file)).hasMessageContaining("line 2: list: is"
        + " required");
  }
}
