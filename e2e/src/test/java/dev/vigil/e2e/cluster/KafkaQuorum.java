package dev.vigil.e2e.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;

/**
 * Kafka as a bank runs it: three KRaft brokers, each its own JVM (kafka.Kafka with a
 * server.properties), each broker and controller at once, one controller quorum of three; storage
 * formatted first with Kafka's StorageTool. Every Vigil topic is replicated three times and takes
 * a write once two replicas have it.
 */
final class KafkaQuorum implements AutoCloseable {
  /**
   * Vigil's topics as provisioned here: partitions, replication 3, min.insync.replicas 2, and
   * retention or compaction.
   *
   * @param name the topic
   * @param partitions its partitions
   * @param config its topic configuration beside min.insync.replicas
   */
  record Topic(String name, int partitions, Map<String, String> config) {
    String describe() {
      return name + ": " + partitions + " partitions, replication 3, min.insync.replicas 2, "
          + config.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).sorted()
              .collect(Collectors.joining(", "));
    }
  }

  static final long DAY_MS = Duration.ofDays(1).toMillis();
  static final List<Topic> TOPICS = List.of(
      // retention counted from arrival (append time), whatever time a pipeline stamps
      new Topic("vigil.events", 4, Map.of("retention.ms", Long.toString(7 * DAY_MS),
          "message.timestamp.type", "LogAppendTime")),
      // newest version per key kept for ever: the service rebuilds its store from it
      new Topic("vigil.profiles", 4, Map.of("cleanup.policy", "compact")),
      new Topic("vigil.events.dead-letters", 1, Map.of("retention.ms",
          Long.toString(30 * DAY_MS), "message.timestamp.type", "LogAppendTime")),
      // the audit trail: seven years of a lender's record-keeping
      new Topic("vigil.decisions", 4, Map.of("retention.ms",
          Long.toString((7 * 365 + 2) * DAY_MS))));

  private final List<Node> brokers = new ArrayList<>();
  private final List<Integer> ports;

  private KafkaQuorum(List<Integer> ports) {
    this.ports = ports;
  }

  /**
   * Formats three brokers' storage under {@code dir} and starts them from {@code classpath}
   * (kafka_2.13 and what it needs), their logs in {@code logs}.
   */
  static KafkaQuorum start(Path dir, String classpath, Path logs, String java)
      throws IOException, InterruptedException {
    List<Integer> client = new ArrayList<>();
    List<Integer> controller = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      client.add(Ports.free());
      controller.add(Ports.free());
    }
    String voters = "";
    for (int i = 0; i < 3; i++) {
      voters += (i > 0 ? "," : "") + (i + 1) + "@127.0.0.1:" + controller.get(i);
    }
    String clusterId = Uuid.randomUuid().toString();
    var quorum = new KafkaQuorum(client);
    for (int i = 0; i < 3; i++) {
      int id = i + 1;
      Path properties = dir.resolve("broker-" + id + ".properties");
      Files.createDirectories(dir);
      Files.writeString(properties, String.join("\n",
          "process.roles=broker,controller",
          "node.id=" + id,
          "controller.quorum.voters=" + voters,
          "listeners=PLAINTEXT://127.0.0.1:" + client.get(i) + ",CONTROLLER://127.0.0.1:"
              + controller.get(i),
          "advertised.listeners=PLAINTEXT://127.0.0.1:" + client.get(i),
          "controller.listener.names=CONTROLLER",
          "inter.broker.listener.name=PLAINTEXT",
          "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
          "log.dirs=" + dir.resolve("data-" + id),
          "default.replication.factor=3",
          "min.insync.replicas=2",
          "offsets.topic.replication.factor=3",
          "transaction.state.log.replication.factor=3",
          "transaction.state.log.min.isr=2",
          "auto.create.topics.enable=false",
          "unclean.leader.election.enable=false",
          "group.initial.rebalance.delay.ms=0",
          "num.network.threads=2",
          "num.io.threads=2",
          "log.cleaner.threads=1",
          ""));
      var format = new Node("kafka-format-" + id, List.of(java, "-Xmx256m", "-cp", classpath,
          "kafka.tools.StorageTool", "format", "-t", clusterId, "-c", properties.toString()),
          Map.of(), logs).start();
      if (format.waitFor(120) != 0) {
        throw new IOException("formatting broker " + id + "'s storage failed\n" + format.tail());
      }
      quorum.brokers.add(new Node("kafka-" + id, List.of(java, "-Xms512m", "-Xmx512m",
          "-XX:+UseG1GC", "-cp", classpath, "kafka.Kafka", properties.toString()), Map.of(),
          logs));
    }
    for (Node b : quorum.brokers) {
      b.start();
    }
    return quorum;
  }

  String bootstrapServers() {
    return ports.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
  }

  Properties client() {
    var p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    return p;
  }

  /** Waits until all three brokers are in the cluster, then creates Vigil's topics. */
  void createTopics() throws Exception {
    try (var admin = Admin.create(client())) {
      Deadline.await("three brokers in the cluster", Duration.ofMinutes(3), 500, () -> {
        try {
          return admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).size() == 3;
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      var topics = new ArrayList<NewTopic>();
      for (Topic t : TOPICS) {
        var config = new HashMap<>(t.config());
        config.put("min.insync.replicas", "2");
        topics.add(new NewTopic(t.name(), t.partitions(), (short) 3).configs(config));
      }
      admin.createTopics(topics).all().get(2, TimeUnit.MINUTES);
    }
  }

  Node broker(int index) {
    return brokers.get(index);
  }

  /** Waits until every partition of {@code topics} has all three replicas in sync again. */
  void awaitFullySynced(Duration limit) throws InterruptedException {
    try (var admin = Admin.create(client())) {
      Deadline.await("every partition has 3 in-sync replicas", limit, 1000, () -> {
        try {
          return admin.describeTopics(TOPICS.stream().map(Topic::name).toList()).allTopicNames()
              .get(10, TimeUnit.SECONDS).values().stream()
              .allMatch(d -> d.partitions().stream().allMatch(p -> p.isr().size() == 3));
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
    }
  }

  @Override
  public void close() throws InterruptedException {
    for (Node b : brokers) {
      b.close();
    }
  }
}
