package dev.vigil.features.profile;

import static dev.vigil.features.profile.ProfileTest.DAY;
import static dev.vigil.features.profile.ProfileTest.SETTINGS;
import static dev.vigil.features.profile.ProfileTest.T0;
import static dev.vigil.features.profile.ProfileTest.check;
import static dev.vigil.features.profile.ProfileTest.debit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.features.event.Event;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The per-event step the job's folds and the profile book share, and what it reports. */
class FoldStepTest {
  /** Each outcome as text, in the order reported. */
  private final List<String> reported = new ArrayList<>();
  private final FoldStep.Outcomes outcomes = new FoldStep.Outcomes() {
    @Override
    public void folded() {
      reported.add("folded");
    }

    @Override
    public void beyondHorizon() {
      reported.add("beyond the horizon");
    }

    @Override
    public void duplicatePresentment(CheckProfile.DuplicateSignal s) {
      reported.add("duplicate " + s.accountId() + "/" + s.depositId() + "@" + (s.millis() - T0));
    }
  };

  private static Event event(String id, long at, String account, Event.Kind kind) {
    return new Event(id, at, account, "c-" + account, kind);
  }

  @Test
  void anEventIsFoldedUnlessBeyondTheHorizon() {
    var merchant = new MerchantProfile(SETTINGS);
    FoldStep.take(merchant, event("e1", T0, "a1", debit(100, "m")), outcomes);
    FoldStep.take(merchant, event("e2", T0 - 400 * DAY, "a1", debit(100, "m")), outcomes);
    assertThat(reported).containsExactly("folded", "beyond the horizon");
    assertThat(merchant.version()).isEqualTo(1);
  }

  @Test
  void aCheckPresentedAgainSignalsTheDepositingAccountWhichRecordsIt() {
    var check = new CheckProfile(SETTINGS);
    FoldStep.take(check, event("e1", T0, "a1", check("d1", "payer-9", "img-1")), outcomes);
    assertThat(reported).as("a first presentment is neither counted nor a duplicate").isEmpty();
    FoldStep.take(check, event("e2", T0 + DAY, "a2", check("d2", "payer-9", "img-1")), outcomes);
    assertThat(reported).containsExactly("duplicate a2/d2@" + DAY);

    var account = new AccountProfile(SETTINGS);
    FoldStep.recordDuplicatePresentment(account, "d2", T0 + DAY);
    assertThat(account.duplicatePresentments.count(T0, T0 + 2 * DAY)).isEqualTo(1);
    assertThatThrownBy(() -> FoldStep.recordDuplicatePresentment(new MerchantProfile(SETTINGS),
        "d2", T0 + DAY)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a duplicate presentment of deposit d2 for a MERCHANT profile: only an"
            + " account records one");
  }
}
