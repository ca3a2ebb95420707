package io.secretsdk.spring;

import io.secretsdk.Secret;
import io.secretsdk.config.RegistryEntry;
import io.secretsdk.metrics.SecretsMetrics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.config.ConfigData;
import org.springframework.boot.context.config.ConfigDataLoader;
import org.springframework.boot.context.config.ConfigDataLoaderContext;

/**
 * Loads a {@code secrets:} import: resolves each registry name with a client built from the
 * {@code secrets.*} settings and exposes the value as the property
 * {@code secrets.values.<name>}, for libraries that only take a String (a datasource password).
 *
 * <p>The trade-off, which is why this is opt-in: the value then lives in Spring's
 * {@code Environment} as a {@code String} for the life of the process — it cannot be wiped, is
 * not refreshed when the secret rotates, and is visible to anything that reads the
 * {@code Environment}. It is registered for redaction (so logs mask it) and Actuator's
 * {@code /env} masks every value by default; prefer {@link NamedSecret} where the code is yours.
 * The client used here is closed once the values are read.
 */
public final class SecretsConfigDataLoader implements ConfigDataLoader<SecretsConfigDataResource> {
  /** The prefix of the properties this loader adds: {@value}. */
  public static final String PROPERTY_PREFIX = SecretsProperties.PREFIX + ".values.";

  /** Instantiated by Spring Boot from {@code spring.factories}. */
  public SecretsConfigDataLoader() {}

  @Override
  public ConfigData load(ConfigDataLoaderContext context, SecretsConfigDataResource resource) {
    ClassLoader loader = SecretsConfigDataLoader.class.getClassLoader();
    ConfiguredSecrets secrets = SecretsClientFactory.build(resource.properties(),
        resource.applicationName(), SecretsMetrics.none(), List.of(), System::getenv, loader);
    try (secrets) {
      List<String> names = resource.names().isEmpty()
          ? secrets.registry().entries(secrets.client().environment()).stream()
              .map(RegistryEntry::name).sorted().toList()
          : resource.names();
      Map<String, String> values = new LinkedHashMap<>();
      for (String name : names) {
        try (Secret secret = secrets.client().resolveByName(name)) {
          // resolve registered the value with the process-wide redaction index, under its ref
          values.put(PROPERTY_PREFIX + name, secret.reveal());
        }
      }
      return new ConfigData(List.of(new SecretsPropertySource("secrets:" + String.join(",", names), values)));
    }
  }
}
