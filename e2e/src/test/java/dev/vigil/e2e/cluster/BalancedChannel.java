package dev.vigil.e2e.cluster;

import dev.vigil.proto.v1.ProfileServiceGrpc;
import dev.vigil.proto.v1.ScoringServiceGrpc;
import io.grpc.ChannelCredentials;
import io.grpc.EquivalentAddressGroup;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;
import io.grpc.NameResolverRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * A client of several replicas behind one name, as grpc-java balances them: a static list of
 * addresses ({@code static:///NAME}, resolved by {@link StaticAddresses}), round-robin balancing,
 * and a retry policy for UNAVAILABLE on the scoring and profile calls (a replica that dies under a
 * call: the call goes to another).
 */
final class BalancedChannel {
  /** Attempts per call, the first included. */
  static final int MAX_ATTEMPTS = 5;

  private BalancedChannel() {}

  /** The grpc-java service configuration: round robin, retries of UNAVAILABLE. */
  static Map<String, Object> serviceConfig() {
    Map<String, Object> retry = Map.of(
        "maxAttempts", (double) MAX_ATTEMPTS,
        "initialBackoff", "0.1s",
        "maxBackoff", "2s",
        "backoffMultiplier", 2.0,
        "retryableStatusCodes", List.of("UNAVAILABLE"));
    Map<String, Object> method = Map.of(
        "name", List.of(Map.of("service", ScoringServiceGrpc.SERVICE_NAME),
            Map.of("service", ProfileServiceGrpc.SERVICE_NAME)),
        "retryPolicy", retry);
    return Map.of(
        "loadBalancingConfig", List.of(Map.of("round_robin", Map.of())),
        "methodConfig", List.of(method));
  }

  /** A channel to every address in {@code replicas}, named {@code name}. */
  static ManagedChannel of(String name, List<InetSocketAddress> replicas,
      ChannelCredentials credentials) {
    NameResolverRegistry.getDefaultRegistry().register(new StaticAddresses(name, replicas));
    return Grpc.newChannelBuilder("static:///" + name, credentials)
        .overrideAuthority("localhost")
        .defaultServiceConfig(serviceConfig())
        .enableRetry()
        .build();
  }

  /** Resolves {@code static:///NAME} to a fixed list of addresses. */
  static final class StaticAddresses extends NameResolverProvider {
    private final String name;
    private final List<EquivalentAddressGroup> groups;

    StaticAddresses(String name, List<InetSocketAddress> addresses) {
      this.name = name;
      this.groups = addresses.stream().map(EquivalentAddressGroup::new).toList();
    }

    @Override
    protected boolean isAvailable() {
      return true;
    }

    @Override
    protected int priority() {
      return 5;
    }

    @Override
    public String getDefaultScheme() {
      return "static";
    }

    @Override
    public NameResolver newNameResolver(URI target, NameResolver.Args args) {
      if (!"static".equals(target.getScheme()) || !("/" + name).equals(target.getPath())) {
        return null;
      }
      return new NameResolver() {
        @Override
        public String getServiceAuthority() {
          return "localhost";
        }

        @Override
        public void start(Listener2 listener) {
          listener.onResult(ResolutionResult.newBuilder().setAddresses(groups).build());
        }

        @Override
        public void shutdown() {}
      };
    }
  }
}
