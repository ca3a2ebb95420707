package io.secretsdk.http.internal;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Canary values made at run time, so no fixed string can pass for a scrubbed one. */
final class Canary {
  private static final SecureRandom RANDOM = new SecureRandom();

  private Canary() {}

  /** {@code prefix} and 32 random hex digits. */
  static String make(String prefix) {
    byte[] b = new byte[16];
    RANDOM.nextBytes(b);
    return prefix + HexFormat.of().formatHex(b);
  }
}
