package io.secretsdk.spring;

import io.secretsdk.SecretsClient;
import io.secretsdk.config.SecretRegistry;
import io.secretsdk.spi.SecretProvider;
import java.util.Map;

/**
 * The client the starter built, with the registry it was given and the providers built from
 * {@code secrets.providers} (by scheme), which the health indicator asks about their credentials.
 * The client owns the providers and closes them.
 */
record ConfiguredSecrets(SecretsClient client, SecretRegistry registry,
    Map<String, SecretProvider> providers) implements AutoCloseable {

  /** Closes the client, which closes the providers. */
  @Override
  public void close() {
    client.close();
  }
}
