package dev.vigil.job.fold;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.features.profile.AccountProfile;
import dev.vigil.features.profile.Profile;
import dev.vigil.features.profile.ProfileSettings;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.streaming.api.operators.KeyContext;
import org.junit.jupiter.api.Test;

/**
 * The fold's kept profiles on a keyed store of its own (a value per key, written under whatever
 * key is current, as Flink's keyed state is): bounds, eviction order, and every deferred write
 * under its own key.
 */
class KeptProfilesTest {
  private static final long TTL = 3_600_000;

  /** Keyed state and its key context: every write lands under the current key. */
  static final class Keyed implements ValueState<byte[]>, KeyContext {
    final Map<Object, byte[]> values = new HashMap<>();
    /** Each write, as "key=value", in order. */
    final List<String> writes = new ArrayList<>();
    Object current;

    @Override
    public void setCurrentKey(Object key) {
      current = key;
    }

    @Override
    public Object getCurrentKey() {
      return current;
    }

    @Override
    public byte[] value() {
      return values.get(current);
    }

    @Override
    public void update(byte[] value) {
      values.put(current, value);
      writes.add(current + "=" + new String(value, StandardCharsets.UTF_8));
    }

    @Override
    public void clear() {
      values.remove(current);
      writes.add(current + " cleared");
    }

    /** What keyed state holds for {@code key}, as text. */
    String at(String key) {
      byte[] v = values.get(key);
      return v == null ? null : new String(v, StandardCharsets.UTF_8);
    }
  }

  private final Keyed state = new Keyed();
  private final Map<String, Profile> profiles = new HashMap<>();

  private KeptProfiles kept(int bound, int unwrittenBound) {
    var k = new KeptProfiles(bound, unwrittenBound, TTL, state);
    k.bind(state);
    return k;
  }

  /** Publishes {@code version} of {@code key}'s profile at {@code now}, {@code key} current. */
  private void publish(KeptProfiles k, String key, String version, long now) throws Exception {
    state.setCurrentKey(key);
    k.published(key, profile(key), version.getBytes(StandardCharsets.UTF_8), now);
    k.trim();
    assertThat(state.current).as("the current key after the trim").isEqualTo(key);
  }

  private Profile profile(String key) {
    return profiles.computeIfAbsent(key, x -> new AccountProfile(ProfileSettings.DEFAULT));
  }

  @Test
  void theLeastRecentlyUsedIsDroppedFirstAndItsWaitingEncodingWrittenUnderItsOwnKey()
      throws Exception {
    var k = kept(2, 100);
    publish(k, "a", "a1", 0);
    publish(k, "b", "b1", 0);
    assertThat(state.writes).as("both wait").isEmpty();
    state.setCurrentKey("a");
    assertThat(k.fresh("a", 1)).as("a used: b is now the least recently used")
        .isSameAs(profile("a"));
    publish(k, "c", "c1", 2);
    assertThat(state.writes).as("b dropped, its encoding written under b").containsExactly(
        "b=b1");
    assertThat(k.size()).isEqualTo(2);
    state.setCurrentKey("b");
    assertThat(k.fresh("b", 3)).as("no longer kept").isNull();
    assertThat(k.fresh("a", 3)).isSameAs(profile("a"));
    assertThat(k.fresh("c", 3)).isSameAs(profile("c"));
  }

  @Test
  void beyondTheUnwrittenBoundTheLongestWaitingIsWrittenFirst() throws Exception {
    var k = kept(100, 2);
    publish(k, "a", "a1", 0);
    publish(k, "b", "b1", 0);
    publish(k, "a", "a2", 0); // a already waits: it keeps its place, with its newest encoding
    assertThat(state.writes).isEmpty();
    publish(k, "c", "c1", 0);
    assertThat(state.writes).containsExactly("a=a2");
    publish(k, "d", "d1", 0);
    assertThat(state.writes).containsExactly("a=a2", "b=b1");
    assertThat(k.unwrittenCount()).isEqualTo(2);
    // before the barrier: the rest, each under its own key
    k.writeDeferred(state);
    assertThat(state.writes).containsExactly("a=a2", "b=b1", "c=c1", "d=d1");
    assertThat(k.unwrittenCount()).isZero();
    assertThat(k.size()).as("still kept decoded").isEqualTo(4);
  }

  @Test
  void withNothingKeptOrNoKeyContextEveryPublicationIsWrittenAtOnce() throws Exception {
    var none = kept(0, 100);
    publish(none, "a", "a1", 0);
    assertThat(state.writes).containsExactly("a=a1");
    assertThat(none.size()).isZero();

    var unbound = new KeptProfiles(100, 100, TTL, state);
    state.setCurrentKey("b");
    unbound.published("b", profile("b"), "b1".getBytes(StandardCharsets.UTF_8), 0);
    unbound.trim();
    assertThat(state.writes).containsExactly("a=a1", "b=b1");
    assertThat(unbound.fresh("b", 1)).as("kept all the same").isSameAs(profile("b"));
  }

  @Test
  void aProfileIdleForNearlyItsTimeToLiveIsNotUsedAndItsOlderStateIsCleared() throws Exception {
    var k = kept(100, 100);
    state.setCurrentKey("a");
    state.update("a0".getBytes(StandardCharsets.UTF_8)); // written long ago
    publish(k, "a", "a1", 0);
    long stale = TTL - KeptProfiles.TTL_MARGIN_MILLIS;
    assertThat(k.fresh("a", stale - 1)).isSameAs(profile("a"));
    assertThat(k.fresh("a", stale)).isNull();
    assertThat(state.at("a")).as("a1 never reached state; a0 is as idle").isNull();
    assertThat(k.size()).isZero();
    assertThat(k.unwrittenCount()).isZero();
  }

  @Test
  void negativeBoundsAreRefused() {
    assertThatThrownBy(() -> new KeptProfiles(-1, 2, TTL, state))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("bounds of kept profiles must not be negative, not -1 kept and 2 unwritten");
  }
}
