package io.secretsdk;

import java.util.Optional;

/**
 * Root of every exception the SDK throws about secrets, refs, providers and configuration.
 *
 * <p>Unchecked, so runner code handles only the subtypes it can act on. Messages name the
 * {@link SecretRef} (which is safe to log) and what went wrong; they never contain a secret value,
 * a token, or a provider response body that was not scrubbed first. A new instance is created for
 * every failure, so stack traces and causes always belong to the call that failed.
 */
public class SecretException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient SecretRef ref;

  /**
   * Creates an exception about {@code ref}.
   *
   * @param ref the ref concerned, or {@code null} when the failure is not about one ref
   * @param message what went wrong; must not contain a secret value
   * @param cause the underlying failure, or {@code null}; must itself be free of secret values
   */
  public SecretException(SecretRef ref, String message, Throwable cause) {
    super(message);
    if (cause != null) {
      initCause(cause); // a null cause stays unset, so a later initCause still works
    }
    this.ref = ref;
  }

  /** Creates an exception about {@code ref} without a cause. */
  public SecretException(SecretRef ref, String message) {
    this(ref, message, null);
  }

  /** The ref this failure concerns, when there is one. */
  public Optional<SecretRef> ref() {
    return Optional.ofNullable(ref);
  }
}
