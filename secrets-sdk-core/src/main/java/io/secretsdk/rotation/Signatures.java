package io.secretsdk.rotation;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * HMAC-SHA-256 (RFC 2104) and the {@code sha256=<hex>} header form.
 *
 * <p>HMAC is computed here over {@link MessageDigest} rather than {@code javax.crypto.Mac} so
 * that every copy of the key — the padded inner and outer blocks, the hash of a long key — is an
 * array this class owns and wipes before returning; a {@code SecretKeySpec} keeps its own copy
 * that cannot be wiped on Java 17. The digest's 64-byte blocks of key material are compressed
 * straight from those arrays (a full block is not buffered), and a digest clears its message
 * schedule on reset.
 */
final class Signatures {
  /** The prefix of the signature header's value. */
  static final String PREFIX = "sha256=";
  /** Length of an HMAC-SHA-256 tag, in bytes. */
  static final int TAG_BYTES = 32;

  private static final int BLOCK = 64;
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private Signatures() {}

  /** HMAC-SHA-256 of {@code message} under {@code key}; neither array is kept or changed. */
  static byte[] hmacSha256(byte[] key, byte[] message) {
    MessageDigest sha = sha256();
    byte[] k = new byte[BLOCK];
    byte[] pad = new byte[BLOCK];
    byte[] inner = null;
    try {
      if (key.length > BLOCK) {
        byte[] hashed = sha.digest(key);
        System.arraycopy(hashed, 0, k, 0, hashed.length);
        Arrays.fill(hashed, (byte) 0);
      } else {
        System.arraycopy(key, 0, k, 0, key.length);
      }
      for (int i = 0; i < BLOCK; i++) {
        pad[i] = (byte) (k[i] ^ 0x36);
      }
      sha.update(pad);
      sha.update(message);
      inner = sha.digest();
      for (int i = 0; i < BLOCK; i++) {
        pad[i] = (byte) (k[i] ^ 0x5c);
      }
      sha.update(pad);
      sha.update(inner);
      return sha.digest();
    } finally {
      Arrays.fill(k, (byte) 0);
      Arrays.fill(pad, (byte) 0);
      if (inner != null) {
        Arrays.fill(inner, (byte) 0);
      }
      sha.reset();
    }
  }

  /** {@code sha256=} followed by the tag in lower-case hex. */
  static String header(byte[] tag) {
    StringBuilder sb = new StringBuilder(PREFIX.length() + 2 * tag.length).append(PREFIX);
    for (byte b : tag) {
      sb.append(HEX[(b >> 4) & 0xF]).append(HEX[b & 0xF]);
    }
    return sb.toString();
  }

  /**
   * The tag a header value carries: {@code sha256=} (case-insensitive) and exactly 64 hex digits
   * (either case), surrounding spaces allowed; {@code null} when the value has another shape.
   */
  static byte[] parseHeader(String value) {
    String v = value.strip();
    if (v.length() != PREFIX.length() + 2 * TAG_BYTES
        || !v.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
      return null;
    }
    byte[] tag = new byte[TAG_BYTES];
    for (int i = 0; i < TAG_BYTES; i++) {
      int hi = hexValue(v.charAt(PREFIX.length() + 2 * i));
      int lo = hexValue(v.charAt(PREFIX.length() + 2 * i + 1));
      if (hi < 0 || lo < 0) {
        return null;
      }
      tag[i] = (byte) ((hi << 4) | lo);
    }
    return tag;
  }

  /** Whether two tags are equal, in time that does not depend on where they differ. */
  static boolean tagsEqual(byte[] expected, byte[] given) {
    return MessageDigest.isEqual(expected, given);
  }

  /** ASCII hex digits only: {@code Character.digit} would also take other scripts' digits. */
  private static int hexValue(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }
}
