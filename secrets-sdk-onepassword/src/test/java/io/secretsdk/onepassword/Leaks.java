package io.secretsdk.onepassword;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Asserts that no canary reaches an exception's message, causes, toString or stack trace. */
final class Leaks {
  private Leaks() {}

  /** The exception as a log line would show it: its stack trace, causes and suppressed included. */
  static String text(Throwable t) {
    StringWriter trace = new StringWriter();
    t.printStackTrace(new PrintWriter(trace));
    return trace.toString();
  }

  static void assertClean(Throwable t, String... canaries) {
    StringBuilder all = new StringBuilder(text(t));
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
