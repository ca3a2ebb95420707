package io.secretsdk;

/**
 * The ref (or the secret it points to) is not allowed by the configured policy.

 <p>Thrown, and audited, before any provider is called. Never retried.
 */
public class PolicyViolationException extends SecretException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param ref the ref concerned, or {@code null}
   * @param message what went wrong; must not contain a secret value
   * @param cause the underlying failure, or {@code null}
   */
  public PolicyViolationException(SecretRef ref, String message, Throwable cause) {
    super(ref, message, cause);
  }

  /** Creates the exception without a cause. */
  public PolicyViolationException(SecretRef ref, String message) {
    super(ref, message, null);
  }
}
