package io.secretsdk.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Canary values and the checks that they appear nowhere they must not. */
final class Canary {
  static final String VALUE = "canary-7f3a9c1e5b2d4f6a8c0e";

  private Canary() {}

  /** Everything a throwable can print: messages, causes, suppressed, stack traces. */
  static String fullText(Throwable t) {
    StringWriter sw = new StringWriter();
    t.printStackTrace(new PrintWriter(sw));
    StringBuilder sb = new StringBuilder(sw.toString());
    for (Throwable c = t; c != null; c = c.getCause()) {
      sb.append('\n').append(c).append('\n').append(c.getMessage());
      for (Throwable s : c.getSuppressed()) {
        sb.append('\n').append(fullText(s));
      }
    }
    return sb.toString();
  }

  static void assertAbsent(String text) {
    String b64 = Base64.getEncoder().encodeToString(VALUE.getBytes(StandardCharsets.UTF_8));
    assertThat(text).doesNotContain(VALUE).doesNotContain(b64);
  }

  static void assertAbsent(Throwable t) {
    assertAbsent(fullText(t));
  }
}
