package io.secretsdk;

import io.secretsdk.spi.ProviderSettings;
import io.secretsdk.spi.SecretProvider;
import io.secretsdk.spi.SecretProviderFactory;

/** A user factory that fails with its configured token in the message and the cause. */
public final class LeakyFactory implements SecretProviderFactory {
  @Override
  public String scheme() {
    return "leaky";
  }

  @Override
  public SecretProvider create(ProviderSettings settings) {
    String token = settings.option("token").orElse("");
    SecretConfigException e = new SecretConfigException(null, 0, "leaky.token",
        "token " + token + " refused");
    e.initCause(new IllegalStateException("server said: " + token));
    throw e;
  }
}
