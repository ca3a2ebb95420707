package io.secretsdk.spi;

import io.secretsdk.SecretException;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome for one ref of a batch fetch: a result or the typed failure for that ref alone.
 *
 * <p>Immutable.
 */
public final class FetchOutcome {
  private final FetchResult result;
  private final SecretException failure;

  private FetchOutcome(FetchResult result, SecretException failure) {
    this.result = result;
    this.failure = failure;
  }

  /** A successful fetch. */
  public static FetchOutcome success(FetchResult result) {
    return new FetchOutcome(Objects.requireNonNull(result, "result"), null);
  }

  /** A failed fetch; the exception must carry no secret material. */
  public static FetchOutcome failure(SecretException failure) {
    return new FetchOutcome(null, Objects.requireNonNull(failure, "failure"));
  }

  /** The result, when the fetch succeeded. */
  public Optional<FetchResult> result() {
    return Optional.ofNullable(result);
  }

  /** The failure, when the fetch failed. */
  public Optional<SecretException> failure() {
    return Optional.ofNullable(failure);
  }

  @Override
  public String toString() {
    return result != null ? "FetchOutcome[" + result + "]" : "FetchOutcome[failure=" + failure + "]";
  }
}
