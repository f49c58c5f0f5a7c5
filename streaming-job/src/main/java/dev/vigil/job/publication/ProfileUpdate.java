package dev.vigil.job.publication;

/** A new version of one entity's profile, bound for the profiles topic. A Flink POJO. */
public class ProfileUpdate {
  public String key;
  public long version;
  public long lastEventMillis;
  public byte[] state;

  public ProfileUpdate() {}

  public ProfileUpdate(String key, long version, long lastEventMillis, byte[] state) {
    this.key = key;
    this.version = version;
    this.lastEventMillis = lastEventMillis;
    this.state = state;
  }
}
