package io.secretsdk.cli;

/** Wrong command-line use; exit code 2. The message never quotes a value the user typed. */
final class UsageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  UsageException(String message) {
    super(message, null, false, false);
  }
}
