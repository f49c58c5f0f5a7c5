package dev.vigil.testkit;

import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.JaasUtils;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.PreboundSocketFactoryManager;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real single-node Kafka (KRaft, broker and controller combined) in this JVM, for tests and
 * harnesses of every module.
 */
public final class EmbeddedKafka implements AutoCloseable {
  private final KafkaClusterTestKit cluster;
  private final Properties client = new Properties();
  private PortForwarder forwarder;

  /** The cluster id of a persistent broker: fixed, so that its logs are found again. */
  private static final String LOCAL_CLUSTER_ID = "dmlnaWwtbG9jYWwtMDAwMQ";

  /** A broker whose data lives in a temporary directory, deleted on close. */
  public EmbeddedKafka() throws Exception {
    this(null);
  }

  /**
   * A broker whose data lives in {@code dataDir} and survives a restart (null: a temporary
   * directory, deleted on close). The directory is formatted only the first time.
   */
  public EmbeddedKafka(Path dataDir) throws Exception {
    this(dataDir, 0);
  }

  /**
   * As {@link #EmbeddedKafka(java.nio.file.Path)}, reachable at 127.0.0.1:{@code port} when
   * {@code port} is positive, so that a broker restarted on the same data directory is found
   * again at the same address; 0: a free port. (The test kit binds free ports of its own: the
   * broker advertises {@code port}, and a forwarder there passes connections on.)
   */
  public EmbeddedKafka(Path dataDir, int port) throws Exception {
    this(dataDir, port, false);
  }

  /**
   * A broker (temporary data, a free port) that takes SASL_PLAINTEXT connections only, with the
   * PLAIN mechanism and the user {@code plain-admin}: clients must be given {@link
   * #clientProperties()}, as a bank's brokers demand credentials of every client.
   */
  public static EmbeddedKafka withSasl() throws Exception {
    return new EmbeddedKafka(null, 0, true);
  }

  private EmbeddedKafka(Path dataDir, int port, boolean sasl) throws Exception {
    var nodes = new TestKitNodes.Builder().setCombined(true).setNumBrokerNodes(1)
        .setNumControllerNodes(1);
    if (sasl) {
      nodes.setBrokerSecurityProtocol(
          SecurityProtocol.SASL_PLAINTEXT)
          .setControllerSecurityProtocol(
              SecurityProtocol.SASL_PLAINTEXT);
      client.put("security.protocol", "SASL_PLAINTEXT");
      client.put("sasl.mechanism", "PLAIN");
      client.put("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule"
          + " required username=\"" + JaasUtils.KAFKA_PLAIN_ADMIN
          + "\" password=\"" + JaasUtils.KAFKA_PLAIN_ADMIN_PASSWORD
          + "\";");
    }
    boolean formatted = false;
    if (dataDir != null) {
      Files.createDirectories(dataDir);
      nodes.setBaseDirectory(dataDir).setClusterId(LOCAL_CLUSTER_ID);
      try (var found = Files.find(dataDir, 4,
          (f, a) -> f.getFileName().toString().equals("meta.properties"))) {
        formatted = found.findAny().isPresent();
      }
    }
    var builder = new KafkaClusterTestKit.Builder(nodes.build());
    if (port > 0) {
      builder.setConfigProp("listeners", "EXTERNAL://127.0.0.1:" + port
          + ",CONTROLLER://127.0.0.1:" + (port + 1));
    }
    cluster = builder
        .setConfigProp("offsets.topic.replication.factor", "1")
        .setConfigProp("transaction.state.log.replication.factor", "1")
        .setConfigProp("transaction.state.log.min.isr", "1")
        .setConfigProp("group.initial.rebalance.delay.ms", "0")
        // no time-based retention unless a topic sets its own: tests stamp records with fixed
        // clocks, days or months from the broker's wall clock, and the broker's retention check
        // (30 s after it starts, then every 5 minutes) deleted them mid-test, whenever it ran
        .setConfigProp("log.retention.ms", "-1")
        .setDeleteOnClose(dataDir == null)
        .build();
    // the port the test kit chose, read before its socket is closed (and bound again, on
    // loopback, by the broker)
    int bound = port > 0 ? boundPort("EXTERNAL") : 0;
    loopbackOnly();
    if (!formatted) {
      cluster.format();
    }
    cluster.startup();
    cluster.waitForReadyBrokers();
    if (port > 0) {
      forwarder = new PortForwarder(port, bound);
    }
  }

  /**
   * The test kit binds its listeners' ports on every interface before the broker starts; closed
   * here, they are bound again by the broker on the host its listeners name (localhost), so the
   * broker is reachable from this machine only.
   */
  @SuppressWarnings("unchecked")
  private void loopbackOnly() throws Exception {
    var field = KafkaClusterTestKit.class.getDeclaredField("socketFactoryManager");
    field.setAccessible(true);
    Object manager = field.get(cluster);
    var sockets = PreboundSocketFactoryManager.class
        .getDeclaredField("sockets");
    sockets.setAccessible(true);
    synchronized (manager) {
      for (var byListener : ((Map<Integer, Map<String, ServerSocketChannel>>)
          sockets.get(manager)).values()) {
        for (var channel : byListener.values()) {
          channel.close();
        }
      }
    }
  }

  /** The port the test kit bound for a listener of the broker (node 0). */
  private int boundPort(String listener) throws Exception {
    var field = KafkaClusterTestKit.class.getDeclaredField("socketFactoryManager");
    field.setAccessible(true);
    var manager = (PreboundSocketFactoryManager) field.get(cluster);
    return manager.getOrCreatePortForListener(0, listener);
  }

  public String bootstrapServers() {
    return cluster.bootstrapServers();
  }

  /** What a client needs beside the bootstrap servers: SASL settings, or nothing. */
  public Properties clientProperties() {
    var p = new Properties();
    p.putAll(client);
    return p;
  }

  private Properties clientWith(String key, Object value) {
    var p = clientProperties();
    p.put(key, value);
    return p;
  }

  /**
   * The offsets {@code groupId} has committed on {@code topic}, summed over its partitions (0
   * before any commit): how far a consumer such as the streaming job has confirmed reading.
   */
  public long committedOffsets(String groupId, String topic) throws Exception {
    try (var admin = Admin.create(
        clientWith("bootstrap.servers", bootstrapServers()))) {
      return admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get()
          .entrySet().stream().filter(e -> e.getKey().topic().equals(topic) && e.getValue() != null)
          .mapToLong(e -> e.getValue().offset()).sum();
    }
  }

  public void createTopic(String name, int partitions, boolean compacted) throws Exception {
    createTopic(name, partitions, compacted, Map.of());
  }

  public void createTopic(String name, int partitions, boolean compacted, Map<String, String> configs)
      throws Exception {
    try (var admin = Admin.create(
        clientWith("bootstrap.servers", bootstrapServers()))) {
      var all = new HashMap<>(configs);
      if (compacted) {
        all.put("cleanup.policy", "compact");
      }
      try {
        admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(all)))
            .all().get();
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw e;
        }
      }
    }
  }

  public KafkaProducer<byte[], byte[]> producer() {
    var p = clientWith(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  public void produce(String topic, List<ProducerRecord<byte[], byte[]>> records) throws Exception {
    try (var producer = producer()) {
      var acks = new ArrayList<Future<?>>();
      for (var r : records) {
        acks.add(producer.send(r));
      }
      for (var ack : acks) {
        ack.get();
      }
    }
  }

  /** Every record of {@code topic}, from the beginning to its current end. */
  public List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
    return readAll(bootstrapServers(), clientProperties(), topic);
  }

  /** Every record of {@code topic} on the broker at {@code bootstrapServers}, to its end. */
  public static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrapServers,
      String topic) {
    return readAll(bootstrapServers, new Properties(), topic);
  }

  private static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrapServers,
      Properties client, String topic) {
    var p = new Properties();
    p.putAll(client);
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    try (var consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      var partitions = consumer.partitionsFor(topic).stream()
          .map(i -> new TopicPartition(topic, i.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      var records = new ArrayList<ConsumerRecord<byte[], byte[]>>();
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("could not read " + topic + " to its end");
        }
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
      return records;
    }
  }

  /**
   * The value of the first record of {@code topic} whose key is {@code key} (UTF-8), waiting up
   * to {@code timeout} for it to arrive.
   *
   * @throws AssertionError when no such record arrives in time
   */
  public byte[] awaitValue(String topic, String key, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      for (var r : readAll(topic)) {
        if (r.key() != null && new String(r.key(), StandardCharsets.UTF_8)
            .equals(key)) {
          return r.value();
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no record with key " + key + " on " + topic + " within "
        + timeout);
  }

  @Override
  public void close() throws Exception {
    if (forwarder != null) {
      forwarder.close();
    }
    cluster.close();
  }
}
