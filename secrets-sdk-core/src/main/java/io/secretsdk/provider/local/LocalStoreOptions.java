package io.secretsdk.provider.local;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Immutable settings of a {@link LocalSecretProvider}: where the encrypted store file lives, where
 * its key-encryption key (KEK) comes from, how long a writer waits for the cross-process lock, and
 * how many versions of each secret are kept.
 *
 * <p>The KEK is taken from the first of: a key given to {@link Builder#key(byte[])} (programs and
 * tests), the environment variable {@value #KEY_VARIABLE} (base64 of 32 bytes), or the key file
 * (base64 of 32 bytes on one line; its permissions must be {@code 0600} or {@code 0400}).
 *
 * <p>Immutable and thread-safe. {@link #toString()} never shows key material.
 */
public final class LocalStoreOptions {
  /** Environment variable holding the KEK as base64 of 32 bytes. */
  public static final String KEY_VARIABLE = "SECRETS_SDK_LOCAL_KEY";
  /** Environment variable naming the key file (used when {@value #KEY_VARIABLE} is unset). */
  public static final String KEY_FILE_VARIABLE = "SECRETS_SDK_LOCAL_KEY_FILE";
  /** Environment variable naming the store file. */
  public static final String STORE_VARIABLE = "SECRETS_SDK_LOCAL_STORE";
  /** Default directory under the user's home: {@code ~/.secrets-sdk}. */
  public static final String DEFAULT_DIRECTORY = ".secrets-sdk";
  /** Default store file name inside {@link #DEFAULT_DIRECTORY}. */
  public static final String DEFAULT_STORE_FILE_NAME = "local-store.json";
  /** Default key file name inside {@link #DEFAULT_DIRECTORY}. */
  public static final String DEFAULT_KEY_FILE_NAME = "local-store.key";
  /** Default longest wait for another writer's lock before giving up. */
  public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(10);
  /** Default number of versions kept per secret; older ones are dropped at the next write. */
  public static final int DEFAULT_MAX_VERSIONS = 10;

  private final Path storeFile;
  private final Path keyFile;
  private final transient byte[] key;
  private final Function<String, String> environment;
  private final Duration lockTimeout;
  private final int maxVersions;
  private final Duration ttl;
  private final Clock clock;

  private LocalStoreOptions(Builder b) {
    Path home = Path.of(System.getProperty("user.home"), DEFAULT_DIRECTORY);
    this.environment = b.environment;
    this.storeFile = (b.storeFile != null ? b.storeFile
        : Optional.ofNullable(nonEmpty(b.environment.apply(STORE_VARIABLE))).map(Path::of)
            .orElse(home.resolve(DEFAULT_STORE_FILE_NAME))).toAbsolutePath().normalize();
    this.keyFile = (b.keyFile != null ? b.keyFile
        : Optional.ofNullable(nonEmpty(b.environment.apply(KEY_FILE_VARIABLE))).map(Path::of)
            .orElse(home.resolve(DEFAULT_KEY_FILE_NAME))).toAbsolutePath().normalize();
    this.key = b.key == null ? null : b.key.clone();
    this.lockTimeout = b.lockTimeout;
    this.maxVersions = b.maxVersions;
    this.ttl = b.ttl;
    this.clock = b.clock;
  }

  /** Defaults: store and key under {@code ~/.secrets-sdk}, unless the environment names them. */
  public static LocalStoreOptions ofDefaults() {
    return builder().build();
  }

  /** Starts building options. */
  public static Builder builder() {
    return new Builder();
  }

  /** The store file (absolute). */
  public Path storeFile() {
    return storeFile;
  }

  /** The key file read when no key was given and {@value #KEY_VARIABLE} is unset (absolute). */
  public Path keyFile() {
    return keyFile;
  }

  /** The environment lookup used for {@value #KEY_VARIABLE} and the path variables. */
  public Function<String, String> environment() {
    return environment;
  }

  /** Longest wait for the cross-process writer lock. */
  public Duration lockTimeout() {
    return lockTimeout;
  }

  /** Versions kept per secret. */
  public int maxVersions() {
    return maxVersions;
  }

  /** How long a client may cache a value from this store, when set (else the client's caps). */
  public Optional<Duration> ttl() {
    return Optional.ofNullable(ttl);
  }

  /** Wall-clock time for creation and expiry stamps. */
  public Clock clock() {
    return clock;
  }

  /** Whether a key was given directly to the builder. */
  boolean hasExplicitKey() {
    return key != null;
  }

  /** A copy of the key given to the builder; the caller wipes it. */
  byte[] explicitKey() {
    return key.clone();
  }

  @Override
  public String toString() {
    return "LocalStoreOptions[storeFile=" + storeFile + ", key="
        + (key != null ? "<given>" : KEY_VARIABLE + " or " + keyFile)
        + ", lockTimeout=" + lockTimeout + ", maxVersions=" + maxVersions + ", ttl=" + ttl + "]";
  }

  private static String nonEmpty(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }

  /** Builds {@link LocalStoreOptions}. Not thread-safe. Each setter checks its argument. */
  public static final class Builder {
    private Path storeFile;
    private Path keyFile;
    private byte[] key;
    private Function<String, String> environment = System::getenv;
    private Duration lockTimeout = DEFAULT_LOCK_TIMEOUT;
    private int maxVersions = DEFAULT_MAX_VERSIONS;
    private Duration ttl;
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /** The store file; default {@value LocalStoreOptions#STORE_VARIABLE}, else {@code ~/.secrets-sdk/local-store.json}. */
    public Builder storeFile(Path storeFile) {
      this.storeFile = Objects.requireNonNull(storeFile, "storeFile");
      return this;
    }

    /** The key file; default {@value LocalStoreOptions#KEY_FILE_VARIABLE}, else {@code ~/.secrets-sdk/local-store.key}. */
    public Builder keyFile(Path keyFile) {
      this.keyFile = Objects.requireNonNull(keyFile, "keyFile");
      return this;
    }

    /**
     * The KEK itself (32 bytes; copied), taking precedence over the environment and the key file.
     * It is registered for redaction ({@code credential://local/key/<key id>}) here, before it is used.
     *
     * @throws IllegalArgumentException if {@code key} is not 32 bytes long
     */
    public Builder key(byte[] key) {
      Objects.requireNonNull(key, "key");
      if (key.length != 32) {
        throw new IllegalArgumentException("key must be 32 bytes (AES-256)");
      }
      if (this.key != null) {
        Arrays.fill(this.key, (byte) 0);
      }
      this.key = key.clone();
      LocalKeys.register(this.key);
      return this;
    }

    /** The environment lookup (returns {@code null} when unset); default the process environment. */
    public Builder environment(Function<String, String> environment) {
      this.environment = Objects.requireNonNull(environment, "environment");
      return this;
    }

    /**
     * Longest wait for another writer's lock; default 10 s.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder lockTimeout(Duration lockTimeout) {
      Objects.requireNonNull(lockTimeout, "lockTimeout");
      if (lockTimeout.isNegative() || lockTimeout.isZero()) {
        throw new IllegalArgumentException("lockTimeout must be positive");
      }
      this.lockTimeout = lockTimeout;
      return this;
    }

    /**
     * Versions kept per secret, 1 to 1000; default 10.
     *
     * @throws IllegalArgumentException if out of range
     */
    public Builder maxVersions(int maxVersions) {
      if (maxVersions < 1 || maxVersions > 1000) {
        throw new IllegalArgumentException("maxVersions must be in [1, 1000]");
      }
      this.maxVersions = maxVersions;
      return this;
    }

    /**
     * How long a client may cache a value; {@code null} (default) leaves it to the client's caps.
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder ttl(Duration ttl) {
      if (ttl != null && ttl.isNegative()) {
        throw new IllegalArgumentException("ttl must not be negative");
      }
      this.ttl = ttl;
      return this;
    }

    /** Wall-clock time for creation and expiry; default UTC system clock. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Builds the options; the builder's key copy stays until the builder is dropped. */
    public LocalStoreOptions build() {
      return new LocalStoreOptions(this);
    }
  }
}
