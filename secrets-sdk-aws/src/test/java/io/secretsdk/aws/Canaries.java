package io.secretsdk.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Canaries made at run time (nothing real-looking is written into the repository), and the check
 * that none of them appears in text raw or encoded: base64 (both alphabets, padded or not),
 * URL-encoded and JSON-escaped.
 */
final class Canaries {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

  private final List<String> all = new ArrayList<>();

  /** {@code n} random letters and digits, after {@code prefix}; remembered for {@link #assertAbsent}. */
  String alnum(String prefix, int n) {
    StringBuilder sb = new StringBuilder(prefix);
    for (int i = 0; i < n; i++) {
      sb.append(ALNUM.charAt(RANDOM.nextInt(ALNUM.length())));
    }
    return remember(sb.toString());
  }

  /** {@code n} upper-case letters and digits, after {@code prefix} (access key id shape). */
  String upper(String prefix, int n) {
    StringBuilder sb = new StringBuilder(prefix);
    for (int i = 0; i < n; i++) {
      sb.append(ALNUM.charAt(RANDOM.nextInt(26)));
    }
    return remember(sb.toString());
  }

  /**
   * Base64 of {@code bytes} random bytes, with {@code +}, {@code /} and {@code =} in it the way
   * AWS session tokens and secret keys have them, so the encoded forms differ from the raw one.
   */
  String base64(int bytes) {
    String s;
    do {
      byte[] b = new byte[bytes];
      RANDOM.nextBytes(b);
      s = Base64.getEncoder().encodeToString(b);
    } while (s.indexOf('/') < 0 || s.indexOf('+') < 0);
    return remember(s);
  }

  String remember(String canary) {
    all.add(canary);
    return canary;
  }

  /** The forms a canary can take in text. */
  static Set<String> forms(String canary) {
    byte[] utf8 = canary.getBytes(StandardCharsets.UTF_8);
    Set<String> forms = new LinkedHashSet<>();
    forms.add(canary);
    forms.add(Base64.getEncoder().encodeToString(utf8));
    forms.add(Base64.getEncoder().withoutPadding().encodeToString(utf8));
    forms.add(Base64.getUrlEncoder().withoutPadding().encodeToString(utf8));
    forms.add(URLEncoder.encode(canary, StandardCharsets.UTF_8));
    forms.add(canary.replace("/", "\\/"));
    return forms;
  }

  /** Fails if {@code actual} differs from {@code expected}, printing neither (either may be a canary). */
  static void assertSame(String what, String actual, String expected) {
    assertThat(java.util.Objects.equals(actual, expected)).as(what).isTrue();
  }

  /** Fails naming the canary's position (never the canary) if any form of any canary is in {@code text}. */
  void assertAbsent(String what, String text) {
    for (int i = 0; i < all.size(); i++) {
      for (String form : forms(all.get(i))) {
        // contains() rather than doesNotContain(): a failure message must not print the canary
        assertThat(text.contains(form))
            .as("%s must not hold canary #%d (raw or encoded)", what, i).isFalse();
      }
    }
  }
}
