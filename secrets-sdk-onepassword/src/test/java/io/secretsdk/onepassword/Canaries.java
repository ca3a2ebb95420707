package io.secretsdk.onepassword;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/** Canaries made at run time, and the encoded forms a leak could take. */
public final class Canaries {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] ID_CHARS =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

  private Canaries() {}

  /** {@code prefix} and {@code n} random letters and digits: fits a 1Password id and a bearer token. */
  public static String token(String prefix, int n) {
    StringBuilder sb = new StringBuilder(prefix);
    for (int i = 0; i < n; i++) {
      sb.append(ID_CHARS[RANDOM.nextInt(ID_CHARS.length)]);
    }
    return sb.toString();
  }

  /** {@code n} random decimal digits, the first not zero. */
  public static String digits(int n) {
    StringBuilder sb = new StringBuilder().append((char) ('1' + RANDOM.nextInt(9)));
    while (sb.length() < n) {
      sb.append((char) ('0' + RANDOM.nextInt(10)));
    }
    return sb.toString();
  }

  /** {@code n} random lower-case letters. */
  public static String letters(int n) {
    StringBuilder sb = new StringBuilder();
    while (sb.length() < n) {
      sb.append((char) ('a' + RANDOM.nextInt(26)));
    }
    return sb.toString();
  }

  /** The secret raw, base64 (both alphabets), URL-encoded, JSON-escaped and hex. */
  public static List<String> forms(String secret) {
    byte[] b = secret.getBytes(StandardCharsets.UTF_8);
    return List.of(secret,
        Base64.getEncoder().encodeToString(b),
        Base64.getUrlEncoder().withoutPadding().encodeToString(b),
        URLEncoder.encode(secret, StandardCharsets.UTF_8),
        secret.replace("\\", "\\\\").replace("\"", "\\\"").replace("/", "\\/"),
        HexFormat.of().formatHex(b));
  }

  /** Asserts that no form of any secret, nor its first 12 characters raw, occurs in {@code text}. */
  public static void assertAbsent(String what, String text, String... secrets) {
    for (String secret : secrets) {
      for (String form : forms(secret)) {
        assertThat(text).as("%s must not hold a canary in any form", what).doesNotContain(form);
      }
      assertThat(text).as("%s must not hold part of a canary", what)
          .doesNotContain(secret.substring(0, Math.min(12, secret.length())));
    }
  }
}
