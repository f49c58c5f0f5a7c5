package dev.vigil.features.profile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.Event.Channel;
import dev.vigil.features.event.Event.CheckDeposit;
import dev.vigil.features.event.Event.ContactChannel;
import dev.vigil.features.event.Event.Direction;
import dev.vigil.features.event.Event.Endorsement;
import dev.vigil.features.event.Event.Money;
import dev.vigil.features.event.Event.Transaction;
import dev.vigil.features.event.EventCodec;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * No history of valid events makes a profile record larger than the profiles topic takes: the
 * state a fold keeps is bounded whatever the events, so one producer cannot stop a fold for
 * everyone. Worst cases: every identifier at its maximum length, every event on the same few
 * entities, thousands of distinct merchants, devices, countries, checks and promises, extreme
 * amounts, two years of event times in any order.
 */
class ProfileBoundsProperties {
  /** A generous bound on one profile record, far under the topic's 1 MB message limit. */
  static final int BOUND = 64 * 1024;
  static final long DAY = 86_400_000L;
  static final long T0 = 1_767_225_600_000L; // 2026-01-01

  @Property(tries = 6)
  void aProfileStaysBoundedWhateverTheHistory(@ForAll long seed) {
    var random = new SplittableRandom(seed);
    var book = new ProfileBook(ProfileSettings.DEFAULT);
    String[] accounts = {longId('a', 0), longId('a', 1)};
    String customer = longId('c', 0);
    String micrPayer = longId('p', 0);
    long clock = T0;
    for (int i = 0; i < 4_000; i++) {
      clock += random.nextLong(4 * 3_600_000L); // about two years over the run
      long at = clock - random.nextLong(2 * DAY); // out of order, within the horizon
      String account = accounts[random.nextInt(accounts.length)];
      Event.Kind kind = switch (random.nextInt(9)) {
        case 0, 1, 2 -> new Transaction(money(random), random.nextBoolean() ? Direction.DEBIT
            : Direction.CREDIT, Channel.values()[random.nextInt(Channel.values().length)],
            hotOrNot(random, 'm'), "6011", country(random), hotOrNot(random, 'd'),
            longId('x', i), null);
        case 3 -> new CheckDeposit(longId('k', i), money(random), "021000021",
            random.nextBoolean() ? micrPayer : longId('p', i), "1001",
            random.nextBoolean() ? longId('i', 0) : longId('i', i), Endorsement.MISSING,
            longId('d', random.nextInt(5_000)));
        case 4 -> new Event.Payment(longId('y', i), money(random), random.nextBoolean(),
            "R".repeat(EventCodec.MAX_CODE_LENGTH));
        case 5 -> new Event.Statement(money(random), money(random), at + DAY, money(random));
        case 6 -> new Event.PromiseToPay(money(random), at + 1 + random.nextLong(60 * DAY));
        case 7 -> new Event.ContactAttempt(ContactChannel.values()[random.nextInt(4)],
            random.nextBoolean());
        default -> new Event.FraudReport(longId('x', random.nextInt(Math.max(1, i))),
            longId('m', random.nextInt(5_000)), at - random.nextLong(60 * DAY),
            random.nextBoolean());
      };
      book.fold(new Event(longId('e', i), at, account, customer, kind));
    }
    var codec = new ProfileCodec(ProfileSettings.DEFAULT);
    for (Map.Entry<EntityKey, Profile> e : book.all().entrySet()) {
      int size = codec.encode(e.getValue()).length
          + e.getKey().toString().getBytes(StandardCharsets.UTF_8).length;
      assertThat(size).as("%s after %d events", e.getKey().type(), e.getValue().version())
          .isLessThan(BOUND);
    }
  }

  /** An identifier of the maximum length, distinct per {@code n}. */
  static String longId(char kind, int n) {
    String suffix = kind + "-" + n;
    return "z".repeat(EventCodec.MAX_ID_LENGTH - suffix.length()) + suffix;
  }

  /** Half the time the one hot merchant or device, else one of thousands. */
  static String hotOrNot(SplittableRandom random, char kind) {
    return longId(kind, random.nextBoolean() ? 0 : random.nextInt(5_000));
  }

  static Money money(SplittableRandom random) {
    long units = random.nextBoolean() ? EventCodec.MAX_AMOUNT
        : 1 + random.nextLong(EventCodec.MAX_AMOUNT);
    return new Money(units, "USD");
  }

  static String country(SplittableRandom random) {
    return "" + (char) ('A' + random.nextInt(26)) + (char) ('A' + random.nextInt(26));
  }
}
