package io.secretsdk.config;

import io.secretsdk.RunEnvironment;
import io.secretsdk.SecretRef;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One registry entry: the ref a secret name resolves to in one environment, its scope labels and
 * its TTL cap, as read from {@code configs/secrets-registry.yaml}.
 *
 * <p>Holds refs and labels only, never a value, so it is safe to log and to hand to kernel code.
 * Immutable and thread-safe.
 */
public final class RegistryEntry {
  private final String name;
  private final String environmentKey;
  private final RunEnvironment environment;
  private final SecretRef ref;
  private final List<String> scope;
  private final Duration maxTtl;

  RegistryEntry(String name, String environmentKey, SecretRef ref, List<String> scope,
      Duration maxTtl) {
    this.name = Objects.requireNonNull(name, "name");
    this.environmentKey = Objects.requireNonNull(environmentKey, "environmentKey");
    this.environment = RunEnvironment.fromKey(environmentKey);
    this.ref = Objects.requireNonNull(ref, "ref");
    this.scope = List.copyOf(scope);
    this.maxTtl = maxTtl;
  }

  /** The secret's registry name (the top-level key, e.g. {@code openai}). */
  public String name() {
    return name;
  }

  /** The environment key as written in the file (e.g. {@code dev}). */
  public String environmentKey() {
    return environmentKey;
  }

  /** The run environment that key answers to (e.g. {@code dev} → {@link RunEnvironment#LOCAL}). */
  public RunEnvironment environment() {
    return environment;
  }

  /** The ref, parsed and canonical; scheme aliases such as {@code kv://} are kept as written. */
  public SecretRef ref() {
    return ref;
  }

  /** The scope labels (e.g. {@code llm:chat}), in file order; empty when none were given. */
  public List<String> scope() {
    return scope;
  }

  /**
   * The entry's {@code max_ttl_seconds}, when given. The client caches for at most the smallest
   * of this, the provider's TTL, the environment cap and the policy cap.
   */
  public Optional<Duration> maxTtl() {
    return Optional.ofNullable(maxTtl);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof RegistryEntry)) {
      return false;
    }
    RegistryEntry e = (RegistryEntry) o;
    return name.equals(e.name) && environmentKey.equals(e.environmentKey) && ref.equals(e.ref)
        && scope.equals(e.scope) && Objects.equals(maxTtl, e.maxTtl);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, environmentKey, ref, scope, maxTtl);
  }

  /** Name, environment, ref, scope and TTL; all safe to log. */
  @Override
  public String toString() {
    return "RegistryEntry[" + name + "/" + environmentKey + " -> " + ref + ", scope=" + scope
        + (maxTtl == null ? "" : ", maxTtl=" + maxTtl.getSeconds() + "s") + "]";
  }
}
