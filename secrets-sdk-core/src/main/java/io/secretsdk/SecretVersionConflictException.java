package io.secretsdk;

/**
 * A compare-and-set write failed because the secret's current version is not the expected one.
 */
public class SecretVersionConflictException extends SecretException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param ref the ref concerned, or {@code null}
   * @param message what went wrong; must not contain a secret value
   * @param cause the underlying failure, or {@code null}
   */
  public SecretVersionConflictException(SecretRef ref, String message, Throwable cause) {
    super(ref, message, cause);
  }

  /** Creates the exception without a cause. */
  public SecretVersionConflictException(SecretRef ref, String message) {
    super(ref, message, null);
  }
}
