package io.secretsdk.redact;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A UTF-8 {@link PrintStream} over a {@link RedactingOutputStream}, and helpers to put one in
 * place of {@code System.out} and {@code System.err}.
 *
 * <pre>{@code
 * RedactingPrintStream.install();           // System.out and System.err now redact
 * ...
 * RedactingPrintStream.uninstall();         // the original streams are back
 * }</pre>
 *
 * <p>Output is line-buffered as described in {@link RedactingOutputStream}: text without a newline
 * appears on {@code flush()}. Thread-safe like any {@code PrintStream}; {@link #install} and
 * {@link #uninstall} synchronize on the class.
 */
public final class RedactingPrintStream extends PrintStream {
  private static PrintStream originalOut;
  private static PrintStream originalErr;

  private RedactingPrintStream(OutputStream out) {
    super(out, false, StandardCharsets.UTF_8);
  }

  /**
   * A print stream that writes to {@code target} through the {@linkplain RedactionIndex#global()
   * global index}.
   *
   * @throws NullPointerException if {@code target} is null
   */
  public static RedactingPrintStream wrap(OutputStream target) {
    return wrap(target, RedactionIndex.global());
  }

  /**
   * A print stream that writes to {@code target} through {@code index}. Closing it closes
   * {@code target}.
   *
   * @throws NullPointerException if an argument is null
   */
  public static RedactingPrintStream wrap(OutputStream target, RedactionIndex index) {
    return new RedactingPrintStream(new RedactingOutputStream(target, index));
  }

  /** Replaces {@code System.out} and {@code System.err} with streams redacting through the global index. */
  public static void install() {
    install(RedactionIndex.global());
  }

  /**
   * Replaces {@code System.out} and {@code System.err} with streams redacting through
   * {@code index}; installing again re-wraps the original streams, never a wrapper.
   *
   * @throws NullPointerException if {@code index} is null
   */
  public static synchronized void install(RedactionIndex index) {
    Objects.requireNonNull(index, "index");
    if (originalOut == null) {
      originalOut = System.out;
      originalErr = System.err;
    } else {
      System.out.flush();
      System.err.flush();
    }
    System.setOut(wrap(originalOut, index));
    System.setErr(wrap(originalErr, index));
  }

  /** Flushes the wrappers and puts back the streams {@link #install} replaced; no-op if not installed. */
  public static synchronized void uninstall() {
    if (originalOut == null) {
      return;
    }
    System.out.flush();
    System.err.flush();
    System.setOut(originalOut);
    System.setErr(originalErr);
    originalOut = null;
    originalErr = null;
  }
}
