package dev.vigil.scoring.access;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.function.Supplier;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Lets a call through only if its caller holds the role its method requires ({@link
 * Permissions}): no client certificate is UNAUTHENTICATED, the wrong role PERMISSION_DENIED,
 * each refusal counted by method and reason. The caller's identity comes from the certificate the
 * TLS handshake verified against the configured CA; the call runs with it in {@link
 * Caller#CURRENT}, so a handler can record who acted.
 */
public final class AccessGate implements ServerInterceptor {
  /** Where refusals are counted. */
  public interface Refusals {
    /**
     * @param method the full method name
     * @param reason {@code unauthenticated} or {@code permission_denied}
     */
    void refused(String method, String reason);
  }

  private final Supplier<RoleBook> roles;
  private final boolean plaintext;
  private final Refusals refusals;

  /**
   * @param roles the roles in force, asked on every call (a reread file takes effect at once)
   * @param plaintext true when the port has no TLS (loopback only): every caller is then
   *     {@link Caller#LOOPBACK}, holding what the roles file grants that identity
   * @param refusals where refusals are counted
   */
  public AccessGate(Supplier<RoleBook> roles, boolean plaintext, Refusals refusals) {
    this.roles = roles;
    this.plaintext = plaintext;
    this.refusals = refusals;
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
      ServerCallHandler<Q, A> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    Permissions.Need need = Permissions.of(method);
    if (need instanceof Permissions.Open) {
      return next.startCall(call, headers);
    }
    Optional<Caller> caller = caller(call);
    if (caller.isEmpty()) {
      return refuse(call, method, "unauthenticated", Status.UNAUTHENTICATED.withDescription(
          "no client certificate: present one issued by the service's client CA"));
    }
    String identity = caller.get().identity();
    if (need instanceof Permissions.NoOne) {
      return refuse(call, method, "permission_denied", Status.PERMISSION_DENIED
          .withDescription(method + " is not open to any role"));
    }
    var held = roles.get().rolesOf(identity);
    if (need instanceof Permissions.Holds holds && !held.contains(holds.role())) {
      return refuse(call, method, "permission_denied", Status.PERMISSION_DENIED
          .withDescription("'" + identity + "' does not hold the role " + holds.role().id()
              + " that " + method + " requires"));
    }
    if (need instanceof Permissions.Authenticated && held.isEmpty()) {
      return refuse(call, method, "permission_denied", Status.PERMISSION_DENIED
          .withDescription("'" + identity + "' holds no role"));
    }
    return Contexts.interceptCall(Context.current().withValue(Caller.CURRENT, caller.get()), call,
        headers, next);
  }

  private Optional<Caller> caller(ServerCall<?, ?> call) {
    SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
    if (session == null) {
      return plaintext ? Optional.of(new Caller(Caller.LOOPBACK)) : Optional.empty();
    }
    try {
      Certificate[] chain = session.getPeerCertificates();
      if (chain.length > 0 && chain[0] instanceof X509Certificate leaf) {
        return Caller.of(leaf);
      }
    } catch (SSLPeerUnverifiedException e) {
      // no client certificate was presented
    }
    return Optional.empty();
  }

  private <Q, A> ServerCall.Listener<Q> refuse(ServerCall<Q, A> call, String method,
      String reason, Status status) {
    refusals.refused(method, reason);
    call.close(status, new Metadata());
    return new ServerCall.Listener<>() {};
  }
}
