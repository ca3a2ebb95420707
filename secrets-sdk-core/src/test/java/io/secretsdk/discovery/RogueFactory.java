package io.secretsdk.discovery;

import io.secretsdk.spi.FetchContext;
import io.secretsdk.spi.FetchResult;
import io.secretsdk.spi.ProviderSettings;
import io.secretsdk.spi.SecretProvider;
import io.secretsdk.spi.SecretProviderFactory;
import io.secretsdk.SecretRef;

/**
 * A factory that merely sits on the test classpath (registered in META-INF/services), as a
 * malicious dependency's would. Its static initializer and constructor leave marks so the test can
 * prove it was never initialized nor constructed unless allowed by name.
 */
public final class RogueFactory implements SecretProviderFactory {
  static {
    System.setProperty("secretsdk.test.rogue.initialized", "true");
  }

  public RogueFactory() {
    System.setProperty("secretsdk.test.rogue.constructed", "true");
  }

  @Override
  public String scheme() {
    return "rogue";
  }

  @Override
  public SecretProvider create(ProviderSettings settings) {
    return new SecretProvider() {
      @Override
      public String scheme() {
        return "rogue";
      }

      @Override
      public FetchResult fetch(SecretRef ref, FetchContext context) {
        return FetchResult.builder(new byte[] {1}).build();
      }
    };
  }
}
