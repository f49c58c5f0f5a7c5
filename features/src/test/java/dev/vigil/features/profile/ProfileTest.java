package dev.vigil.features.profile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.features.event.Event;
import dev.vigil.features.event.Event.Channel;
import dev.vigil.features.event.Event.CheckDeposit;
import dev.vigil.features.event.Event.ConsentChange;
import dev.vigil.features.event.Event.ContactChannel;
import dev.vigil.features.event.Event.Direction;
import dev.vigil.features.event.Event.Endorsement;
import dev.vigil.features.event.Event.Money;
import dev.vigil.features.event.Event.Payment;
import dev.vigil.features.event.Event.PromiseToPay;
import dev.vigil.features.event.Event.Transaction;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProfileTest {
  static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00Z
  static final long MIN = 60_000L;
  static final long HOUR = 60 * MIN;
  static final long DAY = 24 * HOUR;
  static final ProfileSettings SETTINGS = ProfileSettings.DEFAULT;
  int ids;

  Event event(long at, String account, Event.Kind kind) {
    return new Event("e" + ids++, at, account, "c-" + account, kind);
  }

  static Money usd(long cents) {
    return new Money(cents, "USD");
  }

  static Transaction debit(long cents, String merchant) {
    return new Transaction(usd(cents), Direction.DEBIT, Channel.CARD_PRESENT, merchant, "5411",
        "US", "", "");
  }

  static CheckDeposit check(String depositId, String micrAccount, String image) {
    return new CheckDeposit(depositId, usd(50_000), "011000015", micrAccount, "1001", image,
        Endorsement.RESTRICTIVE, "");
  }

  @Test
  void theSameCheckOnAnotherAccountIsFlaggedAndCountedOnce() {
    var book = new ProfileBook(SETTINGS);
    book.fold(event(T0, "a1", check("d1", "payer-9", "img-1")));
    Event second = event(T0 + DAY, "a2", check("d2", "payer-9", "img-1"));
    FeatureInputs in = book.inputsFor(second);
    assertThat(value("check_seen_other_account", FeatureCatalogue.DEPOSIT, in)).isEqualTo(1);
    assertThat(value("check_seen_same_account", FeatureCatalogue.DEPOSIT, in)).isEqualTo(0);
    book.fold(second);
    // MICR line and image both matched: still one duplicate presentment on a2
    var after = book.inputsForAccount("a2", "", T0 + DAY + MIN);
    assertThat(after.account().duplicatePresentments.count(T0, T0 + 2 * DAY)).isEqualTo(1);
    var first = book.inputsForAccount("a1", "", T0 + DAY + MIN);
    assertThat(first.account().duplicatePresentments.count(T0, T0 + 2 * DAY)).isZero();
    // a replay of the same deposit is not a new presentment
    book.fold(new Event("replay", T0 + DAY, "a2", "", check("d2", "payer-9", "img-1")));
    assertThat(book.inputsForAccount("a2", "", T0 + 2 * DAY).account()
        .duplicatePresentments.count(T0, T0 + 2 * DAY)).isEqualTo(1);
  }

  @Test
  void aDuplicateIsFoundWhicheverDepositArrivesFirst() {
    var book = new ProfileBook(SETTINGS);
    // the later deposit (on a2) arrives first; the original (on a1) arrives late
    book.fold(event(T0 + DAY, "a2", check("d2", "payer-9", "img-1")));
    book.fold(event(T0, "a1", check("d1", "payer-9", "img-1")));
    long asOf = T0 + 2 * DAY;
    assertThat(book.inputsForAccount("a2", "", asOf).account()
        .duplicatePresentments.count(T0 - DAY, asOf)).isEqualTo(1);
    assertThat(book.inputsForAccount("a1", "", asOf).account()
        .duplicatePresentments.count(T0 - DAY, asOf)).isZero();
  }

  @Test
  void promisesAreKeptByPaymentsBeforeTheirDueTimeAndBrokenOtherwise() {
    var book = new ProfileBook(SETTINGS);
    book.fold(event(T0, "a1", new PromiseToPay(usd(10_000), T0 + 7 * DAY)));
    book.fold(event(T0 + DAY, "a1", new Payment("p1", usd(6_000), false, "")));
    book.fold(event(T0 + 2 * DAY, "a1", new Payment("p2", usd(4_000), false, "")));
    book.fold(event(T0 + 10 * DAY, "a1", new PromiseToPay(usd(5_000), T0 + 12 * DAY)));
    book.fold(event(T0 + 11 * DAY, "a1", new Payment("p3", usd(1_000), false, "")));
    long asOf = T0 + 13 * DAY;
    var in = book.inputsForAccount("a1", "", asOf);
    assertThat(value("promises_made_180d", FeatureCatalogue.DELINQUENCY, in)).isEqualTo(2);
    assertThat(value("promises_kept_180d", FeatureCatalogue.DELINQUENCY, in)).isEqualTo(1);
    assertThat(value("promises_broken_180d", FeatureCatalogue.DELINQUENCY, in)).isEqualTo(1);
    // before the second promise fell due it was neither kept nor broken
    var earlier = book.inputsForAccount("a1", "", T0 + 11 * DAY + HOUR);
    assertThat(value("promises_broken_180d", FeatureCatalogue.DELINQUENCY, earlier)).isZero();
  }

  @Test
  void theNewestConsentChangeWinsWhateverTheArrivalOrder() {
    var book = new ProfileBook(SETTINGS);
    book.fold(event(T0 + HOUR, "a1", new ConsentChange(ContactChannel.SMS, false))); // STOP
    book.fold(event(T0, "a1", new ConsentChange(ContactChannel.SMS, true))); // older grant, late
    book.fold(event(T0, "a1", new ConsentChange(ContactChannel.EMAIL, true)));
    var in = book.inputsForAccount("a1", "c-a1", T0 + 2 * HOUR);
    assertThat(value("consent_sms", FeatureCatalogue.DELINQUENCY, in)).isZero();
    assertThat(value("consent_email", FeatureCatalogue.DELINQUENCY, in)).isEqualTo(1);
    assertThat(value("consent_call", FeatureCatalogue.DELINQUENCY, in)).isZero();
  }

  @Test
  void eventsOlderThanTheHorizonBehindTheNewestAreRefused() {
    var account = new AccountProfile(SETTINGS);
    long newest = T0 + 400 * DAY;
    assertThat(account.fold(event(newest, "a1", debit(100, "m")))).isEqualTo(Profile.Fold.FOLDED);
    // 370 days behind: late, but a 365-day window still reaches it
    assertThat(account.fold(event(newest - 370 * DAY, "a1", debit(100, "m"))))
        .isEqualTo(Profile.Fold.FOLDED);
    assertThat(account.fold(event(newest - 381 * DAY, "a1", debit(100, "m"))))
        .isEqualTo(Profile.Fold.BEYOND_HORIZON);
    assertThat(account.version()).isEqualTo(2);
    assertThat(account.lastEventMillis()).isEqualTo(newest);
  }

  @Test
  void theCatalogueHasAtLeastFortyUniquelyNamedDocumentedFeatures() {
    var all = FeatureCatalogue.all();
    assertThat(all).hasSizeGreaterThanOrEqualTo(40);
    assertThat(all.stream().map(FeatureCatalogue.Feature::name).distinct().count())
        .isEqualTo(all.size());
    assertThat(all).allSatisfy(f -> assertThat(f.description()).hasSizeGreaterThan(10));
    assertThat(FeatureCatalogue.FRAUD.fingerprint()).isNotEqualTo(FeatureCatalogue.DEPOSIT.fingerprint());
    String[] forbidden = {"sex", "gender", "marital", "age_years", "race", "religion", "nationality",
        "national_origin", "birth"};
    assertThat(all).allSatisfy(f -> assertThat(Arrays.stream(forbidden)
        .noneMatch(w -> f.name().contains(w))).as(f.name()).isTrue());
  }

  static double value(String name, FeatureCatalogue.FeatureSet set, FeatureInputs in) {
    int i = set.names().indexOf(name);
    assertThat(i).as(name).isNotNegative();
    return set.vector(in)[i];
  }

  static List<String> names() {
    return FeatureCatalogue.all().stream().map(FeatureCatalogue.Feature::name).toList();
  }
}
