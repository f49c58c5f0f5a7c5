package dev.vigil.scoring.score;

import com.google.protobuf.Message;
import dev.vigil.features.event.Event;
import dev.vigil.features.profile.FeatureCatalogue.Task;
import dev.vigil.features.profile.FeatureInputs;
import dev.vigil.scoring.policy.RequestFacts;

/**
 * One call to score, as its task's adapter validated it: what the {@link Pipeline} needs and
 * nothing of the request's own shape.
 *
 * @param requestId the caller's, or one generated
 * @param asOfMillis the time the call is scored as of (the event's time, or a delinquency as_of)
 * @param current the event scored (a transaction, a deposit); null when there is none
 * @param keys the profiles the task reads
 * @param request the request as received, whose keyed hash the audit record keeps
 * @param facts what the policy's conditions may read of the request
 * @param startNanos {@link System#nanoTime()} when the call arrived, for the recorded latency
 */
public record Call(Task task, String requestId, long asOfMillis, Event current,
    FeatureInputs.Keys keys, Message request, RequestFacts facts, long startNanos) {}
