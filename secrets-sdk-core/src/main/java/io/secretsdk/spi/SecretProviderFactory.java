package io.secretsdk.spi;

/**
 * Builds a {@link SecretProvider} from {@link ProviderSettings}, for configuration-driven set-up.
 *
 * <p>Factories are found through {@link java.util.ServiceLoader}, but the client instantiates only
 * those the SDK ships or the user names on the builder: whoever controls a classpath must not be
 * able to slip in a provider that receives every secret. Explicit registration with
 * {@code SecretsClient.builder().provider(...)} stays the first choice.
 *
 * <p>Implementations need a public no-argument constructor and must be thread-safe.
 */
public interface SecretProviderFactory {

  /** The scheme of the providers this factory builds. */
  String scheme();

  /**
   * Builds a provider.
   *
   * @throws io.secretsdk.SecretConfigException if the settings are incomplete or invalid
   */
  SecretProvider create(ProviderSettings settings);
}
