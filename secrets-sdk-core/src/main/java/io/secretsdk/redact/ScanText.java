package io.secretsdk.redact;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * How the {@link LeakScanner} turns a file's bytes into the UTF-8 it matches: UTF-8 as is (a
 * UTF-8 byte-order mark skipped), UTF-16 LE/BE with a byte-order mark or recognised without one
 * (mostly printable ASCII with a NUL in every other byte) decoded and re-encoded as UTF-8, so that
 * lines and columns count decoded characters.
 */
final class ScanText {
  /** How much of a file the UTF-16 heuristic looks at. */
  private static final int SAMPLE = 64 * 1024;

  /** The bytes to match as UTF-8, {@code utf8[from, utf8.length)}, and the encoding they came from. */
  final byte[] utf8;
  final int from;
  /** {@code null} for bytes matched as they are; else the charset they were decoded from. */
  final Charset decodedFrom;

  private ScanText(byte[] utf8, int from, Charset decodedFrom) {
    this.utf8 = utf8;
    this.from = from;
    this.decodedFrom = decodedFrom;
  }

  static ScanText of(byte[] b) {
    int n = b.length;
    if (n >= 3 && (b[0] & 0xFF) == 0xEF && (b[1] & 0xFF) == 0xBB && (b[2] & 0xFF) == 0xBF) {
      return new ScanText(b, 3, null);
    }
    if (n >= 2 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xFF) == 0xFE) {
      return decode(b, 2, StandardCharsets.UTF_16LE);
    }
    if (n >= 2 && (b[0] & 0xFF) == 0xFE && (b[1] & 0xFF) == 0xFF) {
      return decode(b, 2, StandardCharsets.UTF_16BE);
    }
    Charset guess = guessUtf16(b);
    return guess != null ? decode(b, 0, guess) : new ScanText(b, 0, null);
  }

  private static ScanText decode(byte[] b, int from, Charset cs) {
    // malformed input (an odd last byte, a lone surrogate) becomes U+FFFD
    return new ScanText(new String(b, from, b.length - from, cs).getBytes(StandardCharsets.UTF_8), 0, cs);
  }

  /**
   * UTF-16 without a byte-order mark: in the first {@value #SAMPLE} bytes, at least 60 % of the
   * two-byte units are a NUL and a printable ASCII character or tab/CR/LF in the same order, and at
   * most 5 % in the other order. Binary files (little-endian integers, class files) rarely pass:
   * their non-NUL bytes are not mostly printable.
   */
  private static Charset guessUtf16(byte[] b) {
    int units = Math.min(b.length, SAMPLE) / 2;
    if (units < 2) {
      return null;
    }
    int asciiLe = 0;
    int asciiBe = 0;
    int nulLe = 0;
    int nulBe = 0;
    for (int i = 0; i < units; i++) {
      int even = b[2 * i] & 0xFF;
      int odd = b[2 * i + 1] & 0xFF;
      if (odd == 0 && even != 0) {
        nulLe++;
        asciiLe += isText(even) ? 1 : 0;
      } else if (even == 0 && odd != 0) {
        nulBe++;
        asciiBe += isText(odd) ? 1 : 0;
      }
    }
    if (asciiLe * 10L >= units * 6L && nulBe * 20L <= units) {
      return StandardCharsets.UTF_16LE;
    }
    if (asciiBe * 10L >= units * 6L && nulLe * 20L <= units) {
      return StandardCharsets.UTF_16BE;
    }
    return null;
  }

  private static boolean isText(int c) {
    return (c >= 0x20 && c < 0x7F) || c == '\t' || c == '\n' || c == '\r';
  }
}
