package dev.vigil.job;

import dev.vigil.features.profile.EntityType;
import dev.vigil.job.fold.LocalBundles;
import dev.vigil.job.fold.ProfileFold;
import dev.vigil.job.fold.ProfileFoldOperator;
import dev.vigil.job.intake.Dedupe;
import dev.vigil.job.intake.EventIntake;
import dev.vigil.job.intake.Incoming;
import dev.vigil.job.intake.KafkaEventDeserializer;
import dev.vigil.job.intake.Route;
import dev.vigil.job.intake.Routed;
import dev.vigil.job.intake.Validate;
import dev.vigil.job.publication.ProfileUpdate;
import dev.vigil.job.publication.Publication;
import dev.vigil.job.sinks.DeadLetterSerializer;
import dev.vigil.job.sinks.ProfileRecordSerializer;
import dev.vigil.settings.SettingException;
import dev.vigil.settings.Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.reader.TextLineInputFormat;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The profile job's composition root: events (Kafka topic or JSON Lines file) → validation and
 * dead letters → de-duplication by event id → routing to entities → one keyed fold per entity type
 * in RocksDB state → the compacted profiles topic.
 *
 * <pre>
 * source ─▶ Validate ─┬─▶ dead letters topic
 *                     └─▶ keyBy(account) Dedupe ─▶ Route ─┬─▶ keyBy CUSTOMER ─┐
 *                                                         ├─▶ keyBy MERCHANT ─┤
 *                                                         ├─▶ keyBy DEVICE ───┤
 *                                                         ├─▶ keyBy CHECK ────┤──▶ profiles topic
 *                                                         │     └ duplicate ┐  │
 *                                                         └─▶ keyBy ACCOUNT ◀┘ ─┘
 * </pre>
 */
public final class ProfileJob {
  /**
   * How long (processing time) an event id is remembered: a redelivery within this is dropped as
   * a duplicate. Longer than the ingest ledger's default retention (7 days).
   */
  public static final Duration DEDUPE_MEMORY = Duration.ofDays(8);

  private ProfileJob() {}

  /**
   * Flink configuration: RocksDB state under a state changelog, incremental exactly-once
   * checkpoints, restarts.
   */
  public static Configuration configuration(JobSettings s) {
    Map<String, String> conf = new HashMap<>();
    conf.put("state.backend.type", "rocksdb");
    conf.put("execution.checkpointing.incremental", "true");
    if (!s.materializeInterval().isZero()) {
      // every state change is also appended to a log beside the checkpoints, uploaded as it
      // goes; a checkpoint then waits for that log alone, while RocksDB's own snapshot (which
      // makes the task wait for its memtables to flush) is taken once a materialisation interval
      // (docs/streaming-job.md, "Checkpoints and the tail")
      conf.put("state.changelog.enabled", "true");
      conf.put("state.changelog.storage", "filesystem");
      conf.put("state.changelog.dstl.dfs.base-path", changelogDir(s.checkpointDir()));
      conf.put("state.changelog.periodic-materialize.interval",
          s.materializeInterval().toMillis() + " ms");
    }
    conf.put("execution.checkpointing.dir", s.checkpointDir());
    conf.put("execution.checkpointing.interval", s.checkpointInterval().toMillis() + " ms");
    conf.put("execution.checkpointing.mode", "EXACTLY_ONCE");
    conf.put("execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION");
    conf.put("restart-strategy.type", "fixed-delay");
    conf.put("restart-strategy.fixed-delay.attempts", "1000");
    conf.put("restart-strategy.fixed-delay.delay", "1 s");
    conf.put("parallelism.default", Integer.toString(s.parallelism()));
    // operators keep no reference to a record after handling it: chained ones may share it
    conf.put("pipeline.object-reuse", "true");
    // every record type has a serializer of its own or Flink's POJO one: a type that would fall
    // back to Kryo fails the job's construction instead of slowing it down unseen
    conf.put("pipeline.generic-types", "false");
    // RocksDB: every keyed stage has its own instance; give their memtables and block caches room
    // (a local MiniCluster's default managed memory starves them into constant compaction)
    conf.put("state.backend.rocksdb.predefined-options", "FLASH_SSD_OPTIMIZED");
    // timers (the publication throttle's, one per held entity per interval) on the heap, still
    // checkpointed: in RocksDB each would cost a write, a read and a delete
    conf.put("state.backend.rocksdb.timer-service.factory", "HEAP");
    conf.putIfAbsent("taskmanager.memory.managed.size", s.managedMemory());
    // a local MiniCluster listens on this machine only (its RPC, blob and data ports bound every
    // interface); a cluster the job is submitted to keeps its own addresses
    conf.put("jobmanager.bind-host", "127.0.0.1");
    conf.put("jobmanager.rpc.address", "127.0.0.1");
    conf.put("taskmanager.bind-host", "127.0.0.1");
    conf.put("taskmanager.host", "127.0.0.1");
    conf.put("rest.bind-address", "127.0.0.1");
    return Configuration.fromMap(conf);
  }

  /**
   * As {@link #configuration(JobSettings)}, restoring from {@code checkpoint} when not null. The
   * new job claims the checkpoint (a predecessor's, which no other job will restore): it owns its
   * files and deletes them once a newer checkpoint subsumes it. Without the claim Flink would make
   * the first checkpoint after the restore a full snapshot, which the state changelog cannot take:
   * every checkpoint would fail and the job restart from the same checkpoint for ever.
   */
  static Configuration configuration(JobSettings s, String checkpoint) {
    Configuration conf = configuration(s);
    if (checkpoint != null) {
      conf.set(StateRecoveryOptions.SAVEPOINT_PATH, checkpoint);
      conf.set(StateRecoveryOptions.RESTORE_MODE,
          org.apache.flink.core.execution.RecoveryClaimMode.CLAIM);
    }
    return conf;
  }

  /** Where the state changelog goes: {@code changelog} under the checkpoint directory. */
  static String changelogDir(String checkpointDir) {
    return checkpointDir.replaceAll("/+$", "") + "/changelog";
  }

  /** Builds the pipeline on {@code env}. */
  public static void build(StreamExecutionEnvironment env, JobSettings s) {
    build(env, s, UnaryOperator.identity());
  }

  /** As {@link #build(StreamExecutionEnvironment, JobSettings)}, with a tap after validation. */
  static void build(StreamExecutionEnvironment env, JobSettings s,
      UnaryOperator<DataStream<Incoming>> tap) {
    WatermarkStrategy<Incoming> watermarks = WatermarkStrategy
        .<Incoming>forBoundedOutOfOrderness(s.maxOutOfOrderness())
        // a bad record has no trustworthy time: it must not move the watermark
        .withTimestampAssigner((in, kafkaTimestamp) -> in.valid() ? in.eventTime() : Long.MIN_VALUE)
        .withIdleness(s.idleness());

    DataStream<Incoming> incoming = s.eventsFile() != null
        ? env.fromSource(FileSource.forRecordStreamFormat(new TextLineInputFormat(),
                new org.apache.flink.core.fs.Path(s.eventsFile().toUri())).build(),
            WatermarkStrategy.noWatermarks(), "event file")
            .filter(line -> !line.isBlank()).name("skip blank lines")
            .map(new ParseJson(s.clock()))
            .returns(TypeInformation.of(Incoming.class)).name("parse JSON")
            .assignTimestampsAndWatermarks(watermarks)
        : env.fromSource(kafkaSource(s), watermarks, "events topic");

    SingleOutputStreamOperator<Incoming> valid = incoming
        .process(new Validate())
        .name("validate").uid("validate");
    SingleOutputStreamOperator<Incoming> deduped = tap.apply(valid)
        .keyBy(in -> in.accountId())
        .process(new Dedupe(DEDUPE_MEMORY.toMillis(), s.profiles(),
            s.idleTtl().toMillis()))
        .name("dedupe by event id").uid("dedupe");
    valid.getSideOutput(Validate.DEAD_LETTERS)
        .union(deduped.getSideOutput(Validate.DEAD_LETTERS))
        .sinkTo(KafkaSink.<Incoming>builder()
            .setBootstrapServers(s.bootstrapServers())
            .setKafkaProducerConfig(s.kafka())
            .setRecordSerializer(new DeadLetterSerializer(s.deadLetterTopic(), s.clock()))
            .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
            .build())
        .name("dead letters").uid("dead-letters");

    SingleOutputStreamOperator<Routed> routed = deduped
        .process(new Route()).name("route to entities").uid("route");

    DataStream<Routed> signals = null;
    for (EntityType type : new EntityType[] {EntityType.CUSTOMER, EntityType.MERCHANT,
        EntityType.DEVICE, EntityType.CHECK}) {
      SingleOutputStreamOperator<ProfileUpdate> folded = fold(routed, type, s);
      publish(folded, type, s);
      if (type == EntityType.CHECK) {
        signals = folded.getSideOutput(ProfileFold.SIGNALS);
      }
    }
    DataStream<Routed> accountInput = routed.getSideOutput(Route.to(EntityType.ACCOUNT))
        .union(signals);
    publish(folded(accountInput, EntityType.ACCOUNT, s), EntityType.ACCOUNT, s);
  }

  /**
   * Each fold publishes through its own sink, chained to it: profile updates (the bulk of the
   * job's output) never cross the network inside the job.
   */
  private static void publish(DataStream<ProfileUpdate> updates, EntityType type,
      JobSettings s) {
    updates.sinkTo(KafkaSink.<ProfileUpdate>builder()
            .setBootstrapServers(s.bootstrapServers())
            .setKafkaProducerConfig(s.kafka())
            .setRecordSerializer(new ProfileRecordSerializer(s.profilesTopic(), type))
            // at least once: records carry versions and readers keep the highest
            .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
            .build())
        .name("publish " + type + " profiles").uid("publish-" + type);
  }

  private static SingleOutputStreamOperator<ProfileUpdate> fold(
      SingleOutputStreamOperator<Routed> routed, EntityType type, JobSettings s) {
    DataStream<Routed> events = routed.getSideOutput(Route.to(type));
    if (type == EntityType.MERCHANT && s.merchantBundles().on()) {
      // two-phase: bundled per merchant on the routing subtask, before the shuffle
      events = events.transform("bundle merchant events", Routed.Type.INFO,
          new LocalBundles(s.merchantBundles())).uid("bundle-merchants");
    }
    return folded(events, type, s);
  }

  /** One entity type's keyed fold, publishing through its {@link Publication} throttle. */
  private static SingleOutputStreamOperator<ProfileUpdate> folded(DataStream<Routed> input,
      EntityType type, JobSettings s) {
    String name = type.name();
    return input.keyBy(r -> r.key)
        .transform("fold " + name + " profiles", TypeInformation.of(ProfileUpdate.class),
            new ProfileFoldOperator(new ProfileFold(type, s.profiles(), s.idleTtl(),
                s.recentProfiles(), s.publishInterval(type))))
        .uid("fold-" + name);
  }

  /** Parses an event file's line, judging "in the future" against the job's clock. */
  private static final class ParseJson
      implements org.apache.flink.api.common.functions.MapFunction<String, Incoming> {
    private final java.time.Clock clock;

    ParseJson(java.time.Clock clock) {
      this.clock = clock;
    }

    @Override
    public Incoming map(String line) {
      return EventIntake.fromJson(line, "file", clock.millis());
    }
  }

  private static KafkaSource<Incoming> kafkaSource(JobSettings s) {
    var builder = KafkaSource.<Incoming>builder()
        .setProperties(s.kafka())
        .setBootstrapServers(s.bootstrapServers())
        .setTopics(s.eventsTopic())
        .setGroupId(s.groupId())
        .setStartingOffsets(s.replayFromStart() ? OffsetsInitializer.earliest()
            : OffsetsInitializer.committedOffsets(
                org.apache.kafka.clients.consumer.OffsetResetStrategy.EARLIEST))
        .setDeserializer(new KafkaEventDeserializer(s.clock()))
        .setProperty("partition.discovery.interval.ms", "60000");
    if (s.bounded()) {
      builder.setBounded(OffsetsInitializer.latest());
    }
    return builder.build();
  }

  /**
   * The newest completed checkpoint under a local checkpoint directory (any job's: each process
   * start is a new job id), or null when there is none or the directory is not local. A process
   * killed with kill -9 leaves its retained checkpoints; the next start resumes from the newest, so
   * state and Kafka offsets continue together and nothing is lost or counted twice.
   */
  static String latestCheckpoint(String checkpointDir) throws java.io.IOException {
    if (!checkpointDir.startsWith("file:")) {
      return null;
    }
    Path root = Path.of(java.net.URI.create(checkpointDir));
    if (!java.nio.file.Files.isDirectory(root)) {
      return null;
    }
    try (var files = java.nio.file.Files.find(root, 3, (p, a) ->
        p.getFileName().toString().equals("_metadata")
            && p.getParent().getFileName().toString().startsWith("chk-"))) {
      return files.max(java.util.Comparator.comparing(p -> {
        try {
          return java.nio.file.Files.getLastModifiedTime(p);
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      })).map(p -> p.getParent().toUri().toString()).orElse(null);
    }
  }

  /**
   * Why the job must not start from empty state, or null when it may: with no checkpoint to
   * restore, a consumer group that has committed offsets on the events topic would resume after
   * them, and every event before them would be missing from the profiles for good (a lost or
   * wrong checkpoint directory). Replaying from the start of the topic, or reading a file, is safe.
   *
   * @param checkpoint the checkpoint the job restores, or null
   * @throws Exception if the broker cannot be asked
   */
  static String refusalToStartEmpty(JobSettings s, String checkpoint) throws Exception {
    if (checkpoint != null || s.eventsFile() != null || s.replayFromStart()) {
      return null;
    }
    var p = s.kafka();
    try (var admin = org.apache.kafka.clients.admin.Admin.create(p)) {
      var committed = admin.listConsumerGroupOffsets(s.groupId()).partitionsToOffsetAndMetadata()
          .get(30, java.util.concurrent.TimeUnit.SECONDS);
      long partitions = committed.entrySet().stream()
          .filter(e -> e.getKey().topic().equals(s.eventsTopic()) && e.getValue() != null)
          .count();
      if (partitions == 0) {
        return null;
      }
      return "no checkpoint under " + s.checkpointDir() + ", but consumer group " + s.groupId()
          + " has committed offsets on " + s.eventsTopic() + " (" + partitions + " partitions):"
          + " starting from empty state there would leave every event before those offsets out"
          + " of the profiles. Point --checkpoints at the job's checkpoints, or pass"
          + " --replay-from-start to rebuild the profiles from the beginning of the topic (as far"
          + " as its retention goes; older history comes back through --events-file).";
    }
  }

  /** Runs the job: on a local MiniCluster, or on the cluster {@code flink run} submits it to. */
  public static JobClient start(JobSettings s) throws Exception {
    return start(s, null);
  }

  /** As {@link #start(JobSettings)}, restoring state from {@code checkpoint} when not null. */
  public static JobClient start(JobSettings s, String checkpoint) throws Exception {
    Configuration conf = configuration(s, checkpoint);
    if (submitted(client())) {
      // the cluster's own addresses and memory, and flink run's -p (else the cluster's
      // parallelism.default), win over what a local MiniCluster is given
      LOCAL_CLUSTER_KEYS.forEach(conf::removeKey);
    }
    var env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    build(env, s);
    return env.executeAsync("vigil-profiles");
  }

  /** What {@link #configuration(JobSettings)} sets for a local MiniCluster only. */
  static final List<String> LOCAL_CLUSTER_KEYS = List.of(
      "jobmanager.bind-host", "jobmanager.rpc.address", "taskmanager.bind-host",
      "taskmanager.host", "rest.bind-address", "taskmanager.memory.managed.size",
      "parallelism.default");

  /**
   * The configuration the job is run with before its own settings: a client's ({@code flink
   * run}: target, -p, -s, -d) when submitted through one, a local environment's otherwise.
   */
  static ReadableConfig client() {
    return StreamExecutionEnvironment.getExecutionEnvironment().getConfiguration();
  }

  /** Whether a client submits the job to a cluster (flink run), rather than a local MiniCluster. */
  static boolean submitted(ReadableConfig client) {
    return client.getOptional(DeploymentOptions.TARGET).filter(t -> !t.equals("local"))
        .isPresent();
  }

  /**
   * The job's command line: the options {@link JobSettings#SETTINGS} declares ({@code --help}
   * lists them), read into {@link JobSettings}.
   */
  static final class Cli {
    /** How errors name the job: the command users type, {@code vigil job}. */
    static final String NAME = JobSettings.SETTINGS.program().replaceFirst("^\\./", "");

    private Cli() {}

    /**
     * Runs the job as {@code args} say; the exit code: 0 after {@code --help} or a bounded run,
     * 2 when an option is refused (the message names it and its value) or the job refuses to
     * start on empty state.
     */
    static int execute(String... args) throws Exception {
      JobSettings s;
      try {
        Settings.Arguments arguments = JobSettings.SETTINGS.arguments(args);
        if (arguments.help()) {
          System.out.print(JobSettings.help());
          return 0;
        }
        if (!arguments.positional().isEmpty()) {
          throw new SettingException(arguments.positional().get(0) + ": not an option ("
              + JobSettings.SETTINGS.program() + " --help lists them)");
        }
        s = JobSettings.of(JobSettings.SETTINGS.parse(arguments.given()));
      } catch (SettingException e) {
        System.err.println(NAME + ": " + e.getMessage());
        return 2;
      }
      String dir = s.checkpointDir();
      ReadableConfig client = client();
      // flink run -s: the client restores the savepoint it names, not the newest checkpoint
      String given = client.get(StateRecoveryOptions.SAVEPOINT_PATH);
      String from = given == null && s.resume() && s.eventsFile() == null && !s.replayFromStart()
          ? latestCheckpoint(dir) : null;
      if (from != null || given != null) {
        System.out.println("resuming from " + (from != null ? from : given));
      }
      String refusal = given == null ? refusalToStartEmpty(s, from) : null;
      if (refusal != null) {
        System.err.println(NAME + ": refusing to start: " + refusal);
        return 2;
      }
      JobClient job = start(s, from);
      // one line that says it runs, for ./vigil up's readiness check and for operators
      for (int i = 0; i < 600; i++) {
        var status = job.getJobStatus().get();
        if (status == org.apache.flink.api.common.JobStatus.RUNNING) {
          System.out.println("profile job running (job " + job.getJobID() + ")");
          break;
        }
        if (status.isGloballyTerminalState()) {
          break;
        }
        Thread.sleep(200);
      }
      if (submitted(client) && !client.get(DeploymentOptions.ATTACHED)) {
        return 0; // flink run -d: submitted, the cluster runs it
      }
      job.getJobExecutionResult().get();
      return 0;
    }
  }

  public static void main(String[] args) throws Exception {
    System.exit(Cli.execute(args));
  }
}
