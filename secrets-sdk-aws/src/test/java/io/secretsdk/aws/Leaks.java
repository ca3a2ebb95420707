package io.secretsdk.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Canary values and the assertion that none shows up in a throwable or in text. */
final class Leaks {
  static final String CANARY_VALUE = "canary-VALUE-7f3a9c2e51d04b86";
  static final String CANARY_ACCESS_KEY = "AKIACANARY7F3A9C2E51";
  static final String CANARY_SECRET_KEY = "canary-secret-key-0a1b2c3d4e5f60718293a4b5";
  static final String CANARY_TOKEN = "eyJhbGciOiJSUzI1NiJ9.canary-oidc-token.c2lnbmF0dXJl";
  static final String CANARY_SESSION = "canary-session-token-9d8c7b6a";
  static final String CANARY_STS_SECRET = "canary-sts-secret-5e4d3c2b1a";

  private static final String[] ALL = {CANARY_VALUE, CANARY_ACCESS_KEY, CANARY_SECRET_KEY, CANARY_TOKEN,
      CANARY_SESSION, CANARY_STS_SECRET, "canary-VALUE", "canary-secret", "canary-oidc",
      "canary-session", "canary-sts"};

  private Leaks() {}

  /** The throwable, its causes, suppressed ones and stack traces as printed. */
  static String render(Throwable t) {
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    return w + "\n" + t;
  }

  static void assertNoCanary(String text) {
    for (String canary : ALL) {
      assertThat(text).as("canary must not leak").doesNotContain(canary);
    }
  }

  static void assertNoCanary(Throwable t) {
    assertNoCanary(render(t));
  }
}
