/**
 * The keyed folds: each event taken into its entity's profile by the feature library's step ({@link
 * ProfileFold}), the decoded profiles a subtask keeps and the writes to keyed state it defers
 * ({@link KeptProfiles}), everything held published and written before a checkpoint barrier ({@link
 * ProfileFoldOperator}), and the local half of the two-phase merchant fold ({@link LocalBundles}).
 */
package dev.vigil.job.fold;
