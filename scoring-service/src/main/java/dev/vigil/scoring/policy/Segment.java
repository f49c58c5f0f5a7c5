package dev.vigil.scoring.policy;

/**
 * The policy's decision on a delinquency call: the account's segment by likelihood of repayment,
 * mapped to the wire's {@code vigil.v1.Segment} here only.
 */
public enum Segment implements Decision {
  CURRENT_LOW_RISK(dev.vigil.proto.v1.Segment.SEGMENT_CURRENT_LOW_RISK),
  PRE_DELINQUENT(dev.vigil.proto.v1.Segment.SEGMENT_PRE_DELINQUENT),
  SELF_CURE(dev.vigil.proto.v1.Segment.SEGMENT_SELF_CURE),
  NEEDS_HELP(dev.vigil.proto.v1.Segment.SEGMENT_NEEDS_HELP),
  HIGH_RISK(dev.vigil.proto.v1.Segment.SEGMENT_HIGH_RISK),
  BROKEN_COMMITMENTS(dev.vigil.proto.v1.Segment.SEGMENT_BROKEN_COMMITMENTS);

  private final dev.vigil.proto.v1.Segment wire;

  Segment(dev.vigil.proto.v1.Segment wire) {
    this.wire = wire;
  }

  /**
   * An account in good standing, to which collections does nothing: the one segment with
   * nothing to explain.
   */
  @Override
  public boolean favourable() {
    return this == CURRENT_LOW_RISK;
  }

  /** This segment as the wire spells it. */
  public dev.vigil.proto.v1.Segment wire() {
    return wire;
  }

  /**
   * The segment a wire value names.
   *
   * @throws IllegalArgumentException naming the value, for {@code SEGMENT_UNSPECIFIED} and values
   *     this build does not know ({@code UNRECOGNIZED})
   */
  public static Segment of(dev.vigil.proto.v1.Segment wire) {
    for (Segment s : values()) {
      if (s.wire == wire) {
        return s;
      }
    }
    throw new IllegalArgumentException("segment: " + wire + " names no segment");
  }
}
