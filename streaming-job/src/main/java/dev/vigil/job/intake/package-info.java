/**
 * What comes into the profile job and how it travels to the folds: records parsed and validated
 * once ({@link EventIntake}, {@link Validate}), events set aside beyond the horizon and
 * de-duplicated per account ({@link Dedupe}), then routed to every entity whose profile folds them
 * ({@link Route}, {@link Routed}); typed in flight by serializers of their own.
 */
package dev.vigil.job.intake;
