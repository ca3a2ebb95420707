package io.secretsdk.spi;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link SecretProvider} returns for one ref: the value bytes and the non-secret facts the
 * client needs to cache, refresh and audit it.
 *
 * <p>The value is copied in by the builder and copied out by {@link #value()}; {@link #wipe()}
 * zeroes this instance's copy. {@link #toString()} never shows the value. Metadata must hold no
 * secret material: it reaches audit events and policy checks.
 *
 * <p>Immutable apart from {@link #wipe()}; safe to pass between threads.
 */
public final class FetchResult {
  private final transient byte[] value;
  private final String version;
  private final Instant createdAt;
  private final Duration ttl;
  private final Map<String, String> metadata;

  private FetchResult(Builder b) {
    this.value = b.value.clone();
    this.version = b.version;
    this.createdAt = b.createdAt;
    this.ttl = b.ttl;
    this.metadata = Map.copyOf(b.metadata);
  }

  /**
   * Starts a result holding a copy of {@code value}.
   *
   * @throws NullPointerException if {@code value} is null
   */
  public static Builder builder(byte[] value) {
    return new Builder(value);
  }

  /** A fresh copy of the value's bytes; the caller owns it and should wipe it. */
  public byte[] value() {
    return value.clone();
  }

  /** The provider's version id of the value, when it has versions. */
  public Optional<String> version() {
    return Optional.ofNullable(version);
  }

  /** When the provider created this version, when it says. */
  public Optional<Instant> createdAt() {
    return Optional.ofNullable(createdAt);
  }

  /**
   * How long the provider allows the value to be cached (a lease duration, a TTL), when it says.
   * The client caps it further by registry, environment and policy.
   */
  public Optional<Duration> ttl() {
    return Optional.ofNullable(ttl);
  }

  /** Non-secret metadata (version stages, tags, custom metadata). */
  public Map<String, String> metadata() {
    return metadata;
  }

  /** Zeroes this instance's copy of the value. */
  public void wipe() {
    Arrays.fill(value, (byte) 0);
  }

  @Override
  public String toString() {
    return "FetchResult[version=" + version + ", ttl=" + ttl + ", value=****]";
  }

  /** Builds a {@link FetchResult}. Not thread-safe. */
  public static final class Builder {
    private final byte[] value;
    private String version;
    private Instant createdAt;
    private Duration ttl;
    private final Map<String, String> metadata = new LinkedHashMap<>();

    private Builder(byte[] value) {
      this.value = Objects.requireNonNull(value, "value").clone();
    }

    /** The provider's version id; {@code null} when the provider has no versions. */
    public Builder version(String version) {
      this.version = version;
      return this;
    }

    /** When the provider created this version. */
    public Builder createdAt(Instant createdAt) {
      this.createdAt = createdAt;
      return this;
    }

    /**
     * How long the value may be cached, per the provider.
     *
     * @throws IllegalArgumentException if {@code ttl} is negative
     */
    public Builder ttl(Duration ttl) {
      if (ttl != null && ttl.isNegative()) {
        throw new IllegalArgumentException("ttl must not be negative");
      }
      this.ttl = ttl;
      return this;
    }

    /** Adds one metadata entry; keys and values must be non-secret. */
    public Builder metadata(String key, String value) {
      metadata.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** Adds all metadata entries; keys and values must be non-secret. */
    public Builder metadata(Map<String, String> entries) {
      entries.forEach(this::metadata);
      return this;
    }

    /** Builds the result and wipes the builder's copy of the value. */
    public FetchResult build() {
      try {
        return new FetchResult(this);
      } finally {
        Arrays.fill(value, (byte) 0);
      }
    }
  }
}
