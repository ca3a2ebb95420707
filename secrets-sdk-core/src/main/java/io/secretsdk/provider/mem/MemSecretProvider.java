package io.secretsdk.provider.mem;

import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretVersionConflictException;
import io.secretsdk.spi.FetchContext;
import io.secretsdk.spi.FetchResult;
import io.secretsdk.spi.SecretProvider;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An in-memory, versioned provider for {@code mem://} refs: what tests, samples and the quick start
 * use.
 *
 * <p>Each path holds a list of versions numbered from 1; {@code mem://app/db?version=2} reads a
 * pinned version, {@code mem://app/db} the latest. {@link #put} adds a version; {@link #write}
 * does the same with compare-and-set. {@link #delete} removes the path. Values are copied in and
 * out, and wiped when deleted or when the provider is closed. An optional TTL is reported with
 * every fetch so tests can drive the client's expiry.
 *
 * <p>Thread-safe.
 */
public final class MemSecretProvider implements SecretProvider {
  /** The scheme served: {@code mem}. */
  public static final String SCHEME = "mem";

  private final Map<String, List<Version>> secrets = new ConcurrentHashMap<>();
  private final Clock clock;
  private final Duration ttl;

  private MemSecretProvider(Clock clock, Duration ttl) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.ttl = ttl;
  }

  /** An empty provider that reports no TTL (the client's caps apply). */
  public static MemSecretProvider create() {
    return new MemSecretProvider(Clock.systemUTC(), null);
  }

  /**
   * An empty provider that reports {@code ttl} with every value.
   *
   * @throws IllegalArgumentException if {@code ttl} is negative
   */
  public static MemSecretProvider withTtl(Duration ttl) {
    if (ttl.isNegative()) {
      throw new IllegalArgumentException("ttl must not be negative");
    }
    return new MemSecretProvider(Clock.systemUTC(), ttl);
  }

  @Override
  public String scheme() {
    return SCHEME;
  }

  /**
   * Stores a new version of the value at {@code path} (a ref path such as {@code test/openai}).
   *
   * @return the new version number
   */
  public String put(String path, String value) {
    return put(path, value.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Stores a new version of the value at {@code path}; the array is copied.
   *
   * @return the new version number
   */
  public String put(String path, byte[] value) {
    Objects.requireNonNull(value, "value");
    String key = normalize(path);
    String[] version = new String[1];
    secrets.compute(key, (k, versions) -> {
      List<Version> next = versions == null ? new ArrayList<>() : new ArrayList<>(versions);
      next.add(new Version(value.clone(), clock.instant()));
      version[0] = String.valueOf(next.size());
      return List.copyOf(next);
    });
    return version[0];
  }

  /**
   * Removes every version at {@code path}, wiping them.
   *
   * @return whether anything was removed
   */
  public boolean delete(String path) {
    List<Version> removed = secrets.remove(normalize(path));
    if (removed == null) {
      return false;
    }
    removed.forEach(v -> Arrays.fill(v.value, (byte) 0));
    return true;
  }

  @Override
  public FetchResult fetch(SecretRef ref, FetchContext context) {
    List<Version> versions = secrets.get(ref.path());
    if (versions == null || versions.isEmpty()) {
      throw new SecretNotFoundException(ref, "no secret at " + ref.withoutField());
    }
    int index = versions.size();
    Optional<String> pinned = ref.queryParam("version");
    if (pinned.isPresent()) {
      index = parseVersion(ref, pinned.get());
      if (index > versions.size()) {
        throw new SecretNotFoundException(ref, "no version " + index + " of " + ref.withoutField());
      }
    }
    for (String param : ref.query().keySet()) {
      if (!param.equals("version")) {
        throw new InvalidSecretRefException(ref, "mem refs take only the 'version' parameter");
      }
    }
    if (ref.field().isPresent()) {
      throw new InvalidSecretRefException(ref, "mem refs have no fields");
    }
    Version v = versions.get(index - 1);
    FetchResult.Builder result = FetchResult.builder(v.value)
        .version(String.valueOf(index))
        .createdAt(v.createdAt);
    if (ttl != null) {
      result.ttl(ttl);
    }
    return result.build();
  }

  @Override
  public String write(SecretRef ref, byte[] value, String expectedVersion) {
    Objects.requireNonNull(value, "value");
    String key = ref.path();
    String[] version = new String[1];
    secrets.compute(key, (k, versions) -> {
      int current = versions == null ? 0 : versions.size();
      if (expectedVersion != null && !expectedVersion.equals(String.valueOf(current))) {
        throw new SecretVersionConflictException(ref, "expected version " + expectedVersion
            + " of " + ref.withoutField() + " but the current version is " + current);
      }
      List<Version> next = versions == null ? new ArrayList<>() : new ArrayList<>(versions);
      next.add(new Version(value.clone(), clock.instant()));
      version[0] = String.valueOf(next.size());
      return List.copyOf(next);
    });
    return version[0];
  }

  /** Wipes and drops every stored value. */
  @Override
  public void close() {
    secrets.values().forEach(vs -> vs.forEach(v -> Arrays.fill(v.value, (byte) 0)));
    secrets.clear();
  }

  @Override
  public String toString() {
    return "MemSecretProvider[paths=" + secrets.size() + "]";
  }

  private static int parseVersion(SecretRef ref, String raw) {
    try {
      int v = Integer.parseInt(raw);
      if (v >= 1) {
        return v;
      }
    } catch (NumberFormatException e) {
      // fall through to the typed error; the parameter is not secret but need not be echoed
    }
    throw new InvalidSecretRefException(ref, "mem ref parameter 'version' must be a positive integer");
  }

  private static String normalize(String path) {
    return SecretRef.parse(SCHEME + "://" + path).path();
  }

  private static final class Version {
    final byte[] value;
    final Instant createdAt;

    Version(byte[] value, Instant createdAt) {
      this.value = value;
      this.createdAt = createdAt;
    }
  }
}
