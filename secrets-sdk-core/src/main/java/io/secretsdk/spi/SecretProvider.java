package io.secretsdk.spi;

import io.secretsdk.SecretRef;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Fetches secret values for one ref scheme from one backend (Vault, AWS Secrets Manager, a file).
 *
 * <p>Register providers explicitly: {@code SecretsClient.builder().provider(p)}. The client
 * owns caching, retries, policy and audit; a provider only maps one ref to one value and maps the
 * backend's errors onto the core exceptions:
 * {@link io.secretsdk.SecretNotFoundException}, {@link io.secretsdk.SecretAccessDeniedException},
 * {@link io.secretsdk.ProviderUnavailableException} (transient; the client retries it) and
 * {@link io.secretsdk.InvalidSecretRefException} (a ref this provider cannot serve). Providers
 * never retry on their own, and never put a value, a token or an unscrubbed response body into an
 * exception or a log line.
 *
 * <p>Implementations must be thread-safe: the client calls them from many threads at once.
 */
public interface SecretProvider extends AutoCloseable {

  /** The ref scheme this provider serves, lower-case (e.g. {@code vault}). */
  String scheme();

  /**
   * Fetches the value {@code ref} points to.
   *
   * @param ref a ref whose scheme is {@link #scheme()}
   * @param context facts about this fetch
   * @return the value and its metadata; the client wipes it once it has taken a copy
   * @throws io.secretsdk.SecretException a subtype saying why the fetch failed
   */
  FetchResult fetch(SecretRef ref, FetchContext context);

  /**
   * Fetches several refs, reporting each ref's outcome on its own. Providers with a batch API
   * (AWS {@code BatchGetSecretValue}) override this; the default fetches one by one, and an
   * unexpected {@code RuntimeException} for one ref becomes that ref's (transient) failure.
   *
   * @return one outcome per distinct ref, in the order given
   */
  default Map<SecretRef, FetchOutcome> fetchAll(Collection<SecretRef> refs, FetchContext context) {
    Map<SecretRef, FetchOutcome> outcomes = new LinkedHashMap<>();
    for (SecretRef ref : refs) {
      try {
        outcomes.put(ref, FetchOutcome.success(fetch(ref, context)));
      } catch (io.secretsdk.SecretException e) {
        outcomes.put(ref, FetchOutcome.failure(e));
      } catch (RuntimeException e) {
        // one ref's bug must not fail the others; the exception's text may hold anything, so
        // only its type is kept
        outcomes.put(ref, FetchOutcome.failure(new io.secretsdk.ProviderUnavailableException(ref,
            "the " + scheme() + " provider failed on " + ref + " with "
                + e.getClass().getName())));
      }
    }
    return outcomes;
  }

  /**
   * Writes a new version of the secret at {@code ref}, optionally only if its current version is
   * {@code expectedVersion} (compare-and-set).
   *
   * @param value the new value; the provider must not keep the array
   * @param expectedVersion the version the caller last saw, or {@code null} for an unconditional
   *     write
   * @return the new version id
   * @throws io.secretsdk.SecretVersionConflictException if the current version is not
   *     {@code expectedVersion}
   * @throws UnsupportedOperationException if this provider is read-only (the default)
   */
  default String write(SecretRef ref, byte[] value, String expectedVersion) {
    throw new UnsupportedOperationException(scheme() + " provider is read-only");
  }

  /**
   * Describes the secret at {@code ref} without reading its value: current version, version
   * history with stages and states, and non-secret metadata. Backend-supplied strings are scrubbed
   * by the provider.
   *
   * @throws io.secretsdk.SecretException a subtype saying why the backend could not answer
   * @throws UnsupportedOperationException if this provider cannot describe secrets (the default)
   */
  default SecretDescription describe(SecretRef ref) {
    throw new UnsupportedOperationException(scheme() + " provider cannot describe secrets");
  }

  /**
   * Disables a version of the secret at {@code ref} at its source, so that no later fetch returns
   * it. The client's cached copy is invalidated separately ({@code SecretsClient.invalidate}).
   *
   * @return the steps taken
   * @throws io.secretsdk.SecretException a subtype saying why the backend refused
   * @throws UnsupportedOperationException if this provider cannot revoke, or not in this mode
   *     (the default)
   */
  default RevokeResult revoke(SecretRef ref, RevokeRequest request) {
    throw new UnsupportedOperationException(scheme() + " provider cannot revoke secrets");
  }

  /** Releases connections, threads and held leases. Idempotent. The default does nothing. */
  @Override
  default void close() {}
}
