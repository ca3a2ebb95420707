package io.secretsdk;

/**
 * The provider refused access to the ref: missing permission, or an invalid or expired credential.

 <p>Never retried. Messages carry the provider's reason after scrubbing, never a token.
 */
public class SecretAccessDeniedException extends SecretException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param ref the ref concerned, or {@code null}
   * @param message what went wrong; must not contain a secret value
   * @param cause the underlying failure, or {@code null}
   */
  public SecretAccessDeniedException(SecretRef ref, String message, Throwable cause) {
    super(ref, message, cause);
  }

  /** Creates the exception without a cause. */
  public SecretAccessDeniedException(SecretRef ref, String message) {
    super(ref, message, null);
  }
}
