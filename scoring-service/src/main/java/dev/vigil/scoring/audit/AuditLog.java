package dev.vigil.scoring.audit;

import dev.vigil.features.profile.FeatureCatalogue;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.proto.v1.AuditRecord;
import io.grpc.Status;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps each decision's audit record, keyed by audit id, in the {@link AuditSpool} on the
 * service's disk, from which it reaches the decisions topic. The answer waits for the spool's
 * write (a disk append), never for Kafka.
 */
public final class AuditLog {
  private static final Logger log = LoggerFactory.getLogger(AuditLog.class);

  private final AuditSpool spool;
  private final Map<Task, FeatureValues> features = new EnumMap<>(Task.class);

  public AuditLog(AuditSpool spool) {
    this.spool = spool;
    for (Task task : Task.values()) {
      features.put(task, new FeatureValues(FeatureCatalogue.of(task).names()));
    }
  }

  /**
   * Keeps {@code record} with the feature values the model received ({@code values}, in the
   * order of {@code task}'s feature set) as its {@code features} map.
   *
   * @throws io.grpc.StatusRuntimeException UNAVAILABLE if the record cannot be kept and the spool
   *     is configured to refuse calls then (the decision must not be given unrecorded)
   */
  public void write(AuditRecord record, Task task, double[] values) {
    keep(record, features.get(task).encode(record, values));
  }

  /**
   * Keeps the record of a change that decides nothing (a ModelAdmin write), as it is.
   *
   * @throws io.grpc.StatusRuntimeException UNAVAILABLE as {@link #write} does
   */
  public void writeChange(AuditRecord record) {
    keep(record, record.toByteArray());
  }

  private void keep(AuditRecord record, byte[] bytes) {
    AuditSpool.Appended kept;
    try {
      kept = spool.append(record.getAuditId().getBytes(StandardCharsets.UTF_8), bytes,
          record.getDecidedAt().getSeconds() * 1000 + record.getDecidedAt().getNanos() / 1_000_000);
    } catch (UncheckedIOException e) {
      log.error("audit record {} not kept: {}", record.getAuditId(), e.getCause().toString());
      throw Status.UNAVAILABLE.withDescription("the decision could not be recorded (audit spool:"
          + " " + e.getCause().getClass().getSimpleName() + "); retry").asRuntimeException();
    }
    switch (kept) {
      case KEPT -> { }
      case REFUSED -> throw Status.UNAVAILABLE.withDescription("the audit spool is full (the"
          + " decisions topic has not taken its records): no decision is given unrecorded; retry"
          + " later").asRuntimeException();
      case DROPPED -> log.error("audit record {} not kept: the audit spool is full",
          record.getAuditId());
    }
  }
}
