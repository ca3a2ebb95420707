package io.secretsdk.provider.env;

import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.spi.FetchContext;
import io.secretsdk.spi.FetchResult;
import io.secretsdk.spi.SecretProvider;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Serves {@code env://NAME} refs from environment variables, e.g. {@code env://OPENAI_API_KEY}.
 *
 * <p>The ref has exactly one path segment, the variable's name: a letter or {@code _} followed by
 * letters, digits or {@code _} (at most {@value #MAX_NAME_LENGTH} characters). A query, a
 * {@code #field} or more segments are rejected with {@link InvalidSecretRefException}. An unset or
 * empty variable gives {@link SecretNotFoundException}. The value is returned as its UTF-8 bytes.
 * No version is reported: a process's environment does not change while it runs.
 *
 * <p>The lookup is {@link System#getenv(String)} unless another is injected with
 * {@link #create(Function)} (tests, or settings from {@link io.secretsdk.spi.ProviderSettings}).
 * Note that the JVM keeps environment values as {@code String}s that cannot be wiped; prefer the
 * {@code file://} provider on a tmpfs or a remote provider where that matters.
 *
 * <p>Thread-safe, provided the injected lookup is.
 */
public final class EnvSecretProvider implements SecretProvider {
  /** The scheme served: {@code env}. */
  public static final String SCHEME = "env";

  /** Longest variable name accepted. */
  public static final int MAX_NAME_LENGTH = 255;

  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0," + (MAX_NAME_LENGTH - 1) + "}");

  private final Function<String, String> lookup;

  private EnvSecretProvider(Function<String, String> lookup) {
    this.lookup = Objects.requireNonNull(lookup, "lookup");
  }

  /** A provider reading the real process environment through {@link System#getenv(String)}. */
  public static EnvSecretProvider create() {
    return new EnvSecretProvider(System::getenv);
  }

  /**
   * A provider reading variables through {@code lookup}.
   *
   * @param lookup returns a variable's value, or {@code null} when it is unset; must be thread-safe
   * @throws NullPointerException if {@code lookup} is null
   */
  public static EnvSecretProvider create(Function<String, String> lookup) {
    return new EnvSecretProvider(lookup);
  }

  @Override
  public String scheme() {
    return SCHEME;
  }

  /**
   * Reads the variable the ref names.
   *
   * @throws InvalidSecretRefException if the ref is not {@code env://NAME} with a valid name
   * @throws SecretNotFoundException if the variable is unset or empty
   * @throws SecretAccessDeniedException if a security manager or the lookup refuses access
   * @throws ProviderUnavailableException if the injected lookup fails otherwise
   */
  @Override
  public FetchResult fetch(SecretRef ref, FetchContext context) {
    Objects.requireNonNull(ref, "ref");
    if (!SCHEME.equals(ref.scheme())) {
      throw new InvalidSecretRefException(ref, "env provider cannot serve scheme '" + ref.scheme() + "'");
    }
    if (ref.segments().size() != 1) {
      throw new InvalidSecretRefException(ref,
          "env refs name one variable (env://NAME); this one has " + ref.segments().size()
              + " path segments");
    }
    if (!ref.query().isEmpty()) {
      throw new InvalidSecretRefException(ref, "env refs take no query parameters");
    }
    if (ref.field().isPresent()) {
      throw new InvalidSecretRefException(ref, "env refs have no '#field'");
    }
    String name = ref.segments().get(0);
    if (!NAME.matcher(name).matches()) {
      throw new InvalidSecretRefException(ref, "env variable name is invalid: use a letter or '_'"
          + " followed by letters, digits or '_', at most " + MAX_NAME_LENGTH + " characters");
    }
    String value;
    try {
      value = lookup.apply(name);
    } catch (SecurityException e) {
      throw new SecretAccessDeniedException(ref, "reading environment variable " + name
          + " was refused (" + e.getClass().getSimpleName() + ")");
    } catch (RuntimeException e) {
      // The lookup is user code: its message could hold anything, so only its type is kept.
      throw new ProviderUnavailableException(ref, "the environment lookup failed with "
          + e.getClass().getName());
    }
    if (value == null || value.isEmpty()) {
      throw new SecretNotFoundException(ref, "environment variable " + name
          + (value == null ? " is not set" : " is empty"));
    }
    return FetchResult.builder(value.getBytes(StandardCharsets.UTF_8))
        .metadata("env.name", name)
        .build();
  }

  @Override
  public String toString() {
    return "EnvSecretProvider";
  }
}
