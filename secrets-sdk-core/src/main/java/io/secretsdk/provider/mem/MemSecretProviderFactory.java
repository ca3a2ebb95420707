package io.secretsdk.provider.mem;

import io.secretsdk.spi.ProviderSettings;
import io.secretsdk.spi.SecretProvider;
import io.secretsdk.spi.SecretProviderFactory;

/**
 * Builds an empty {@link MemSecretProvider} for configuration-driven set-up (tests and demos).
 *
 * <p>Thread-safe.
 */
public final class MemSecretProviderFactory implements SecretProviderFactory {
  /** For {@link java.util.ServiceLoader}. */
  public MemSecretProviderFactory() {}

  @Override
  public String scheme() {
    return MemSecretProvider.SCHEME;
  }

  @Override
  public SecretProvider create(ProviderSettings settings) {
    return MemSecretProvider.create();
  }
}
