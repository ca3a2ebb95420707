package io.secretsdk;

/**
 * A string is not a valid {@link SecretRef}, or names a scheme no provider serves.
 *
 * <p>The message says what is wrong and where (character position, segment number, parameter
 * name), and never echoes the input: a malformed ref is often a value pasted in the wrong place,
 * or carries a password in a user-info part.
 */
public class InvalidSecretRefException extends SecretException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception for input that did not parse. */
  public InvalidSecretRefException(String message) {
    super(null, message, null);
  }

  /** Creates the exception for a parsed ref that cannot be used (e.g. unknown scheme). */
  public InvalidSecretRefException(SecretRef ref, String message) {
    super(ref, message, null);
  }
}
