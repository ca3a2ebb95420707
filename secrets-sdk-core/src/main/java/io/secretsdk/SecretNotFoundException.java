package io.secretsdk;

/**
 * The provider has no secret (or no such version or field) at the ref.

 <p>Never retried; negatively cached for a short time so a missing secret cannot turn into a
 stream of provider calls.
 */
public class SecretNotFoundException extends SecretException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param ref the ref concerned, or {@code null}
   * @param message what went wrong; must not contain a secret value
   * @param cause the underlying failure, or {@code null}
   */
  public SecretNotFoundException(SecretRef ref, String message, Throwable cause) {
    super(ref, message, cause);
  }

  /** Creates the exception without a cause. */
  public SecretNotFoundException(SecretRef ref, String message) {
    super(ref, message, null);
  }
}
