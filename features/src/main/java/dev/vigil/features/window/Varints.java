package dev.vigil.features.window;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import java.util.Arrays;

/** A compact writer and reader of varints for the window structures' serialised form. */
final class Varints {
  private Varints() {}

  static final class Writer {
    private byte[] buf;
    private int len;

    Writer(int capacity) {
      buf = new byte[Math.max(16, capacity)];
    }

    private void ensure(int extra) {
      if (len + extra > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
      }
    }

    void varint(long v) {
      ensure(10);
      while ((v & ~0x7FL) != 0) {
        buf[len++] = (byte) ((v & 0x7F) | 0x80);
        v >>>= 7;
      }
      buf[len++] = (byte) v;
    }

    void zigzag(long v) {
      varint((v << 1) ^ (v >> 63));
    }

    void fixed64(long v) {
      ensure(8);
      for (int i = 0; i < 8; i++) {
        buf[len++] = (byte) (v >>> (8 * i));
      }
    }

    ByteString toByteString() {
      return len == 0 ? ByteString.EMPTY
          : UnsafeByteOperations.unsafeWrap(buf, 0, len); // buf is never written again
    }
  }

  static final class Reader {
    private final byte[] buf;
    private int pos;

    Reader(ByteString bytes) {
      this.buf = bytes.toByteArray();
    }

    boolean more() {
      return pos < buf.length;
    }

    long varint() {
      long v = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        if (pos >= buf.length) {
          throw new IllegalArgumentException("corrupt window state: truncated varint");
        }
        byte b = buf[pos++];
        v |= (long) (b & 0x7F) << shift;
        if ((b & 0x80) == 0) {
          return v;
        }
      }
      throw new IllegalArgumentException("corrupt window state: varint too long");
    }

    long zigzag() {
      long v = varint();
      return (v >>> 1) ^ -(v & 1);
    }

    long fixed64() {
      if (pos + 8 > buf.length) {
        throw new IllegalArgumentException("corrupt window state: truncated fixed64");
      }
      long v = 0;
      for (int i = 0; i < 8; i++) {
        v |= (buf[pos++] & 0xFFL) << (8 * i);
      }
      return v;
    }
  }
}
