package io.secretsdk.testing;

import io.secretsdk.redact.LeakFinding;
import io.secretsdk.redact.LeakScanner;
import io.secretsdk.redact.RedactionIndex;
import io.secretsdk.redact.RedactionMatch;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Assertions that registered secret values — and their encoded forms (base64, URL, JSON, XML,
 * hex) — appear nowhere they must not: a string, a {@link Throwable} with its causes, suppressed
 * exceptions and stack, a file, or a directory tree (jars and zips included).
 *
 * <p>Failures name the ref and where the value was found, never the value. Register the values to
 * look for in a {@link RedactionIndex} (e.g. {@code RedactionIndex.create()} plus
 * {@code register(ref, bytes)}); well-known token formats are not treated as leaks here, only
 * registered values. Stateless and thread-safe.
 */
public final class LeakAssertions {
  private LeakAssertions() {}

  /**
   * Fails if {@code text} holds a registered value or an encoded form of one.
   *
   * @param where what the text is ("stdout", "log line", …), for the failure message
   * @throws AssertionError naming the ref, {@code where}, line and column
   */
  public static void assertNoLeak(RedactionIndex values, String where, CharSequence text) {
    Objects.requireNonNull(values, "values");
    Objects.requireNonNull(where, "where");
    if (text == null) {
      return;
    }
    List<RedactionMatch> leaks = values.findAll(text).stream()
        .filter(m -> m.kind() == RedactionMatch.Kind.SECRET_VALUE)
        .collect(Collectors.toList());
    if (!leaks.isEmpty()) {
      throw new AssertionError(describe(leaks, where, text));
    }
  }

  /**
   * Fails if the throwable's messages, causes, suppressed exceptions or printed stack trace hold a
   * registered value.
   */
  public static void assertNoLeak(RedactionIndex values, Throwable thrown) {
    Objects.requireNonNull(thrown, "thrown");
    // the most specific place first: which exception's message holds it
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    walk(values, thrown, seen);
    StringWriter printed = new StringWriter();
    thrown.printStackTrace(new PrintWriter(printed));
    assertNoLeak(values, "the printed stack trace of " + thrown.getClass().getName(), printed.toString());
  }

  private static void walk(RedactionIndex values, Throwable t, Set<Throwable> seen) {
    if (t == null || !seen.add(t)) {
      return;
    }
    assertNoLeak(values, "the message of " + t.getClass().getName(), t.getMessage());
    assertNoLeak(values, "the toString of " + t.getClass().getName(), t.toString());
    walk(values, t.getCause(), seen);
    for (Throwable s : t.getSuppressed()) {
      walk(values, s, seen);
    }
  }

  /** Fails if a file, or any file below a directory (inside jars and zips too), holds a value. */
  public static void assertNoLeak(RedactionIndex values, Path fileOrDirectory) {
    LeakScanner.Report report = LeakScanner.builder().index(values).build()
        .scan(List.of(fileOrDirectory));
    List<LeakFinding> leaks = report.findings().stream()
        .filter(f -> f.kind() == LeakFinding.Kind.VALUE)
        .collect(Collectors.toList());
    if (!leaks.isEmpty()) {
      throw new AssertionError("secret values leaked into files: " + leaks.stream()
          .map(f -> f.path() + ":" + f.line() + ":" + f.column() + " " + f.label())
          .collect(Collectors.joining(", ")));
    }
  }

  private static String describe(List<RedactionMatch> leaks, String where, CharSequence text) {
    StringBuilder sb = new StringBuilder("secret value leaked into ").append(where).append(':');
    for (RedactionMatch m : leaks) {
      int line = 1;
      int column = 1;
      for (int i = 0; i < m.start(); i++) {
        if (text.charAt(i) == '\n') {
          line++;
          column = 1;
        } else {
          column++;
        }
      }
      sb.append(" value of ").append(m.label()).append(" at line ").append(line)
          .append(", column ").append(column).append(';');
    }
    return sb.toString();
  }
}
