package io.secretsdk.redact;

/** UTF-8 encoding of char arrays without going through {@code String} (which cannot be wiped). */
final class Utf8 {
  private Utf8() {}

  /** The UTF-8 bytes of {@code chars}; unpaired surrogates become '?'. */
  static byte[] encode(char[] chars) {
    byte[] out = new byte[chars.length * 3];
    int n = 0;
    for (int i = 0; i < chars.length; i++) {
      int c = chars[i];
      if (Character.isHighSurrogate(chars[i]) && i + 1 < chars.length
          && Character.isLowSurrogate(chars[i + 1])) {
        c = Character.toCodePoint(chars[i], chars[++i]);
      } else if (Character.isSurrogate(chars[i])) {
        c = '?';
      }
      if (c < 0x80) {
        out[n++] = (byte) c;
      } else if (c < 0x800) {
        out[n++] = (byte) (0xC0 | (c >> 6));
        out[n++] = (byte) (0x80 | (c & 0x3F));
      } else if (c < 0x10000) {
        out[n++] = (byte) (0xE0 | (c >> 12));
        out[n++] = (byte) (0x80 | ((c >> 6) & 0x3F));
        out[n++] = (byte) (0x80 | (c & 0x3F));
      } else {
        out[n++] = (byte) (0xF0 | (c >> 18));
        out[n++] = (byte) (0x80 | ((c >> 12) & 0x3F));
        out[n++] = (byte) (0x80 | ((c >> 6) & 0x3F));
        out[n++] = (byte) (0x80 | (c & 0x3F));
      }
    }
    byte[] exact = java.util.Arrays.copyOf(out, n);
    java.util.Arrays.fill(out, (byte) 0);
    return exact;
  }
}
