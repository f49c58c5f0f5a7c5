package dev.vigil.job;

import dev.vigil.features.profile.ProfileSettings;
import dev.vigil.job.fold.ProfileFold;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * Everything the profile job is configured with.
 *
 * @param eventsFile when set, events come from this JSON Lines file (backfill, replay) instead
 *     of the events topic, through the same operators
 * @param bounded stop at the topic's end offsets as of the start (replays, tests, harness)
 * @param checkpointDir where checkpoints go ({@code file:///...}, {@code s3://...})
 * @param maxOutOfOrderness the watermark trails the newest event time by this much
 * @param idleness a source partition silent this long stops holding the watermark back
 * @param idleTtl a profile untouched this long is dropped (longer than the longest window)
 * @param replayFromStart read the events topic from its beginning, not from the consumer
 *     group's committed offsets (a deliberate rebuild from empty state)
 * @param clock the intake's clock: an event more than five minutes ahead of it is refused as
 *     "in the future" (serializable, as every clock of {@code java.time.Clock}'s factories is)
 * @param kafkaClient properties every Kafka client of the job is given (security.protocol,
 *     sasl.*, ssl.*: docs/security.md), beside the bootstrap servers
 * @param publishInterval the least time between two publications of one merchant's or device's
 *     profile (shared entities, where hot keys are): the first update after a quiet interval is
 *     published at once, later ones within it coalesce into one ({@link Publication}); zero
 *     publishes every update
 * @param ownPublishInterval the same for accounts, customers and checks, whose own velocity a
 *     score reads: shorter, so that a burst on one card is seen within it
 * @param merchantBundles how merchant events are gathered per merchant before the keyed fold
 *     ({@link LocalBundles}: the local half of a two-phase fold, so a hot merchant costs its fold
 *     one record per bundle rather than one per transaction)
 */
public record JobSettings(
    String bootstrapServers,
    String eventsTopic,
    String profilesTopic,
    String deadLetterTopic,
    String groupId,
    Path eventsFile,
    boolean bounded,
    String checkpointDir,
    Duration checkpointInterval,
    int parallelism,
    Duration maxOutOfOrderness,
    Duration idleness,
    Duration idleTtl,
    ProfileSettings profiles,
    Clock clock,
    boolean replayFromStart,
    Map<String, String> kafkaClient,
    Duration publishInterval,
    Duration ownPublishInterval,
    Bundling merchantBundles,
    Duration materializeInterval) {

  /** The default publication interval of merchants and devices (docs/streaming-job.md). */
  public static final Duration PUBLISH_INTERVAL = Duration.ofMillis(1000);
  /**
   * The default publication interval of accounts, customers and checks: 100 ms put the account
   * p99 at half the maximum rate under 250 ms (median 226 ms over three harness runs, against
   * 293-305 with 250 ms) at no cost in records on a wide book, more on a replay
   * (docs/streaming-job.md, "The own entities' interval").
   */
  public static final Duration OWN_PUBLISH_INTERVAL = Duration.ofMillis(100);
  /** The default interval between full snapshots of state under the changelog. */
  public static final Duration MATERIALIZE_INTERVAL = Duration.ofMinutes(3);

  /**
   * Bounds of the bundles {@link LocalBundles} gathers: a bundle goes on when it holds {@code
   * maxEvents} events or {@code maxDelay} after its first, whichever comes first, and always
   * before a checkpoint barrier or a watermark.
   *
   * @param maxEvents events per bundle, across all merchants of a subtask; 0 turns bundling off
   * @param maxDelay the longest an event waits in a bundle
   */
  public record Bundling(int maxEvents, Duration maxDelay) implements java.io.Serializable {
    /** The default (docs/streaming-job.md, "Hot merchants"). */
    public static final Bundling DEFAULT = new Bundling(1_000, Duration.ofMillis(50));
    /** No bundling: every event goes to its fold on its own. */
    public static final Bundling NONE = new Bundling(0, Duration.ZERO);

    public Bundling {
      if (maxEvents < 0 || maxDelay.isNegative()) {
        throw new IllegalArgumentException("bundle bounds must not be negative: " + maxEvents
            + " events, " + maxDelay);
      }
      if (maxEvents > 0 && maxDelay.isZero()) {
        throw new IllegalArgumentException("bundles need a delay above zero to gather anything");
      }
    }

    boolean on() {
      return maxEvents > 0;
    }
  }

  public JobSettings {
    kafkaClient = Map.copyOf(kafkaClient);
    java.util.Objects.requireNonNull(merchantBundles, "merchantBundles");
    if (publishInterval.isNegative() || ownPublishInterval.isNegative()) {
      throw new IllegalArgumentException("publication intervals must not be negative");
    }
    if (materializeInterval.isNegative()) {
      throw new IllegalArgumentException("materializeInterval must not be negative: "
          + materializeInterval);
    }
  }

  /** Managed memory for RocksDB on a local MiniCluster (a cluster sets its own). */
  public String managedMemory() {
    return System.getProperty("vigil.managed-memory", "1g");
  }

  /** Decoded profiles each fold subtask keeps (0: decode every fold from state). */
  public int recentProfiles() {
    return Integer.getInteger("vigil.recent-profiles", ProfileFold.RECENT_PROFILES);
  }

  public static final String EVENTS_TOPIC = "vigil.events";
  public static final String PROFILES_TOPIC = "vigil.profiles";
  public static final String DEAD_LETTER_TOPIC = "vigil.events.dead-letters";

  public static JobSettings defaults(String bootstrapServers, String checkpointDir) {
    return new JobSettings(bootstrapServers, EVENTS_TOPIC, PROFILES_TOPIC, DEAD_LETTER_TOPIC,
        "vigil-profile-job", null, false, checkpointDir, Duration.ofSeconds(10), 1,
        Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofDays(400),
        ProfileSettings.DEFAULT, Clock.systemUTC(), false, Map.of(), PUBLISH_INTERVAL,
        OWN_PUBLISH_INTERVAL, Bundling.DEFAULT, MATERIALIZE_INTERVAL);
  }

  public JobSettings withBounded(boolean value) {
    return new JobSettings(bootstrapServers, eventsTopic, profilesTopic, deadLetterTopic, groupId,
        eventsFile, value, checkpointDir, checkpointInterval, parallelism, maxOutOfOrderness,
        idleness, idleTtl, profiles, clock, replayFromStart, kafkaClient, publishInterval,
        ownPublishInterval, merchantBundles, materializeInterval);
  }

  public JobSettings withCheckpointInterval(Duration value) {
    return new JobSettings(bootstrapServers, eventsTopic, profilesTopic, deadLetterTopic, groupId,
        eventsFile, bounded, checkpointDir, value, parallelism, maxOutOfOrderness, idleness,
        idleTtl, profiles, clock, replayFromStart, kafkaClient, publishInterval,
        ownPublishInterval, merchantBundles, materializeInterval);
  }

  public JobSettings withParallelism(int value) {
    return new JobSettings(bootstrapServers, eventsTopic, profilesTopic, deadLetterTopic, groupId,
        eventsFile, bounded, checkpointDir, checkpointInterval, value, maxOutOfOrderness,
        idleness, idleTtl, profiles, clock, replayFromStart, kafkaClient, publishInterval,
        ownPublishInterval, merchantBundles, materializeInterval);
  }

  public JobSettings withEventsFile(Path value) {
    return new JobSettings(bootstrapServers, eventsTopic, profilesTopic, deadLetterTopic, groupId,
        value, bounded, checkpointDir, checkpointInterval, parallelism, maxOutOfOrderness,
        idleness, idleTtl, profiles, clock, replayFromStart, kafkaClient, publishInterval,
        ownPublishInterval, merchantBundles, materializeInterval);
  }

  public JobSettings withTopics(String events, String profilesOut, String deadLetters) {
    return new JobSettings(bootstrapServers, events, profilesOut, deadLetters, groupId,
        eventsFile, bounded, checkpointDir, checkpointInterval, parallelism, maxOutOfOrderness,
        idleness, idleTtl, profiles, clock, replayFromStart, kafkaClient, publishInterval,
        ownPublishInterval, merchantBundles, materializeInterval);
  }

  /** The same settings, reading the events topic from its start whatever was committed. */
  public JobSettings withReplayFromStart(boolean value) {
    return new JobSettings(bootstrapServers, eventsTopic, profilesTopic, deadLetterTopic, groupId,
        eventsFile, bounded, checkpointDir, checkpointInterval, parallelism, maxOutOfOrderness,
        idleness, idleTtl, profiles, clock, value, kafkaClient, publishInterval,
        ownPublishInterval, merchantBundles, materializeInterval);
  }

  /** The same settings with the intake reading time from {@code value}. */
  public JobSettings withClock(Clock value) {
    return new JobSettings(bootstrapServers, eventsTopic, profilesTopic, deadLetterTopic, groupId,
        eventsFile, bounded, checkpointDir, checkpointInterval, parallelism, maxOutOfOrderness,
        idleness, idleTtl, profiles, value, replayFromStart, kafkaClient, publishInterval,
        ownPublishInterval, merchantBundles, materializeInterval);
  }

  /** The same settings with every Kafka client given {@code value} (a copy is kept). */
  public JobSettings withKafkaClient(java.util.Properties value) {
    var copy = new java.util.HashMap<String, String>();
    value.stringPropertyNames().forEach(k -> copy.put(k, value.getProperty(k)));
    copy.remove("bootstrap.servers"); // --bootstrap-servers names them
    return new JobSettings(bootstrapServers, eventsTopic, profilesTopic, deadLetterTopic, groupId,
        eventsFile, bounded, checkpointDir, checkpointInterval, parallelism, maxOutOfOrderness,
        idleness, idleTtl, profiles, clock, replayFromStart, copy, publishInterval,
        ownPublishInterval, merchantBundles, materializeInterval);
  }

  /**
   * The same settings with other publication intervals (zero: every update).
   *
   * @param shared merchants and devices
   * @param own accounts, customers and checks
   */
  public JobSettings withPublishIntervals(Duration shared, Duration own) {
    return new JobSettings(bootstrapServers, eventsTopic, profilesTopic, deadLetterTopic, groupId,
        eventsFile, bounded, checkpointDir, checkpointInterval, parallelism, maxOutOfOrderness,
        idleness, idleTtl, profiles, clock, replayFromStart, kafkaClient, shared, own,
        merchantBundles, materializeInterval);
  }

  /** The same settings with other merchant bundles ({@link Bundling#NONE}: none). */
  public JobSettings withMerchantBundles(Bundling value) {
    return new JobSettings(bootstrapServers, eventsTopic, profilesTopic, deadLetterTopic, groupId,
        eventsFile, bounded, checkpointDir, checkpointInterval, parallelism, maxOutOfOrderness,
        idleness, idleTtl, profiles, clock, replayFromStart, kafkaClient, publishInterval,
        ownPublishInterval, value, materializeInterval);
  }

  /** The same settings with another interval between full snapshots (zero: no changelog). */
  public JobSettings withMaterializeInterval(Duration value) {
    return new JobSettings(bootstrapServers, eventsTopic, profilesTopic, deadLetterTopic, groupId,
        eventsFile, bounded, checkpointDir, checkpointInterval, parallelism, maxOutOfOrderness,
        idleness, idleTtl, profiles, clock, replayFromStart, kafkaClient, publishInterval,
        ownPublishInterval, merchantBundles, value);
  }

  /** The publication interval of {@code type}'s profiles. */
  public Duration publishInterval(dev.vigil.features.profile.EntityType type) {
    return switch (type) {
      case MERCHANT, DEVICE -> publishInterval;
      case ACCOUNT, CUSTOMER, CHECK -> ownPublishInterval;
    };
  }

  /** The Kafka client properties plus the bootstrap servers, as a fresh Properties. */
  public java.util.Properties kafka() {
    var p = new java.util.Properties();
    p.putAll(kafkaClient);
    p.put("bootstrap.servers", bootstrapServers);
    return p;
  }
}
