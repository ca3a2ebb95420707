package io.secretsdk;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Where the runner runs, which caps how long a resolved value may be cached.
 *
 * <p>Caps: {@link #LOCAL} 60 minutes, {@link #CI} 15 minutes, {@link #PROD} 5 minutes. The
 * registry names environments by key ({@code dev}, {@code ci}, {@code prod});
 * {@link #registryKeys()} lists the keys each one answers to.
 */
public enum RunEnvironment {
  /** A developer's machine or an interactive run. */
  LOCAL(Duration.ofMinutes(60), List.of("local", "dev", "development")),
  /** A CI job. */
  CI(Duration.ofMinutes(15), List.of("ci", "test")),
  /** Production. */
  PROD(Duration.ofMinutes(5), List.of("prod", "production"));

  /** Environment variable read by {@link #detect(Map)}: {@code local}, {@code ci} or {@code prod}. */
  public static final String ENV_VARIABLE = "SECRETS_SDK_ENV";

  private final Duration ttlCap;
  private final List<String> registryKeys;

  RunEnvironment(Duration ttlCap, List<String> registryKeys) {
    this.ttlCap = ttlCap;
    this.registryKeys = registryKeys;
  }

  /** The longest a value may stay cached in this environment. */
  public Duration ttlCap() {
    return ttlCap;
  }

  /** Registry environment keys this environment answers to, preferred first. */
  public List<String> registryKeys() {
    return registryKeys;
  }

  /**
   * Finds the environment a registry key names ({@code dev} → {@link #LOCAL}).
   *
   * @throws IllegalArgumentException if the key names no environment
   */
  public static RunEnvironment fromKey(String key) {
    String lower = key.toLowerCase(Locale.ROOT);
    for (RunEnvironment e : values()) {
      if (e.registryKeys.contains(lower)) {
        return e;
      }
    }
    throw new IllegalArgumentException(
        "unknown environment '" + key + "'; expected one of local, dev, ci, prod");
  }

  /**
   * Detects the environment from process variables: {@value #ENV_VARIABLE} when set, else
   * {@link #CI} when {@code CI=true} (as GitHub Actions, GitLab and most CI systems set), else
   * {@link #LOCAL}.
   *
   * @throws IllegalArgumentException if {@value #ENV_VARIABLE} names no environment
   */
  public static RunEnvironment detect(Map<String, String> env) {
    String explicit = env.get(ENV_VARIABLE);
    if (explicit != null && !explicit.isBlank()) {
      return fromKey(explicit.trim());
    }
    return Optional.ofNullable(env.get("CI")).filter("true"::equalsIgnoreCase).isPresent()
        ? CI
        : LOCAL;
  }
}
