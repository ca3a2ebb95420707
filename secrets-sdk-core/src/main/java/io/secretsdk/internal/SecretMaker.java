package io.secretsdk.internal;

import io.secretsdk.Secret;
import io.secretsdk.SecretRef;
import java.time.Instant;
import java.util.Map;

/**
 * How one client's engine hands a caller's own copy of a value to a new {@link Secret}. The only
 * implementation that adopts the array without copying is made inside {@code io.secretsdk} by
 * {@code SecretsClient.Builder}, and is given to the engine it builds: it is per client and
 * cannot be installed, replaced or reached from outside core.
 */
@FunctionalInterface
public interface SecretMaker {
  /** A secret that owns {@code ownedBytes}; the engine never touches the array again. */
  Secret make(SecretRef ref, byte[] ownedBytes, String version, Instant createdAt,
      Map<String, String> metadata);
}
