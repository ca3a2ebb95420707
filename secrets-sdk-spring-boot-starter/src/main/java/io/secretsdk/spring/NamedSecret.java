package io.secretsdk.spring;

import io.secretsdk.Secret;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretsClient;
import java.util.Objects;

/**
 * A registry name bound to the application's {@link SecretsClient}, resolved at each use: what a
 * bean holds instead of a value. Immutable and value-free; {@link #toString()} shows the name and
 * ref only.
 */
public final class NamedSecret {
  private final String name;
  private final SecretRef ref;
  private final SecretsClient client;

  private NamedSecret(String name, SecretRef ref, SecretsClient client) {
    this.name = name;
    this.ref = ref;
    this.client = client;
  }

  /**
   * Binds a registry name to a client.
   *
   * @throws io.secretsdk.SecretConfigException if the registry has no entry for the name in the
   *     client's run environment
   */
  public static NamedSecret of(String name, SecretsClient client) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(client, "client");
    return new NamedSecret(name, client.refOf(name), client);
  }

  /** The registry name. */
  public String name() {
    return name;
  }

  /** The ref the name maps to in the client's run environment. */
  public SecretRef ref() {
    return ref;
  }

  /**
   * Resolves the current value (from the cache when fresh); close the returned {@link Secret}.
   *
   * @see SecretsClient#resolveByName(String)
   */
  public Secret resolve() {
    return client.resolveByName(name);
  }

  @Override
  public String toString() {
    return "NamedSecret[name=" + name + ", ref=" + ref + "]";
  }
}
