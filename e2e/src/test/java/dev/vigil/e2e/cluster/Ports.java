package dev.vigil.e2e.cluster;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free loopback ports for the cluster's processes, below Linux's ephemeral range (32768 and up):
 * a port the system hands out for outgoing connections could be taken between choosing it and a
 * process binding it (a restarted broker binds its ports again).
 */
final class Ports {
  private static final Set<Integer> GIVEN = new HashSet<>();

  private Ports() {}

  static synchronized int free() {
    for (int attempt = 0; attempt < 1000; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(20_000, 32_000);
      if (GIVEN.contains(port)) {
        continue;
      }
      try (var socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        GIVEN.add(port);
        return port;
      } catch (IOException taken) {
        // another one
      }
    }
    throw new IllegalStateException("no free port between 20000 and 32000 on loopback");
  }
}
