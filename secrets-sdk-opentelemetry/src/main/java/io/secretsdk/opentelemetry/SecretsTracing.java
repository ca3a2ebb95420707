package io.secretsdk.opentelemetry;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Tracer;
import io.secretsdk.SecretRef;
import io.secretsdk.redact.KeyedFingerprints;
import io.secretsdk.redact.RedactionIndex;
import io.secretsdk.spi.SecretProvider;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Objects;

/**
 * Traces secrets-sdk provider calls with OpenTelemetry: {@link #wrap(SecretProvider)} returns a
 * provider that makes one span per call of the wrapped one.
 *
 * <pre>{@code
 * SecretsTracing tracing = SecretsTracing.builder(openTelemetry).refHashKey(key).build();
 * SecretsClient client = SecretsClient.builder()
 *     .provider(tracing.wrap(VaultSecretProvider.create(options)))
 *     .build();
 * }</pre>
 *
 * <p><b>Spans</b> (kind {@code CLIENT}, instrumentation scope {@value #INSTRUMENTATION_NAME}):
 * {@code secrets.fetch} for a load on a cache miss, {@code secrets.refresh} for a refresh of a
 * value the client holds (the engine says which through {@code FetchContext.isRefresh()}),
 * {@code secrets.fetch_all}, {@code secrets.write}, {@code secrets.describe},
 * {@code secrets.revoke}. A fetch on a miss runs on the caller's thread and is a child of the
 * caller's current span; a background refresh has no parent.
 *
 * <p><b>Attributes</b>: {@value #SCHEME} (the provider's scheme), {@value #OUTCOME}
 * ({@code success}, {@code not_found}, {@code denied}, {@code unavailable}, {@code invalid_ref},
 * {@code version_conflict}, {@code policy}, {@code config}, {@code unsupported}, {@code error};
 * {@code partial} for a batch with some failures), {@value #REF_HASH} (a keyed hash of the ref, see
 * {@link #refHash(SecretRef)}; {@value #REF_HASHES} and {@value #REF_COUNT} for a batch). Never the
 * ref's path, query or field, a version id, metadata or a value.
 *
 * <p><b>Errors</b>: the span's status is {@code ERROR} with the outcome as its description, and an
 * {@code exception} event carries only {@code exception.type}. The exception's message and stack
 * trace are not recorded: the decorator sits before the client's scrubbing exit, so whatever text
 * a provider put in them is unscrubbed.
 *
 * <p>Immutable and thread-safe; one instance can wrap any number of providers.
 */
public final class SecretsTracing {
  /** The instrumentation scope name of the tracer: {@value}. */
  public static final String INSTRUMENTATION_NAME = "io.secretsdk.opentelemetry";
  /** Attribute: the provider's scheme. */
  public static final String SCHEME = "secrets.scheme";
  /** Attribute: what came of the call. */
  public static final String OUTCOME = "secrets.outcome";
  /** Attribute: the keyed hash of the ref. */
  public static final String REF_HASH = "secrets.ref.hash";
  /** Attribute of a batch: the keyed hashes of its refs. */
  public static final String REF_HASHES = "secrets.ref.hashes";
  /** Attribute of a batch: how many refs it asked for. */
  public static final String REF_COUNT = "secrets.ref.count";
  /** Attribute of a batch: how many of its refs failed. */
  public static final String FAILED_COUNT = "secrets.failed.count";
  /** Shortest hash key accepted, in bytes: {@value}. */
  public static final int MIN_KEY_LENGTH = 16;

  private final Tracer tracer;
  private final byte[] refHashKey;

  private SecretsTracing(Builder b) {
    this.tracer = b.openTelemetry.getTracer(INSTRUMENTATION_NAME);
    this.refHashKey = b.refHashKey != null ? b.refHashKey.clone() : randomKey();
    // whoever holds the key can test guessed refs against the hashes: it is a credential
    b.redactionIndex.registerCredential("opentelemetry/ref-hash-key", refHashKey);
  }

  /**
   * Starts a configuration that records spans through {@code openTelemetry}.
   *
   * @throws NullPointerException if {@code openTelemetry} is null
   */
  public static Builder builder(OpenTelemetry openTelemetry) {
    return new Builder(openTelemetry);
  }

  /**
   * A provider that delegates every call to {@code provider} and records a span for each fetch,
   * refresh, batch fetch, write, describe and revoke. {@code close()} closes {@code provider}.
   *
   * @throws NullPointerException if {@code provider} is null
   */
  public SecretProvider wrap(SecretProvider provider) {
    return new TracingSecretProvider(Objects.requireNonNull(provider, "provider"), this);
  }

  /**
   * The keyed hash spans carry for {@code ref}: {@code hmac-sha256:} and the hex HMAC-SHA-256 of
   * the ref's canonical text ({@code ref.toString()}) under the configured key. The same ref and
   * key always give the same hash, so an operator with the key can find the spans of one ref;
   * without the key a hash says nothing about the ref.
   *
   * @throws NullPointerException if {@code ref} is null
   */
  public String refHash(SecretRef ref) {
    return KeyedFingerprints.fingerprint(refHashKey, ref.toString().getBytes(StandardCharsets.UTF_8));
  }

  Tracer tracer() {
    return tracer;
  }

  private static byte[] randomKey() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return key;
  }

  @Override
  public String toString() {
    return "SecretsTracing[" + INSTRUMENTATION_NAME + "]";
  }

  /** Builds a {@link SecretsTracing}. Not thread-safe. */
  public static final class Builder {
    private final OpenTelemetry openTelemetry;
    private byte[] refHashKey;
    private RedactionIndex redactionIndex = RedactionIndex.global();

    private Builder(OpenTelemetry openTelemetry) {
      this.openTelemetry = Objects.requireNonNull(openTelemetry, "openTelemetry");
    }

    /**
     * The key of the ref hashes (copied). Give every process of a service the same key, held like
     * any other secret, so that their hashes match; without one, a random key is made per
     * {@code SecretsTracing} and hashes match only within it.
     *
     * @throws IllegalArgumentException if {@code key} is shorter than {@value #MIN_KEY_LENGTH} bytes
     * @throws NullPointerException if {@code key} is null
     */
    public Builder refHashKey(byte[] key) {
      Objects.requireNonNull(key, "key");
      if (key.length < MIN_KEY_LENGTH) {
        throw new IllegalArgumentException("refHashKey must be at least " + MIN_KEY_LENGTH
            + " bytes, was " + key.length);
      }
      this.refHashKey = key.clone();
      return this;
    }

    /**
     * The index the hash key is registered with for redaction; default
     * {@link RedactionIndex#global()}.
     *
     * @throws NullPointerException if {@code index} is null
     */
    public Builder redactionIndex(RedactionIndex index) {
      this.redactionIndex = Objects.requireNonNull(index, "index");
      return this;
    }

    /** Builds the configuration. */
    public SecretsTracing build() {
      return new SecretsTracing(this);
    }
  }
}
