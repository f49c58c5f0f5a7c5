package dev.vigil.e2e.cluster;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Scoring-service replicas from the release (bin/vigil-service), each with its own port, state
 * directory and metrics port, sharing the model registry directory and one audit token key;
 * mutual TLS with certificates made by the tools' {@code bin/vigil tls init}.
 */
final class ServiceReplicas implements AutoCloseable {
  private final Release release;
  private final Path tls;
  private final List<Node> replicas = new ArrayList<>();
  private final List<InetSocketAddress> addresses = new ArrayList<>();
  private final List<Integer> metricsPorts = new ArrayList<>();

  private final Path dir;
  private final Path logs;
  private final Path registry;
  private final Path key;
  private final String bootstrap;

  private ServiceReplicas(Release release, Path tls, Path dir, Path logs, Path registry, Path key,
      String bootstrap) {
    this.release = release;
    this.tls = tls;
    this.dir = dir;
    this.logs = logs;
    this.registry = registry;
    this.key = key;
    this.bootstrap = bootstrap;
  }

  /**
   * Makes the certificates and the seeded default models with the release's tools, a shared
   * token key, and starts {@code count} replicas against Kafka at {@code bootstrap}.
   */
  static ServiceReplicas start(Release release, Path dir, Path logs, String bootstrap, int count)
      throws IOException, InterruptedException {
    Path tls = dir.resolve("tls");
    Path registry = dir.resolve("models");
    Files.createDirectories(registry);
    tool(release, logs, "tls-init", 120, "tls", "init", "--dir", tls.toString());
    tool(release, logs, "models-defaults", 900, "models", "defaults", "--registry",
        registry.toString());
    Path key = dir.resolve("audit-token.key");
    if (!Files.exists(key)) {
      byte[] bytes = new byte[32];
      new SecureRandom().nextBytes(bytes);
      Files.createFile(key, PosixFilePermissions.asFileAttribute(
          PosixFilePermissions.fromString("rw-------")));
      Files.write(key, bytes);
    }
    var replicas = new ServiceReplicas(release, tls, dir, logs, registry, key, bootstrap);
    for (int i = 0; i < count; i++) {
      replicas.add();
    }
    return replicas;
  }

  /** Starts one more replica, its state directory empty: it fills its store from the topic. */
  Node add() throws IOException {
    int index = replicas.size() + 1;
    int port = Ports.free();
    int metrics = Ports.free();
    var env = new HashMap<String, String>();
    env.put("VIGIL_PORT", Integer.toString(port));
    env.put("VIGIL_METRICS_PORT", Integer.toString(metrics));
    env.put("VIGIL_STATE_DIR", dir.resolve("replica-" + index).toString());
    env.put("VIGIL_MODELS_REGISTRY", registry.toString());
    env.put("VIGIL_AUDIT_TOKEN_KEY_FILE", key.toString());
    env.put("VIGIL_KAFKA_BOOTSTRAP_SERVERS", bootstrap);
    env.put("VIGIL_TLS_CERT_FILE", tls.resolve("server.pem").toString());
    env.put("VIGIL_TLS_KEY_FILE", tls.resolve("server.key").toString());
    env.put("VIGIL_TLS_CLIENT_CA_FILE", tls.resolve("ca.pem").toString());
    env.put("VIGIL_ACCESS_ROLES_FILE", tls.resolve("roles.yaml").toString());
    env.put("JAVA_OPTS", "-Xmx768m");
    var node = new Node("service-" + index, List.of(release.serviceLauncher().toString()), env,
        logs);
    replicas.add(node);
    addresses.add(new InetSocketAddress("127.0.0.1", port));
    metricsPorts.add(metrics);
    return node.start();
  }

  /** Runs the release's {@code bin/vigil args}; fails with its log unless it exits 0. */
  static Node tool(Release release, Path logs, String name, int seconds, String... args)
      throws IOException, InterruptedException {
    var command = new ArrayList<>(List.of(release.toolsLauncher().toString()));
    command.addAll(List.of(args));
    var node = new Node(name, command, Map.of(), logs).start();
    int code = node.waitFor(seconds);
    if (code != 0) {
      throw new IOException("bin/vigil " + String.join(" ", args) + " exited with " + code + "\n"
          + node.tail());
    }
    return node;
  }

  List<InetSocketAddress> addresses() {
    return addresses;
  }

  Node replica(int index) {
    return replicas.get(index);
  }

  List<Integer> metricsPorts() {
    return metricsPorts;
  }

  Path tls() {
    return tls;
  }

  /** A mutual-TLS channel to replica {@code index} alone, as client {@code name}. */
  ManagedChannel direct(int index, String name) throws IOException {
    return Grpc.newChannelBuilderForAddress("localhost", addresses.get(index).getPort(),
        credentials(name)).build();
  }

  TlsChannelCredentials.Builder credentialsBuilder(String name) throws IOException {
    return TlsChannelCredentials.newBuilder().trustManager(tls.resolve("ca.pem").toFile())
        .keyManager(tls.resolve(name + ".pem").toFile(), tls.resolve(name + ".key").toFile());
  }

  ChannelCredentials credentials(String name) throws IOException {
    return credentialsBuilder(name).build();
  }

  /** Waits until every running replica answers its health check SERVING (its store caught up). */
  void awaitServing(Duration limit) throws IOException, InterruptedException {
    for (int i = 0; i < replicas.size(); i++) {
      if (replicas.get(i).alive()) {
        awaitServing(i, limit);
      }
    }
  }

  /** Waits until replica {@code index} answers its health check SERVING. */
  void awaitServing(int index, Duration limit) throws IOException, InterruptedException {
    Node replica = replicas.get(index);
    ManagedChannel channel = direct(index, "admin");
    try {
      Deadline.await(replica.name() + " SERVING", limit, 250, () -> {
        if (!replica.alive()) {
          throw new IllegalStateException(replica.name() + " exited\n" + replica.tail());
        }
        return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.SECONDS)
            .check(HealthCheckRequest.getDefaultInstance()).getStatus()
            == ServingStatus.SERVING;
      });
    } finally {
      channel.shutdownNow();
    }
  }

  @Override
  public void close() throws InterruptedException {
    for (Node r : replicas) {
      r.close();
    }
  }
}
