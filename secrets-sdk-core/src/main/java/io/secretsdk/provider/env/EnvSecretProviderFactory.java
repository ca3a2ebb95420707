package io.secretsdk.provider.env;

import io.secretsdk.SecretConfigException;
import io.secretsdk.spi.ProviderSettings;
import io.secretsdk.spi.SecretProvider;
import io.secretsdk.spi.SecretProviderFactory;

/**
 * Builds an {@link EnvSecretProvider} for configuration-driven set-up (scheme {@code env}).
 *
 * <p>The provider reads variables through {@link ProviderSettings#environment()}, so settings built
 * with an injected environment are honoured. The {@code env} provider takes no options; any option
 * is rejected, so a typo in a configuration file is not silently ignored.
 *
 * <p>Stateless and thread-safe.
 */
public final class EnvSecretProviderFactory implements SecretProviderFactory {

  /** Creates the factory; used by {@link java.util.ServiceLoader}. */
  public EnvSecretProviderFactory() {}

  @Override
  public String scheme() {
    return EnvSecretProvider.SCHEME;
  }

  /**
   * Builds the provider.
   *
   * @throws SecretConfigException if any option is set (the env provider takes none)
   */
  @Override
  public SecretProvider create(ProviderSettings settings) {
    if (!settings.options().isEmpty()) {
      String name = new java.util.TreeSet<>(settings.options().keySet()).first();
      throw new SecretConfigException(null, 0, name, "unknown option for the env provider (it takes none)");
    }
    return EnvSecretProvider.create(settings.environment());
  }
}
