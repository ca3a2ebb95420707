package io.secretsdk.spring;

import java.util.Map;
import org.springframework.core.env.EnumerablePropertySource;

/**
 * The properties of a {@code secrets:} import. Unlike Spring's map-backed sources, its
 * {@link #toString()} never lists the values (Spring's print them when its logger is at DEBUG).
 */
final class SecretsPropertySource extends EnumerablePropertySource<Map<String, String>> {

  SecretsPropertySource(String name, Map<String, String> values) {
    super(name, Map.copyOf(values));
  }

  @Override
  public String[] getPropertyNames() {
    return getSource().keySet().stream().sorted().toArray(String[]::new);
  }

  @Override
  public Object getProperty(String name) {
    return getSource().get(name);
  }

  @Override
  public String toString() {
    return "SecretsPropertySource {name='" + getName() + "', properties=" + getSource().keySet().stream()
        .sorted().toList() + "}";
  }
}
