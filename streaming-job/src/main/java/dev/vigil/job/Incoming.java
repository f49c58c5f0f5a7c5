package dev.vigil.job;

/**
 * A record as it enters the job: the event's protobuf bytes, and either its event time and account
 * (valid) or the field and reason that make it invalid. A Flink POJO.
 */
public class Incoming {
  public byte[] payload;
  public long eventTime;
  public String eventId;
  public String accountId;
  /**
   * The profiles that fold this event ({@code TYPE/id}, the feature library's routing), found at
   * intake where the event is parsed anyway, so that routing need not parse it again.
   */
  public String[] entityKeys = new String[0];
  /** Empty when valid. */
  public String errorField = "";
  public String errorReason = "";
  /** Where it came from, for dead letters: "topic/partition/offset" or "file:line". */
  public String origin = "";

  public Incoming() {}

  public boolean valid() {
    return errorField.isEmpty();
  }

  static Incoming invalid(byte[] payload, String origin, String field, String reason) {
    var in = new Incoming();
    in.payload = payload == null ? new byte[0] : payload;
    in.origin = origin;
    in.errorField = field;
    in.errorReason = reason;
    in.eventId = "";
    in.accountId = "";
    return in;
  }
}
