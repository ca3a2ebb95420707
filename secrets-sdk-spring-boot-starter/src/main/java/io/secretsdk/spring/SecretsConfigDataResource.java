package io.secretsdk.spring;

import java.util.List;
import java.util.Objects;
import org.springframework.boot.context.config.ConfigDataResource;

/**
 * One {@code secrets:} import: the registry names to turn into properties (empty: every name of
 * the run environment) and the {@code secrets.*} settings in force where it was declared.
 */
final class SecretsConfigDataResource extends ConfigDataResource {
  private final List<String> names;
  private final SecretsProperties properties;
  private final String applicationName;

  SecretsConfigDataResource(List<String> names, SecretsProperties properties, String applicationName,
      boolean optional) {
    super(optional);
    this.names = List.copyOf(names);
    this.properties = properties;
    this.applicationName = applicationName;
  }

  List<String> names() {
    return names;
  }

  SecretsProperties properties() {
    return properties;
  }

  String applicationName() {
    return applicationName;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SecretsConfigDataResource other && names.equals(other.names);
  }

  @Override
  public int hashCode() {
    return Objects.hash(names);
  }

  @Override
  public String toString() {
    return SecretsConfigDataLocationResolver.PREFIX + String.join(",", names);
  }
}
