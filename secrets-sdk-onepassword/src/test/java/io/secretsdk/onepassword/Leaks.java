package io.secretsdk.onepassword;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Asserts that no canary reaches an exception's message, causes, toString or stack trace. */
final class Leaks {
  private Leaks() {}

  static void assertClean(Throwable t, String... canaries) {
    StringWriter trace = new StringWriter();
    t.printStackTrace(new PrintWriter(trace));
    StringBuilder all = new StringBuilder(trace.toString());
    for (Throwable c = t; c != null; c = c.getCause()) {
      all.append(c).append('\n').append(c.getMessage()).append('\n');
      for (Throwable s : c.getSuppressed()) {
        all.append(s).append('\n');
      }
    }
    for (String canary : canaries) {
      assertThat(all.toString()).as("exception text must not contain a canary").doesNotContain(canary);
    }
  }
}
