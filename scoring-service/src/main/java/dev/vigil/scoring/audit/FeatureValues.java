package dev.vigil.scoring.audit;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import dev.vigil.proto.v1.AuditRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The audit record's {@code features} map (field 9) for one feature set, encoded by hand: each
 * entry's field tag, lengths and UTF-8 name are encoded once, and a record adds only the eight
 * bytes of each value. Building the map through protobuf-java (a map entry message per feature,
 * its name re-encoded on every call) was the largest single cost of a scoring call.
 *
 * <p>The bytes are what protobuf writes for the map (a map field is a repeated entry message with
 * the key as field 1 and the value as field 2), appended after the record's other fields: field
 * order on the wire is free, so any protobuf reader parses the same record.
 */
final class FeatureValues {
  private static final int FEATURES = AuditRecord.FEATURES_FIELD_NUMBER;
  private final byte[][] prefixes;
  private final int encodedSize;

  FeatureValues(List<String> names) {
    prefixes = new byte[names.size()][];
    int total = 0;
    for (int i = 0; i < names.size(); i++) {
      byte[] name = names.get(i).getBytes(StandardCharsets.UTF_8);
      int entry = CodedOutputStream.computeByteArraySize(1, name)
          + CodedOutputStream.computeTagSize(2) + Double.BYTES;
      byte[] prefix = new byte[CodedOutputStream.computeTagSize(FEATURES)
          + CodedOutputStream.computeUInt32SizeNoTag(entry) + entry - Double.BYTES];
      var out = CodedOutputStream.newInstance(prefix);
      try {
        out.writeTag(FEATURES, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        out.writeUInt32NoTag(entry);
        out.writeByteArray(1, name);
        out.writeTag(2, WireFormat.WIRETYPE_FIXED64);
        out.checkNoSpaceLeft();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      prefixes[i] = prefix;
      total += prefix.length + Double.BYTES;
    }
    encodedSize = total;
  }

  /** {@code record}'s bytes followed by the features field holding {@code values}, by index. */
  byte[] encode(AuditRecord record, double[] values) {
    if (values.length != prefixes.length) {
      throw new IllegalArgumentException("expected " + prefixes.length + " feature values, got "
          + values.length);
    }
    int at = record.getSerializedSize();
    byte[] out = new byte[at + encodedSize];
    try {
      var head = CodedOutputStream.newInstance(out, 0, at);
      record.writeTo(head);
      head.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (int i = 0; i < prefixes.length; i++) {
      System.arraycopy(prefixes[i], 0, out, at, prefixes[i].length);
      at += prefixes[i].length;
      long bits = Double.doubleToRawLongBits(values[i]);
      for (int b = 0; b < Double.BYTES; b++) { // little-endian, as protobuf's fixed64
        out[at++] = (byte) (bits >>> (8 * b));
      }
    }
    return out;
  }
}
