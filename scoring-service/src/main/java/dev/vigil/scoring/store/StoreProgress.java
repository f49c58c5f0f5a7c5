package dev.vigil.scoring.store;

/** How far the online store has come with the profiles topic ({@link ProfileMaterializer}). */
public interface StoreProgress {
  /** True once the store holds what the topic held when reading started. */
  boolean caughtUp();

  /** True while reading runs and did not last fail. */
  boolean healthy();

  /** Records of the topic not yet in the store (-1: not known yet). */
  long lag();
}
