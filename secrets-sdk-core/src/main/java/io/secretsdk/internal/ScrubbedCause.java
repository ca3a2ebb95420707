package io.secretsdk.internal;

/**
 * Stands in for a throwable whose message cannot be trusted: it keeps the original's type name
 * (scrubbed), its stack trace (scrubbed by {@link ExceptionExit}) and its scrubbed causes, never
 * its message.
 */
final class ScrubbedCause extends RuntimeException {
  private static final long serialVersionUID = 1L;

  ScrubbedCause(Throwable original, Throwable scrubbedCause) {
    super(ExceptionExit.text(original.getClass().getName()) + " (message withheld)",
        scrubbedCause, true, true);
  }

  /** A stand-in whose text the SDK wrote itself (already scrubbed). */
  ScrubbedCause(String note, Throwable scrubbedCause) {
    super(note, scrubbedCause, true, true);
  }
}
