package io.secretsdk.provider.local;

import io.secretsdk.SecretConfigException;
import io.secretsdk.spi.ProviderSettings;
import io.secretsdk.spi.SecretProvider;
import io.secretsdk.spi.SecretProviderFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;

/**
 * Builds a {@link LocalSecretProvider} for configuration-driven set-up.
 *
 * <p>Options: {@code store} (path of the store file), {@code key_file}, {@code ttl} (ISO-8601
 * duration such as {@code PT5M}). Unset options fall back to {@value LocalStoreOptions#STORE_VARIABLE},
 * {@value LocalStoreOptions#KEY_FILE_VARIABLE} and the defaults under {@code ~/.secrets-sdk}; the
 * key comes from {@value LocalStoreOptions#KEY_VARIABLE} or the key file, read through the
 * settings' environment.
 *
 * <p>Thread-safe.
 */
public final class LocalSecretProviderFactory implements SecretProviderFactory {
  /** For {@link java.util.ServiceLoader}. */
  public LocalSecretProviderFactory() {}

  @Override
  public String scheme() {
    return LocalSecretProvider.SCHEME;
  }

  /**
   * Builds the provider; the key is read lazily, at the first fetch or write.
   *
   * @throws SecretConfigException if the {@code ttl} option is not an ISO-8601 duration
   */
  @Override
  public SecretProvider create(ProviderSettings settings) {
    LocalStoreOptions.Builder b = LocalStoreOptions.builder().environment(settings.environment());
    settings.option("store").ifPresent(s -> b.storeFile(Path.of(s)));
    settings.option("key_file").ifPresent(s -> b.keyFile(Path.of(s)));
    settings.option("ttl").ifPresent(s -> {
      try {
        b.ttl(Duration.parse(s));
      } catch (DateTimeParseException | IllegalArgumentException e) {
        throw new SecretConfigException(null, 0, "local.ttl", "must be an ISO-8601 duration such as PT5M");
      }
    });
    return LocalSecretProvider.create(b.build());
  }
}
