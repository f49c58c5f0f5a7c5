/**
 * What the profile job writes to Kafka: profile updates to the compacted profiles topic ({@link
 * ProfileRecordSerializer}) and refused records to the dead letters ({@link DeadLetterSerializer}).
 */
package dev.vigil.job.sinks;
