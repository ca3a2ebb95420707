package io.secretsdk.provider.mem;

import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretVersionConflictException;
import io.secretsdk.spi.FetchContext;
import io.secretsdk.spi.FetchResult;
import io.secretsdk.spi.RevokeRequest;
import io.secretsdk.spi.RevokeResult;
import io.secretsdk.spi.SecretDescription;
import io.secretsdk.spi.SecretProvider;
import io.secretsdk.spi.SecretVersionInfo;
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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An in-memory, versioned provider for {@code mem://} refs: what tests, samples and the quick start
 * use.
 *
 * <p>Each path holds a list of versions numbered from 1; {@code mem://app/db?version=2} reads a
 * pinned version, {@code mem://app/db} the newest not revoked. {@link #put} adds a version;
 * {@link #write} does the same with compare-and-set against that current version;
 * {@link #revoke(SecretRef, RevokeRequest)} disables one version; {@link #delete} removes the path. Values are copied in and
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
      next.add(new Version(value.clone(), clock.instant(), SecretVersionInfo.State.ENABLED));
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
    for (String param : ref.query().keySet()) {
      if (!param.equals("version")) {
        throw new InvalidSecretRefException(ref, "mem refs take only the 'version' parameter");
      }
    }
    if (ref.field().isPresent()) {
      throw new InvalidSecretRefException(ref, "mem refs have no fields");
    }
    List<Version> versions = secrets.get(ref.path());
    int current = versions == null ? 0 : currentIndex(versions);
    if (current == 0) {
      throw new SecretNotFoundException(ref, "no secret at " + ref.withoutField());
    }
    int index = current;
    Optional<String> pinned = ref.queryParam("version");
    if (pinned.isPresent()) {
      index = parseVersion(ref, pinned.get());
      if (index > versions.size()) {
        throw new SecretNotFoundException(ref, "no version " + index + " of " + ref.withoutField());
      }
    }
    Version v = versions.get(index - 1);
    if (v.state != SecretVersionInfo.State.ENABLED) {
      throw new SecretNotFoundException(ref, "version " + index + " of " + ref.withoutField()
          + " was revoked");
    }
    FetchResult.Builder result = FetchResult.builder(v.value)
        .version(String.valueOf(index))
        .createdAt(v.createdAt);
    if (ttl != null) {
      result.ttl(ttl);
    }
    return result.build();
  }

  /** The number of the newest enabled version, or 0. */
  private static int currentIndex(List<Version> versions) {
    for (int i = versions.size(); i >= 1; i--) {
      if (versions.get(i - 1).state == SecretVersionInfo.State.ENABLED) {
        return i;
      }
    }
    return 0;
  }

  /**
   * Describes the versions at {@code ref}, newest first; the current one is the newest that is not
   * revoked. Mem secrets have no metadata or stages.
   *
   * @throws SecretNotFoundException if nothing was ever stored at the path
   */
  @Override
  public SecretDescription describe(SecretRef ref) {
    List<Version> versions = secrets.get(ref.path());
    if (versions == null || versions.isEmpty()) {
      throw new SecretNotFoundException(ref, "no secret at " + ref.withoutField());
    }
    List<SecretVersionInfo> infos = new ArrayList<>();
    for (int i = versions.size(); i >= 1; i--) {
      Version v = versions.get(i - 1);
      infos.add(new SecretVersionInfo(String.valueOf(i), Set.of(), v.state, v.createdAt, null));
    }
    int current = currentIndex(versions);
    return new SecretDescription(SecretRef.parse(SCHEME + "://" + ref.path()),
        current == 0 ? null : String.valueOf(current), infos, Map.of());
  }

  /**
   * Revokes one version (the current one unless the request or the ref's {@code version} names
   * one): {@link RevokeRequest.Mode#DISABLE} stops serving it, {@link RevokeRequest.Mode#DESTROY}
   * also wipes its value. The newest version still enabled becomes current.
   *
   * @throws UnsupportedOperationException for {@link RevokeRequest.Mode#SCHEDULE_DELETION}
   * @throws SecretNotFoundException if there is no such secret or enabled version
   */
  @Override
  public RevokeResult revoke(SecretRef ref, RevokeRequest request) {
    Objects.requireNonNull(request, "request");
    if (request.mode() == RevokeRequest.Mode.SCHEDULE_DELETION) {
      throw new UnsupportedOperationException("mem provider cannot schedule a deletion");
    }
    String requested = request.targetVersion().or(() -> ref.queryParam("version")).orElse(null);
    SecretRef base = SecretRef.parse(SCHEME + "://" + ref.path());
    SecretVersionInfo.State state = request.mode() == RevokeRequest.Mode.DESTROY
        ? SecretVersionInfo.State.DESTROYED : SecretVersionInfo.State.DISABLED;
    int[] done = new int[2];
    secrets.compute(ref.path(), (k, versions) -> {
      int current = versions == null ? 0 : currentIndex(versions);
      int target = requested == null ? current : parseVersion(ref, requested);
      if (versions == null || target == 0 || target > versions.size()
          || versions.get(target - 1).state != SecretVersionInfo.State.ENABLED) {
        throw new SecretNotFoundException(ref, target == 0 ? "no secret at " + base
            : "no enabled version " + target + " of " + base);
      }
      List<Version> next = new ArrayList<>(versions);
      Version old = next.get(target - 1);
      byte[] kept = old.value;
      if (state == SecretVersionInfo.State.DESTROYED) {
        kept = new byte[0];
        Arrays.fill(old.value, (byte) 0);
      }
      next.set(target - 1, new Version(kept, old.createdAt, state));
      done[0] = target;
      done[1] = currentIndex(next);
      return List.copyOf(next);
    });
    List<String> steps = new ArrayList<>();
    steps.add((state == SecretVersionInfo.State.DESTROYED ? "destroyed" : "disabled")
        + " version " + done[0] + " of " + base);
    steps.add(done[1] == 0 ? "no version of " + base + " is left"
        : "version " + done[1] + " is now current");
    return new RevokeResult(String.valueOf(done[0]), steps);
  }

  @Override
  public String write(SecretRef ref, byte[] value, String expectedVersion) {
    Objects.requireNonNull(value, "value");
    String key = ref.path();
    String[] version = new String[1];
    secrets.compute(key, (k, versions) -> {
      int current = versions == null ? 0 : currentIndex(versions);
      if (expectedVersion != null && !expectedVersion.equals(String.valueOf(current))) {
        throw new SecretVersionConflictException(ref, "expected version " + expectedVersion
            + " of " + ref.withoutField() + " but the current version is " + current);
      }
      List<Version> next = versions == null ? new ArrayList<>() : new ArrayList<>(versions);
      next.add(new Version(value.clone(), clock.instant(), SecretVersionInfo.State.ENABLED));
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
    final SecretVersionInfo.State state;

    Version(byte[] value, Instant createdAt, SecretVersionInfo.State state) {
      this.value = value;
      this.createdAt = createdAt;
      this.state = state;
    }
  }
}
