package dev.vigil.job;

/** An event (or a cross-entity signal) on its way to one entity's profile. A Flink POJO. */
public class Routed {
  public static final int EVENT = 0;
  /** A check profile saw this deposit's check before: the account records a duplicate. */
  public static final int DUPLICATE_PRESENTMENT = 1;

  /** The entity key, {@code TYPE/id}. */
  public String key;
  public int kind;
  /** EVENT: the event's protobuf bytes. DUPLICATE_PRESENTMENT: the deposit id in UTF-8. */
  public byte[] payload;
  public long time;

  public Routed() {}

  Routed(String key, int kind, byte[] payload, long time) {
    this.key = key;
    this.kind = kind;
    this.payload = payload;
    this.time = time;
  }
}
