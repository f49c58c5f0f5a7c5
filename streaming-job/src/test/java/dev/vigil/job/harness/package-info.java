/**
 * The streaming job's throughput harness ({@code ./vigil job-bench}): a command, not a test, with
 * the metric reporter that samples how busy each task is.
 */
package dev.vigil.job.harness;
