package dev.vigil.job;

import dev.vigil.features.profile.EntityType;
import dev.vigil.features.profile.ProfileSettings;
import dev.vigil.job.fold.ProfileFold;
import dev.vigil.settings.Setting;
import dev.vigil.settings.SettingException;
import dev.vigil.settings.Settings;
import dev.vigil.settings.Values;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

/**
 * Everything the profile job is configured with. Every option of its command line is declared
 * once, here ({@link #SETTINGS}: key, type, default, description): the declarations drive the
 * command line's parsing, the errors a bad value gets, {@code --help} and docs/settings.md, and
 * the accessors read the values they hold.
 *
 * @param options the command line's settings (every one of {@link #SETTINGS}, defaults unless
 *     given)
 * @param topics the topics and the consumer group (not options)
 * @param clock the intake's clock: an event more than five minutes ahead of it is refused as
 *     "in the future" (serializable, as every clock of {@code java.time.Clock}'s factories is)
 * @param kafkaClient properties every Kafka client of the job is given (security.protocol,
 *     sasl.*, ssl.*: docs/security.md), beside the bootstrap servers: those of {@code
 *     --kafka-properties} when built from options
 */
public record JobSettings(Values options, Topics topics, Clock clock,
    Map<String, String> kafkaClient) {

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

  public static final String EVENTS_TOPIC = "vigil.events";
  public static final String PROFILES_TOPIC = "vigil.profiles";
  public static final String DEAD_LETTER_TOPIC = "vigil.events.dead-letters";
  public static final String GROUP_ID = "vigil-profile-job";

  public static final Setting<String> BOOTSTRAP_SERVERS = Setting.text("bootstrap-servers",
      "localhost:9092", "Kafka's bootstrap servers.");
  public static final Setting<Path> KAFKA_PROPERTIES = Setting.optionalPath("kafka-properties",
      "(none)", "A file of Kafka client properties for every client of the job"
          + " (security.protocol=SASL_SSL, sasl.*, ssl.*: docs/security.md).");
  public static final Setting<String> CHECKPOINTS = Setting.text("checkpoints",
      "var/checkpoints", "Checkpoint directory: a URI (file:///..., s3://...) or a local path"
          + " (kept across restarts).");
  public static final Setting<Boolean> RESUME = Setting.flag("resume", true, "Resume from the"
      + " newest completed checkpoint under --checkpoints (--no-resume starts from empty"
      + " state).");
  public static final Setting<Boolean> REPLAY_FROM_START = Setting.flag("replay-from-start",
      false, "Start from empty state at the beginning of the events topic even though the"
          + " consumer group has committed offsets (without it, the job refuses to start on"
          + " empty state then).");
  public static final Setting<Path> EVENTS_FILE = Setting.optionalPath("events-file", "(none:"
      + " the events topic)", "Replay a JSON Lines file instead of the topic (backfill, replay),"
      + " through the same operators.");
  public static final Setting<Boolean> BOUNDED = Setting.flag("bounded", false, "Stop at the"
      + " topic's end offsets as of the start (replays, tests, harness).");
  public static final Setting<Integer> PARALLELISM = Setting.integer("parallelism", 1, 1,
      Integer.MAX_VALUE, "Subtasks per operator when the job runs on its own local"
          + " MiniCluster; submitted with flink run, -p (else the cluster's parallelism.default)"
          + " decides.");
  public static final Setting<Duration> CHECKPOINT_INTERVAL =
      Setting.seconds("checkpoint-interval-seconds", Duration.ofSeconds(10),
          Duration.ofMillis(1), "How often state and offsets are checkpointed: after a crash,"
              + " the job resumes from the newest checkpoint and reads again what came after"
              + " it.");
  public static final Setting<Duration> MATERIALIZE_INTERVAL_SECONDS =
      Setting.seconds("materialize-interval-seconds", MATERIALIZE_INTERVAL, Duration.ZERO,
          "How often RocksDB's state is snapshot in full: between, a checkpoint writes only the"
              + " state changes since the last one (Flink's state changelog, under"
              + " --checkpoints), so the job does not stall at every checkpoint; a restore"
              + " replays at most this much of the changelog; 0 turns the changelog off.");
  public static final Setting<Duration> PUBLISH_INTERVAL_MS =
      Setting.millis("publish-interval-ms", PUBLISH_INTERVAL, Duration.ZERO, "The least time"
          + " between two publications of one merchant's or device's profile (shared"
          + " entities, where hot keys are): the first update after a quiet interval is"
          + " published at once, later ones within it coalesce into one, and nothing is held"
          + " across a checkpoint; 0 publishes every update.");
  public static final Setting<Duration> OWN_PUBLISH_INTERVAL_MS =
      Setting.millis("own-publish-interval-ms", OWN_PUBLISH_INTERVAL, Duration.ZERO, "The same"
          + " for accounts, customers and checks, whose own velocity a score reads: shorter, so"
          + " that a burst on one card is seen within it.");
  public static final Setting<Integer> MERCHANT_BUNDLE_EVENTS =
      Setting.integer("merchant-bundle-events", Bundling.DEFAULT.maxEvents(), 0,
          Integer.MAX_VALUE, "Merchant events gathered per merchant before the keyed fold (the"
              + " local half of a two-phase fold, for hot merchants): a bundle goes on at this"
              + " many events across a subtask's merchants, after --merchant-bundle-ms, or"
              + " before a checkpoint; 0 sends every event on its own.");
  public static final Setting<Duration> MERCHANT_BUNDLE_DELAY =
      Setting.millis("merchant-bundle-ms", Bundling.DEFAULT.maxDelay(), Duration.ZERO, "The"
          + " longest a merchant event waits in a bundle (above 0 while bundling is on).");

  /** The job's command line: every option, in the order {@code --help} lists them. */
  public static final Settings SETTINGS = Settings.of("./vigil job",
      "Folds events into per-entity profiles and publishes them.",
      List.of(BOOTSTRAP_SERVERS, KAFKA_PROPERTIES, CHECKPOINTS, RESUME, REPLAY_FROM_START,
          EVENTS_FILE, BOUNDED),
      List.of(PARALLELISM, CHECKPOINT_INTERVAL, MATERIALIZE_INTERVAL_SECONDS,
          PUBLISH_INTERVAL_MS, OWN_PUBLISH_INTERVAL_MS, MERCHANT_BUNDLE_EVENTS,
          MERCHANT_BUNDLE_DELAY));

  /** What the job does with events in time, fixed (not options). */
  static final Duration MAX_OUT_OF_ORDERNESS = Duration.ofSeconds(5);
  static final Duration IDLENESS = Duration.ofSeconds(30);
  static final Duration IDLE_TTL = Duration.ofDays(400);

  /**
   * The topics the job reads and writes, and its consumer group.
   *
   * @param events the events topic
   * @param profiles the compacted profiles topic
   * @param deadLetters where records that are not valid events go, with their reason
   * @param groupId the consumer group whose committed offsets the job resumes from
   */
  public record Topics(String events, String profiles, String deadLetters, String groupId) {
    /** Vigil's topics and the job's group. */
    public static final Topics DEFAULT = new Topics(EVENTS_TOPIC, PROFILES_TOPIC,
        DEAD_LETTER_TOPIC, GROUP_ID);
  }

  /**
   * Bounds of the bundles {@link LocalBundles} gathers: a bundle goes on when it holds {@code
   * maxEvents} events or {@code maxDelay} after its first, whichever comes first, and always
   * before a checkpoint barrier or a watermark.
   *
   * @param maxEvents events per bundle, across all merchants of a subtask; 0 turns bundling off
   * @param maxDelay the longest an event waits in a bundle
   */
  public record Bundling(int maxEvents, Duration maxDelay) implements Serializable {
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
    if (!options.settings().equals(SETTINGS.all())) {
      throw new IllegalArgumentException("options must be values of JobSettings.SETTINGS, not "
          + options.settings());
    }
    kafkaClient = Map.copyOf(kafkaClient);
    Objects.requireNonNull(topics, "topics");
    Objects.requireNonNull(clock, "clock");
    if (options.get(MERCHANT_BUNDLE_EVENTS) > 0 && options.get(MERCHANT_BUNDLE_DELAY).isZero()) {
      throw new SettingException(MERCHANT_BUNDLE_DELAY.key() + ": \"0\" with "
          + MERCHANT_BUNDLE_EVENTS.key() + " " + options.get(MERCHANT_BUNDLE_EVENTS)
          + ": bundles need a delay above zero to gather anything (or 0 events: no bundles)");
    }
  }

  /**
   * The settings {@code options} give, on the system clock (UTC), Vigil's topics, and the Kafka
   * client properties of {@code --kafka-properties}.
   *
   * @throws SettingException naming --kafka-properties and its file when it cannot be read
   */
  public static JobSettings of(Values options) {
    return new JobSettings(options, Topics.DEFAULT, Clock.systemUTC(),
        kafkaClient(options.get(KAFKA_PROPERTIES)));
  }

  /** The defaults, with Kafka at {@code bootstrapServers} and checkpoints under a URI. */
  public static JobSettings defaults(String bootstrapServers, String checkpointDir) {
    return of(SETTINGS.defaults()).with(BOOTSTRAP_SERVERS, bootstrapServers)
        .with(CHECKPOINTS, checkpointDir);
  }

  /** The same settings with {@code setting} (one of {@link #SETTINGS}) at {@code value}. */
  public <T> JobSettings with(Setting<T> setting, T value) {
    return new JobSettings(options.with(setting, value), topics, clock, kafkaClient);
  }

  public String bootstrapServers() {
    return options.get(BOOTSTRAP_SERVERS);
  }

  public String eventsTopic() {
    return topics.events();
  }

  public String profilesTopic() {
    return topics.profiles();
  }

  public String deadLetterTopic() {
    return topics.deadLetters();
  }

  public String groupId() {
    return topics.groupId();
  }

  /** When set, events come from this JSON Lines file instead of the events topic. */
  public Path eventsFile() {
    return options.get(EVENTS_FILE);
  }

  /** Stop at the topic's end offsets as of the start. */
  public boolean bounded() {
    return options.get(BOUNDED);
  }

  /**
   * Where checkpoints go, as a URI ({@code file:///...}, {@code s3://...}): {@code
   * --checkpoints} as given when it is one, else that local path made absolute.
   */
  public String checkpointDir() {
    String dir = options.get(CHECKPOINTS);
    return dir.contains(":/") ? dir : Path.of(dir).toAbsolutePath().toUri().toString();
  }

  public Duration checkpointInterval() {
    return options.get(CHECKPOINT_INTERVAL);
  }

  public int parallelism() {
    return options.get(PARALLELISM);
  }

  /** The watermark trails the newest event time by this much. */
  public Duration maxOutOfOrderness() {
    return MAX_OUT_OF_ORDERNESS;
  }

  /** A source partition silent this long stops holding the watermark back. */
  public Duration idleness() {
    return IDLENESS;
  }

  /** A profile untouched this long is dropped (longer than the longest window). */
  public Duration idleTtl() {
    return IDLE_TTL;
  }

  public ProfileSettings profiles() {
    return ProfileSettings.DEFAULT;
  }

  /**
   * Read the events topic from its beginning, not from the consumer group's committed offsets
   * (a deliberate rebuild from empty state).
   */
  public boolean replayFromStart() {
    return options.get(REPLAY_FROM_START);
  }

  /** Resume from the newest completed checkpoint under the checkpoint directory. */
  public boolean resume() {
    return options.get(RESUME);
  }

  /**
   * The least time between two publications of one merchant's or device's profile: the first
   * update after a quiet interval is published at once, later ones within it coalesce into one
   * ({@link Publication}); zero publishes every update.
   */
  public Duration publishInterval() {
    return options.get(PUBLISH_INTERVAL_MS);
  }

  /** The same for accounts, customers and checks, whose own velocity a score reads. */
  public Duration ownPublishInterval() {
    return options.get(OWN_PUBLISH_INTERVAL_MS);
  }

  /**
   * How merchant events are gathered per merchant before the keyed fold ({@link LocalBundles}:
   * the local half of a two-phase fold, so a hot merchant costs its fold one record per bundle
   * rather than one per transaction).
   */
  public Bundling merchantBundles() {
    return new Bundling(options.get(MERCHANT_BUNDLE_EVENTS), options.get(MERCHANT_BUNDLE_DELAY));
  }

  /** The interval between full snapshots of state under the changelog (zero: no changelog). */
  public Duration materializeInterval() {
    return options.get(MATERIALIZE_INTERVAL_SECONDS);
  }

  public JobSettings withBounded(boolean value) {
    return with(BOUNDED, value);
  }

  public JobSettings withCheckpointInterval(Duration value) {
    return with(CHECKPOINT_INTERVAL, value);
  }

  public JobSettings withParallelism(int value) {
    return with(PARALLELISM, value);
  }

  public JobSettings withEventsFile(Path value) {
    return with(EVENTS_FILE, value);
  }

  /** The same settings, reading the events topic from its start whatever was committed. */
  public JobSettings withReplayFromStart(boolean value) {
    return with(REPLAY_FROM_START, value);
  }

  /**
   * The same settings with other publication intervals (zero: every update).
   *
   * @param shared merchants and devices
   * @param own accounts, customers and checks
   */
  public JobSettings withPublishIntervals(Duration shared, Duration own) {
    return with(PUBLISH_INTERVAL_MS, shared).with(OWN_PUBLISH_INTERVAL_MS, own);
  }

  /** The same settings with other merchant bundles ({@link Bundling#NONE}: none). */
  public JobSettings withMerchantBundles(Bundling value) {
    // both at once: each alone may be an invalid pair with the other's old value
    return new JobSettings(options.with(MERCHANT_BUNDLE_EVENTS, value.maxEvents())
        .with(MERCHANT_BUNDLE_DELAY, value.maxDelay()), topics, clock, kafkaClient);
  }

  /** The same settings with another interval between full snapshots (zero: no changelog). */
  public JobSettings withMaterializeInterval(Duration value) {
    return with(MATERIALIZE_INTERVAL_SECONDS, value);
  }

  public JobSettings withTopics(String events, String profilesOut, String deadLetters) {
    return new JobSettings(options, new Topics(events, profilesOut, deadLetters,
        topics.groupId()), clock, kafkaClient);
  }

  /** The same settings with the intake reading time from {@code value}. */
  public JobSettings withClock(Clock value) {
    return new JobSettings(options, topics, value, kafkaClient);
  }

  /** The same settings with every Kafka client given {@code value} (a copy is kept). */
  public JobSettings withKafkaClient(Properties value) {
    return new JobSettings(options, topics, clock, copy(value));
  }

  /** Managed memory for RocksDB on a local MiniCluster (a cluster sets its own). */
  public String managedMemory() {
    return System.getProperty("vigil.managed-memory", "1g");
  }

  /** Decoded profiles each fold subtask keeps (0: decode every fold from state). */
  public int recentProfiles() {
    return Integer.getInteger("vigil.recent-profiles", ProfileFold.RECENT_PROFILES);
  }

  /** The publication interval of {@code type}'s profiles. */
  public Duration publishInterval(EntityType type) {
    return switch (type) {
      case MERCHANT, DEVICE -> publishInterval();
      case ACCOUNT, CUSTOMER, CHECK -> ownPublishInterval();
    };
  }

  /** The Kafka client properties plus the bootstrap servers, as a fresh Properties. */
  public Properties kafka() {
    var p = new Properties();
    p.putAll(kafkaClient);
    p.put("bootstrap.servers", bootstrapServers());
    return p;
  }

  /** What {@code --help} prints. */
  public static String help() {
    return SETTINGS.help("[--option value]...", "--", "On a cluster: flink run"
        + " vigil-profile-job-VERSION.jar [--option value].... Options are given as --option"
        + " value or --option=value; a flag alone means true and --no-flag false.");
  }

  /** The job's section of docs/settings.md. */
  public static String reference() {
    return "## Streaming job\n\n`./vigil job [--option value]...` in a checkout, `flink run"
        + " vigil-profile-job-VERSION.jar [--option value]...` on a cluster (`--help` lists the"
        + " same)."
        + " Options are given as `--option value` or `--option=value`; a boolean option alone"
        + " means true and `--no-option` false. An option that is not listed here is"
        + " refused.\n\n" + SETTINGS.reference("--") + "\n";
  }

  /** The properties in {@code file} (none when null), bootstrap servers left out. */
  static Map<String, String> kafkaClient(Path file) {
    if (file == null) {
      return Map.of();
    }
    var copy = new HashMap<>(Settings.properties(KAFKA_PROPERTIES, file));
    copy.remove("bootstrap.servers"); // --bootstrap-servers names them
    return copy;
  }

  private static Map<String, String> copy(Properties value) {
    var copy = new HashMap<String, String>();
    value.stringPropertyNames().forEach(k -> copy.put(k, value.getProperty(k)));
    copy.remove("bootstrap.servers"); // --bootstrap-servers names them
    return copy;
  }
}
