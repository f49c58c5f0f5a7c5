package dev.vigil.scoring.model;

import dev.vigil.features.event.EventCodec;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.registry.ModelCard;
import dev.vigil.registry.ModelRegistry;
import dev.vigil.proto.v1.ActivateModelRequest;
import dev.vigil.proto.v1.ListModelsRequest;
import dev.vigil.proto.v1.ListModelsResponse;
import dev.vigil.proto.v1.ModelAdminGrpc;
import dev.vigil.proto.v1.ModelInfo;
import dev.vigil.proto.v1.ModelRole;
import dev.vigil.proto.v1.RollbackModelRequest;
import dev.vigil.proto.v1.SetChallengerRequest;
import dev.vigil.proto.v1.SetShadowRequest;
import dev.vigil.proto.v1.AuditRecord;
import dev.vigil.proto.v1.ModelChange;
import dev.vigil.scoring.access.Caller;
import dev.vigil.scoring.audit.AuditLog;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Clock;
import java.util.UUID;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.time.Instant;

/**
 * ModelAdmin: the registry's roles over gRPC. Each change is written to the registry, holding
 * its lock (so no replica's or the CLI's change is lost to another's), and then served at once by
 * this process; the other replicas serve it once they reread the registry ({@code
 * vigil.models.poll-ms}); a version this feature
 * library cannot serve is refused with FAILED_PRECONDITION naming the mismatch. Each write is
 * audited: a record naming the caller and the request before it is applied, and one with its
 * outcome after, both on the decisions topic's hash chain.
 */
public final class ModelAdministration extends ModelAdminGrpc.ModelAdminImplBase {
  /** A registry change that answers with the resulting model's info. */
  private interface Change {
    ModelInfo apply(Task task) throws IOException;
  }

  private final ServingModels models;
  private final Runnable onChange;
  private final AuditLog audit;
  private final Clock clock;

  /**
   * @param onChange run after each change that took effect
   * @param audit where each write is recorded, with its caller and outcome
   * @param clock when a change was made, for its audit record
   */
  public ModelAdministration(ServingModels models, Runnable onChange, AuditLog audit,
      Clock clock) {
    this.models = models;
    this.onChange = onChange;
    this.audit = audit;
    this.clock = clock;
  }

  @Override
  public void listModels(ListModelsRequest request, StreamObserver<ListModelsResponse> response) {
    try {
      var out = ListModelsResponse.newBuilder();
      for (Task task : Task.values()) {
        if (request.getTask() == dev.vigil.proto.v1.Task.TASK_UNSPECIFIED
            || request.getTask() == task.wire()) {
          for (String version : models.registry().versions(task)) {
            out.addModels(info(task, version));
          }
        }
      }
      response.onNext(out.build());
      response.onCompleted();
    } catch (IOException e) {
      response.onError(Status.UNAVAILABLE.withDescription("registry unreadable: "
          + e.getMessage()).asRuntimeException());
    }
  }

  @Override
  public void activateModel(ActivateModelRequest request, StreamObserver<ModelInfo> response) {
    change("ActivateModel", request.getTask(), request.getVersion(), 0, response, task -> {
      String version = version(request.getVersion(), false);
      models.registry().activate(task, version);
      return info(task, version);
    });
  }

  @Override
  public void setChallenger(SetChallengerRequest request, StreamObserver<ModelInfo> response) {
    change("SetChallenger", request.getTask(), request.getVersion(), request.getTrafficShare(),
        response, task -> {
      String version = version(request.getVersion(), true);
      if (request.getTrafficShare() < 0 || request.getTrafficShare() > 1) {
        throw new IllegalArgumentException("traffic_share: must be within 0.0-1.0");
      }
      models.registry().setChallenger(task, version, request.getTrafficShare());
      return version == null ? ModelInfo.newBuilder().setTask(request.getTask()).build()
          : info(task, version);
    });
  }

  @Override
  public void setShadow(SetShadowRequest request, StreamObserver<ModelInfo> response) {
    change("SetShadow", request.getTask(), request.getVersion(), 0, response, task -> {
      String version = version(request.getVersion(), true);
      models.registry().setShadow(task, version);
      return version == null ? ModelInfo.newBuilder().setTask(request.getTask()).build()
          : info(task, version);
    });
  }

  @Override
  public void rollbackModel(RollbackModelRequest request, StreamObserver<ModelInfo> response) {
    change("RollbackModel", request.getTask(), "", 0, response, task -> {
      ModelRegistry.Roles roles = models.registry().rollback(task);
      return info(task, roles.champion());
    });
  }

  /**
   * Applies a change and answers with its outcome, after recording who asked for what and how it
   * ended (a change that cannot be recorded is not made: UNAVAILABLE, as for decisions).
   */
  private void change(String action, dev.vigil.proto.v1.Task wire, String requestedVersion,
      double share, StreamObserver<ModelInfo> response, Change change) {
    var record = AuditRecord.newBuilder()
        .setAuditId("adm-" + UUID.randomUUID())
        .setTask(wire)
        .setDecidedAt(EventCodec.timestamp(clock.millis()))
        .setModelChange(ModelChange.newBuilder().setCaller(Caller.currentIdentity())
            .setAction(action).setVersion(requestedVersion).setTrafficShare(share));
    try {
      // recorded before it is made: a change that took effect is never missing from the trail
      audit.writeChange(record.setDecision("REQUESTED").build());
    } catch (StatusRuntimeException e) {
      response.onError(e);
      return;
    }
    Status outcome = Status.OK;
    ModelInfo info = null;
    if (wire == dev.vigil.proto.v1.Task.TASK_UNSPECIFIED
        || wire == dev.vigil.proto.v1.Task.UNRECOGNIZED) {
      outcome = Status.INVALID_ARGUMENT.withDescription("task: is required");
    } else {
      Task task = Task.of(wire);
      try {
        info = change.apply(task);
      } catch (IllegalStateException e) {
        outcome = Status.FAILED_PRECONDITION.withDescription(e.getMessage());
      } catch (IllegalArgumentException e) {
        String message = e.getMessage();
        outcome = Status.INVALID_ARGUMENT.withDescription(
            message.contains(": ") ? message : "version: " + message);
      } catch (IOException e) {
        outcome = Status.UNAVAILABLE.withDescription("registry unwritable: " + e.getMessage());
      }
    }
    record.setAuditId("adm-" + UUID.randomUUID())
        .setDecidedAt(EventCodec.timestamp(clock.millis()))
        .setDecision(outcome.isOk() ? "DONE" : "REFUSED")
        .getModelChangeBuilder().setOutcome(outcome.isOk() ? "OK"
            : outcome.getCode() + ": " + outcome.getDescription());
    try {
      audit.writeChange(record.build());
    } catch (StatusRuntimeException e) {
      // the request is on record; its outcome is what the caller is told either way
    }
    if (!outcome.isOk()) {
      response.onError(outcome.asRuntimeException());
      return;
    }
    models.refresh();
    onChange.run();
    response.onNext(info);
    response.onCompleted();
  }

  private static String version(String version, boolean optional) {
    if (version.isEmpty()) {
      if (optional) {
        return null;
      }
      throw new IllegalArgumentException("version: is required");
    }
    if (!version.matches("v\\d{1,9}")) {
      throw new IllegalArgumentException("version: must look like v1, v2, ...");
    }
    return version;
  }

  private ModelInfo info(Task task, String version) throws IOException {
    ModelCard card = models.registry().card(task, version);
    ModelRegistry.Roles roles = models.registry().roles(task);
    ModelRole role = version.equals(roles.champion()) ? ModelRole.MODEL_ROLE_CHAMPION
        : version.equals(roles.challenger()) ? ModelRole.MODEL_ROLE_CHALLENGER
        : version.equals(roles.shadow()) ? ModelRole.MODEL_ROLE_SHADOW
        : ModelRole.MODEL_ROLE_RETIRED;
    var info = ModelInfo.newBuilder()
        .setTask(task.wire())
        .setModelId(task.id()).setVersion(version)
        .setRole(role).setAlgorithm(card.algorithm())
        .setFeatureSchemaFingerprint(card.featureSchemaFingerprint())
        .setTrafficShare(role == ModelRole.MODEL_ROLE_CHALLENGER ? roles.challengerShare()
            : role == ModelRole.MODEL_ROLE_CHAMPION ? 1.0 : 0.0);
    if (card.metrics() != null) {
      info.putAllMetrics(card.metrics());
    }
    if (card.publishedAt() != null) {
      try {
        info.setPublishedTime(EventCodec.timestamp(Instant.parse(card.publishedAt())
            .toEpochMilli()));
      } catch (RuntimeException ignored) {
        // a card written by hand may carry no parseable time
      }
    }
    return info.build();
  }

}
