package io.secretsdk.spi;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The settings a {@link SecretProviderFactory} builds a provider from: named options from a
 * configuration file, and the process environment (injectable so tests need not set real
 * environment variables).
 *
 * <p>Immutable and thread-safe, provided the environment function is.
 */
public final class ProviderSettings {
  private final Map<String, String> options;
  private final Function<String, String> environment;

  private ProviderSettings(Map<String, String> options, Function<String, String> environment) {
    this.options = Map.copyOf(options);
    this.environment = Objects.requireNonNull(environment, "environment");
  }

  /** Settings with the given options, reading the real process environment. */
  public static ProviderSettings of(Map<String, String> options) {
    return new ProviderSettings(options, System::getenv);
  }

  /**
   * Settings with the given options and environment lookup.
   *
   * @param environment returns an environment variable's value, or {@code null} when unset
   */
  public static ProviderSettings of(Map<String, String> options, Function<String, String> environment) {
    return new ProviderSettings(options, environment);
  }

  /** One option, when set. */
  public Optional<String> option(String name) {
    return Optional.ofNullable(options.get(name));
  }

  /** All options. */
  public Map<String, String> options() {
    return options;
  }

  /** One environment variable, when set and non-empty. */
  public Optional<String> env(String name) {
    String v = environment.apply(name);
    return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v);
  }

  /** The environment lookup itself, for providers that pass it on. */
  public Function<String, String> environment() {
    return environment;
  }

  @Override
  public String toString() {
    return "ProviderSettings[options=" + options.keySet() + "]";
  }
}
