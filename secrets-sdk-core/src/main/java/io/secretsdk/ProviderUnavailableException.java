package io.secretsdk;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A transient failure reaching the provider: I/O error, timeout, 5xx, rate limiting, sealed server.
 *
 * <p>The client retries these with backoff, honouring {@link #retryAfter()} when the provider
 * sent one; callers see this exception only once retries are exhausted and no cached value may be
 * served.
 */
public class ProviderUnavailableException extends SecretException {
  private static final long serialVersionUID = 1L;

  private final Duration retryAfter;

  /**
   * Creates the exception.
   *
   * @param ref the ref concerned, or {@code null}
   * @param message what went wrong; must not contain a secret value
   * @param cause the underlying failure, or {@code null}
   */
  public ProviderUnavailableException(SecretRef ref, String message, Throwable cause) {
    this(ref, message, cause, null);
  }

  /** Creates the exception without a cause. */
  public ProviderUnavailableException(SecretRef ref, String message) {
    this(ref, message, null, null);
  }

  /**
   * Creates the exception with the delay the provider asked for (HTTP {@code Retry-After}).
   *
   * @param retryAfter how long the provider asked callers to wait, or {@code null}
   */
  public ProviderUnavailableException(
      SecretRef ref, String message, Throwable cause, Duration retryAfter) {
    super(ref, message, cause);
    if (retryAfter != null && retryAfter.isNegative()) {
      throw new IllegalArgumentException("retryAfter must not be negative");
    }
    this.retryAfter = retryAfter;
  }

  /** The delay the provider asked for before the next attempt, when it sent one. */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }

  @Override
  public String toString() {
    return retryAfter == null
        ? super.toString()
        : super.toString() + " (retry after " + Objects.toString(retryAfter) + ")";
  }
}
