package io.secretsdk.spring;

import java.util.List;
import org.springframework.boot.context.config.ConfigDataLocation;
import org.springframework.boot.context.config.ConfigDataLocationResolver;
import org.springframework.boot.context.config.ConfigDataLocationResolverContext;
import org.springframework.boot.context.properties.bind.Binder;

/**
 * Resolves {@code spring.config.import} locations {@code secrets:} (every registry name of the run
 * environment) and {@code secrets:<name>} (one name; list several imports for several names).
 * Registered in {@code META-INF/spring.factories}; see {@link SecretsConfigDataLoader} for what
 * this costs.
 */
public final class SecretsConfigDataLocationResolver
    implements ConfigDataLocationResolver<SecretsConfigDataResource> {
  /** The location prefix: {@value}. */
  public static final String PREFIX = "secrets:";

  /** Instantiated by Spring Boot from {@code spring.factories}. */
  public SecretsConfigDataLocationResolver() {}

  @Override
  public boolean isResolvable(ConfigDataLocationResolverContext context, ConfigDataLocation location) {
    return location.hasPrefix(PREFIX);
  }

  @Override
  public List<SecretsConfigDataResource> resolve(ConfigDataLocationResolverContext context,
      ConfigDataLocation location) {
    String name = location.getNonPrefixedValue(PREFIX).strip();
    Binder binder = context.getBinder();
    SecretsProperties properties = binder.bind(SecretsProperties.PREFIX, SecretsProperties.class)
        .orElseGet(SecretsProperties::new);
    String applicationName = binder.bind("spring.application.name", String.class).orElse(null);
    return List.of(new SecretsConfigDataResource(name.isEmpty() ? List.of() : List.of(name),
        properties, applicationName, location.isOptional()));
  }
}
