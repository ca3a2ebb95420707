package io.secretsdk.spring;

import io.secretsdk.RunEnvironment;
import io.secretsdk.SecretConfigException;
import io.secretsdk.SecretsClient;
import io.secretsdk.config.SecretPolicy;
import io.secretsdk.config.SecretRegistry;
import io.secretsdk.internal.ExceptionExit;
import io.secretsdk.internal.ProviderDiscovery;
import io.secretsdk.metrics.SecretsMetrics;
import io.secretsdk.spi.ProviderSettings;
import io.secretsdk.spi.SecretProvider;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Builds a {@link SecretsClient} from {@link SecretsProperties}: the one place both the
 * auto-configuration and the {@code secrets:} config import build theirs, so the two see the same
 * registry, policy, environment and providers.
 */
final class SecretsClientFactory {
  private static final String CLASSPATH = "classpath:";
  private static final String ENABLED = "enabled";
  /** The registry and policy loaders refuse anything larger; read one byte more to let them say so. */
  private static final int MAX_CONFIG_BYTES = 256 * 1024 + 1;

  private SecretsClientFactory() {}

  /**
   * Builds the client; nothing is half-built: a provider made before a later one fails is closed.
   *
   * @param properties the {@code secrets.*} settings
   * @param defaultPrincipal the principal when none is set (the application name), or null
   * @param metrics where measurements go
   * @param customizers applied last, in order
   * @param environment process variables the providers read their credentials from
   * @param loader the class loader for {@code classpath:} files and provider factories
   * @throws SecretConfigException if a setting, file or provider is invalid
   */
  static ConfiguredSecrets build(SecretsProperties properties, String defaultPrincipal,
      SecretsMetrics metrics, List<SecretsClientCustomizer> customizers,
      Function<String, String> environment, ClassLoader loader) {
    SecretsClient.Builder builder = SecretsClient.builder().factoryClassLoader(loader).metrics(metrics);
    String registryAt = properties.getRegistry();
    SecretRegistry registry = registryAt == null ? SecretRegistry.empty()
        : isClasspath(registryAt) ? SecretRegistry.parse(read(registryAt, "secrets.registry", loader), registryAt)
        : SecretRegistry.load(Path.of(registryAt));
    builder.registry(registry);
    String policyAt = properties.getPolicy();
    if (policyAt != null) {
      builder.policy(isClasspath(policyAt) ? SecretPolicy.parse(read(policyAt, "secrets.policy", loader), policyAt)
          : SecretPolicy.load(Path.of(policyAt)));
    }
    if (properties.getEnvironment() != null) {
      builder.environment(environment(properties.getEnvironment()));
    }
    String principal = properties.getPrincipal() != null ? properties.getPrincipal() : defaultPrincipal;
    apply(() -> {
      if (principal != null) {
        builder.principal(principal);
      }
      if (properties.getJustification() != null) {
        builder.justification(properties.getJustification());
      }
      if (properties.getDefaultTtl() != null) {
        builder.defaultTtl(properties.getDefaultTtl());
      }
      if (properties.getMaxStale() != null) {
        builder.maxStale(properties.getMaxStale());
      }
    });
    Map<String, SecretProvider> providers = providers(properties, environment, loader);
    try {
      providers.values().forEach(builder::provider);
      apply(() -> properties.getAliases().forEach(builder::alias));
      customizers.forEach(c -> c.customize(builder));
      return new ConfiguredSecrets(builder.build(), registry, Map.copyOf(providers));
    } catch (RuntimeException e) {
      providers.values().forEach(SecretProvider::close);
      if (e instanceof IllegalStateException) {
        throw new SecretConfigException(null, 0, "secrets.providers", e.getMessage());
      }
      throw e;
    }
  }

  /** Providers by scheme, from {@code secrets.providers}; {@code env} and {@code file} when none. */
  private static Map<String, SecretProvider> providers(SecretsProperties properties,
      Function<String, String> environment, ClassLoader loader) {
    Map<String, Map<String, String>> configured = properties.getProviders().isEmpty()
        ? Map.of("env", Map.of(), "file", Map.of()) : properties.getProviders();
    Map<String, SecretProvider> built = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, Map<String, String>> e : new java.util.TreeMap<>(configured).entrySet()) {
        String scheme = e.getKey().toLowerCase(Locale.ROOT);
        Map<String, String> options = new LinkedHashMap<>(e.getValue() == null ? Map.of() : e.getValue());
        // "enabled" is ours, not the factory's: YAML drops an empty map, so a provider without
        // options is written "env: {enabled: true}"; "enabled: false" leaves one out
        String enabled = options.remove(ENABLED);
        if (enabled != null && !enabled.strip().equalsIgnoreCase("true")) {
          if (enabled.strip().equalsIgnoreCase("false")) {
            continue;
          }
          throw new SecretConfigException(null, 0, "secrets.providers." + scheme + "." + ENABLED,
              "must be true or false");
        }
        built.put(scheme, ProviderDiscovery.create(scheme, ProviderSettings.of(options, environment),
            loader, new LinkedHashSet<>(properties.getAllowedFactories())));
      }
      return built;
    } catch (RuntimeException e) {
      built.values().forEach(SecretProvider::close);
      throw ExceptionExit.scrub(e); // a factory's text is scrubbed like a provider's
    }
  }

  private static RunEnvironment environment(String key) {
    try {
      return RunEnvironment.fromKey(key);
    } catch (IllegalArgumentException e) {
      throw new SecretConfigException(null, 0, "secrets.environment", e.getMessage());
    }
  }

  /** Turns the builder's argument checks into the typed configuration error. */
  private static void apply(Runnable settings) {
    try {
      settings.run();
    } catch (IllegalArgumentException e) {
      throw new SecretConfigException(null, 0, SecretsProperties.PREFIX, e.getMessage());
    }
  }

  private static boolean isClasspath(String location) {
    return location.startsWith(CLASSPATH);
  }

  /** The text of a {@code classpath:} resource, as strict UTF-8. */
  private static String read(String location, String field, ClassLoader loader) {
    String name = location.substring(CLASSPATH.length()).replaceFirst("^/+", "");
    try (InputStream in = loader.getResourceAsStream(name)) {
      if (in == null) {
        throw new SecretConfigException(null, 0, field, "no classpath resource " + name);
      }
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(in.readNBytes(MAX_CONFIG_BYTES))).toString();
    } catch (CharacterCodingException e) {
      throw new SecretConfigException(null, 0, field, "classpath resource " + name + " is not UTF-8");
    } catch (IOException e) {
      throw new SecretConfigException(null, 0, field, "classpath resource " + name
          + " could not be read (" + e.getClass().getSimpleName() + ")");
    }
  }
}
