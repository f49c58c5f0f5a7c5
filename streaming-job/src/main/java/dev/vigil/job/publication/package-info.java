/**
 * When a fold publishes an entity's new profile ({@link Publication}, a throttle per entity with a
 * leading edge; {@link Throttled}, the fold's side of it) and what it publishes ({@link
 * ProfileUpdate}).
 */
package dev.vigil.job.publication;
