package dev.vigil.e2e.cluster;

import dev.vigil.features.event.Event;
import dev.vigil.features.profile.EntityKey;
import dev.vigil.features.profile.Profile;
import dev.vigil.features.profile.ProfileBook;
import dev.vigil.features.profile.ProfileCodec;
import dev.vigil.features.profile.ProfileSettings;
import dev.vigil.proto.v1.ProfileRecord;
import dev.vigil.testkit.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The profiles the job published against the feature library's reference fold of the same
 * events (ProfileBook, FoldStep), as the job's own tests compare them: the newest record per key
 * on the profiles topic must exist for every entity the fold touched, with the fold's version
 * and, byte for byte, its encoded state; no other key may be there.
 */
final class ReferenceFold {
  private final Map<String, Profile> reference = new HashMap<>();
  private final ProfileCodec codec = new ProfileCodec(ProfileSettings.DEFAULT);

  /** The reference fold of {@code events}, each once. */
  ReferenceFold(List<Event> events) {
    var book = new ProfileBook(ProfileSettings.DEFAULT);
    events.forEach(book::fold);
    for (Map.Entry<EntityKey, Profile> e : book.all().entrySet()) {
      reference.put(e.getKey().toString(), e.getValue());
    }
  }

  int entities() {
    return reference.size();
  }

  /** What differs between the topic's newest records and the reference (empty when equal). */
  List<String> differences(String bootstrap, String topic) throws Exception {
    Map<String, ProfileRecord> published = new HashMap<>();
    for (var r : EmbeddedKafka.readAll(bootstrap, topic)) {
      var record = ProfileRecord.parseFrom(r.value());
      published.merge(new String(r.key(), StandardCharsets.UTF_8), record,
          (a, b) -> a.getVersion() >= b.getVersion() ? a : b);
    }
    var differences = new ArrayList<String>();
    for (var e : reference.entrySet()) {
      ProfileRecord record = published.get(e.getKey());
      if (record == null) {
        differences.add(e.getKey() + ": not published");
      } else if (record.getVersion() != e.getValue().version()) {
        differences.add(e.getKey() + ": version " + record.getVersion() + ", reference "
            + e.getValue().version());
      } else if (!Arrays.equals(record.getState().toByteArray(),
          codec.encode(e.getValue()))) {
        differences.add(e.getKey() + ": state differs from the reference at version "
            + record.getVersion());
      }
    }
    for (String key : published.keySet()) {
      if (!reference.containsKey(key)) {
        differences.add(key + ": published, not in the reference");
      }
    }
    return differences;
  }

  /**
   * Polls the topic until it equals the reference or {@code limit} passes; the differences
   * left (empty when equal).
   */
  List<String> await(String bootstrap, String topic, Duration limit) throws Exception {
    long end = System.nanoTime() + limit.toNanos();
    while (true) {
      List<String> differences;
      try {
        differences = differences(bootstrap, topic);
      } catch (IllegalStateException e) {
        differences = List.of("cannot read " + topic + ": " + e.getMessage());
      }
      if (differences.isEmpty() || System.nanoTime() > end) {
        return differences;
      }
      Thread.sleep(3_000);
    }
  }
}
