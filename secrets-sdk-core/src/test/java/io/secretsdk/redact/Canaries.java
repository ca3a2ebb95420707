package io.secretsdk.redact;

import java.security.SecureRandom;

/** Random canary values for tests: never a real secret, unique per call. */
final class Canaries {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String ALNUM =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

  private Canaries() {}

  static String alnum(int length) {
    StringBuilder sb = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      sb.append(ALNUM.charAt(RANDOM.nextInt(ALNUM.length())));
    }
    return sb.toString();
  }

  /** Random digits, so that no token-shaped constant ends up in a class file. */
  static String digits(int length) {
    StringBuilder sb = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      sb.append((char) ('0' + RANDOM.nextInt(10)));
    }
    return sb.toString();
  }

  /** A canary with a recognisable prefix, so a leak in test output is easy to spot. */
  static String canary() {
    return "CANARY" + alnum(26);
  }

  static byte[] bytes(int length) {
    byte[] b = new byte[length];
    RANDOM.nextBytes(b);
    return b;
  }
}
