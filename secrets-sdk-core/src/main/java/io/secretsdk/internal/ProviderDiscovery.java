package io.secretsdk.internal;

import io.secretsdk.SecretConfigException;
import io.secretsdk.spi.ProviderSettings;
import io.secretsdk.spi.SecretProvider;
import io.secretsdk.spi.SecretProviderFactory;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * Finds {@link SecretProviderFactory} implementations with {@link ServiceLoader}, instantiating only
 * classes on an allowlist: the factories this SDK ships, plus any the user names. A factory that
 * merely sits on the classpath is never constructed (nor even initialized: {@link
 * ServiceLoader.Provider#type()} loads the class without running its static initializer), so a
 * dependency cannot slip in a provider that receives secrets.
 */
public final class ProviderDiscovery {
  /** Factories shipped by the SDK's own modules, by class name. */
  public static final Set<String> SDK_FACTORIES = Set.of(
      "io.secretsdk.provider.env.EnvSecretProviderFactory",
      "io.secretsdk.provider.file.FileSecretProviderFactory",
      "io.secretsdk.provider.mem.MemSecretProviderFactory",
      "io.secretsdk.provider.local.LocalSecretProviderFactory",
      "io.secretsdk.vault.VaultSecretProviderFactory",
      "io.secretsdk.aws.AwsSecretsManagerProviderFactory",
      "io.secretsdk.onepassword.OnePasswordProviderFactory",
      "io.secretsdk.keychain.KeychainProviderFactory");

  private ProviderDiscovery() {}

  /**
   * The allowed factories visible to {@code loader}, by scheme.
   *
   * @param userFactories class names the user allows besides the SDK's own
   * @throws SecretConfigException if two allowed factories claim one scheme
   */
  public static Map<String, SecretProviderFactory> allowedFactories(ClassLoader loader,
      Set<String> userFactories) {
    Map<String, SecretProviderFactory> byScheme = new LinkedHashMap<>();
    ServiceLoader.load(SecretProviderFactory.class, loader).stream()
        .filter(p -> SDK_FACTORIES.contains(p.type().getName())
            || userFactories.contains(p.type().getName()))
        .forEach(p -> {
          SecretProviderFactory f = p.get();
          String scheme = f.scheme().toLowerCase(Locale.ROOT);
          SecretProviderFactory prior = byScheme.putIfAbsent(scheme, f);
          if (prior != null && !prior.getClass().equals(f.getClass())) {
            throw new SecretConfigException(null, 0, "providers", "two factories claim scheme '"
                + scheme + "': " + prior.getClass().getName() + " and " + f.getClass().getName());
          }
        });
    return byScheme;
  }

  /** Class names of every factory on the classpath, allowed or not, without loading any. */
  public static List<String> visibleFactoryNames(ClassLoader loader) {
    return ServiceLoader.load(SecretProviderFactory.class, loader).stream()
        .map(p -> p.type().getName()).sorted().toList();
  }

  /**
   * Creates a provider for {@code scheme} from an allowed factory.
   *
   * @throws SecretConfigException if no allowed factory serves the scheme
   */
  public static SecretProvider create(String scheme, ProviderSettings settings, ClassLoader loader,
      Set<String> userFactories) {
    Map<String, SecretProviderFactory> factories = allowedFactories(loader, userFactories);
    SecretProviderFactory f = Optional.ofNullable(factories.get(scheme.toLowerCase(Locale.ROOT)))
        .orElseThrow(() -> new SecretConfigException(null, 0, "providers",
            "no allowed provider factory for scheme '" + scheme + "' (available: "
                + factories.keySet() + "; add the provider's module, or allow a custom factory"
                + " by class name)"));
    return f.create(settings);
  }
}
