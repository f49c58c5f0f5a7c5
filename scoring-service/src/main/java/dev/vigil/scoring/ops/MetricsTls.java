package dev.vigil.scoring.ops;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * How {@code /metrics} is served ({@code vigil.metrics.tls}): secure by default, plain HTTP on a
 * loopback address only. Over TLS a client certificate issued by the client CA is required at the
 * handshake, and its identity must hold the {@code metrics} role.
 */
public enum MetricsTls {
  /** Plain HTTP on a loopback address, mutual TLS on any other. */
  AUTO,
  /** Mutual TLS on every address. */
  MUTUAL,
  /** Plain HTTP: refused unless the bind address is a loopback one. */
  OFF;

  /**
   * Whether {@code /metrics} on {@code bindAddress} is served over mutual TLS.
   *
   * @throws IllegalStateException naming vigil.metrics.tls and vigil.metrics.bind-address when
   *     plain HTTP is asked for beyond loopback, or the address does not resolve
   */
  public boolean overTls(String bindAddress) {
    boolean loopback;
    try {
      loopback = InetAddress.getByName(bindAddress).isLoopbackAddress();
    } catch (UnknownHostException e) {
      throw new IllegalStateException("vigil.metrics.bind-address: " + bindAddress
          + " does not resolve", e);
    }
    return switch (this) {
      case MUTUAL -> true;
      case AUTO -> !loopback;
      case OFF -> {
        if (!loopback) {
          throw new IllegalStateException("vigil.metrics.tls=off (plain HTTP) is allowed on a"
              + " loopback address only, and vigil.metrics.bind-address is " + bindAddress
              + ": use vigil.metrics.tls=auto or mutual (Prometheus then scrapes with a client"
              + " certificate holding the metrics role)");
        }
        yield false;
      }
    };
  }
}
