package io.secretsdk.keychain;

import io.secretsdk.SecretConfigException;
import io.secretsdk.spi.ProviderSettings;
import io.secretsdk.spi.SecretProvider;
import io.secretsdk.spi.SecretProviderFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;

/**
 * Builds a {@link KeychainProvider} from configuration ({@code SECRETS_SDK_PROVIDERS=keychain}).
 * The keychain holds no credential of its own to configure: the tools find the user's keychain
 * through the session ({@code DBUS_SESSION_BUS_ADDRESS}, the macOS login session).
 *
 * <p>Options: {@code platform} ({@code auto}, {@code secret-service}, {@code macos}),
 * {@code timeout} (ISO-8601 such as {@code PT10S}, or whole seconds), {@code secretTool},
 * {@code dbusSend}, {@code security} (paths of the tools), {@code serviceAttribute},
 * {@code accountAttributes} (comma-separated). From the environment alone,
 * {@value #ENV_PLATFORM} and {@value #ENV_TIMEOUT} stand for the first two.
 *
 * <p>Stateless and thread-safe; has the public no-argument constructor ServiceLoader needs.
 */
public final class KeychainProviderFactory implements SecretProviderFactory {
  /** Variable read for {@code platform} when the option is not given. */
  public static final String ENV_PLATFORM = "SECRETS_SDK_KEYCHAIN_PLATFORM";
  /** Variable read for {@code timeout} when the option is not given. */
  public static final String ENV_TIMEOUT = "SECRETS_SDK_KEYCHAIN_TIMEOUT";

  private static final Set<String> OPTIONS = Set.of("platform", "timeout", "secretTool",
      "dbusSend", "security", "serviceAttribute", "accountAttributes");

  /** Creates the factory. */
  public KeychainProviderFactory() {}

  @Override
  public String scheme() {
    return KeychainReference.SCHEME;
  }

  /**
   * Builds the provider.
   *
   * @throws SecretConfigException if an option is unknown or invalid, or a tool is missing
   */
  @Override
  public SecretProvider create(ProviderSettings settings) {
    for (String key : settings.options().keySet()) {
      if (!OPTIONS.contains(key)) {
        throw config(key, "unknown option; expected one of " + OPTIONS);
      }
    }
    KeychainOptions.Builder b = KeychainOptions.builder().environment(settings.environment());
    String platform = settings.option("platform").or(() -> settings.env(ENV_PLATFORM))
        .orElse("auto").trim().toLowerCase(Locale.ROOT);
    switch (platform) {
      case "auto" -> b.platform(KeychainOptions.Platform.AUTO);
      case "secret-service" -> b.platform(KeychainOptions.Platform.SECRET_SERVICE);
      case "macos" -> b.platform(KeychainOptions.Platform.MACOS);
      default -> throw config("platform", "must be auto, secret-service or macos");
    }
    try {
      settings.option("timeout").or(() -> settings.env(ENV_TIMEOUT))
          .ifPresent(v -> b.timeout(duration(v)));
      settings.option("secretTool").ifPresent(p -> b.secretTool(Path.of(p)));
      settings.option("dbusSend").ifPresent(p -> b.dbusSend(Path.of(p)));
      settings.option("security").ifPresent(p -> b.security(Path.of(p)));
      settings.option("serviceAttribute").ifPresent(b::serviceAttribute);
      settings.option("accountAttributes").ifPresent(v -> b.accountAttributes(
          Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList()));
    } catch (IllegalArgumentException e) {
      throw config(null, e.getMessage());
    }
    return KeychainProvider.create(b.build());
  }

  private static Duration duration(String text) {
    String t = text.trim();
    try {
      Duration d = t.matches("\\d{1,9}") ? Duration.ofSeconds(Long.parseLong(t)) : Duration.parse(t);
      if (d.isNegative() || d.isZero()) {
        throw config("timeout", "must be positive");
      }
      return d;
    } catch (DateTimeParseException e) {
      throw config("timeout", "is not a duration (use ISO-8601 such as PT30S, or whole seconds)");
    }
  }

  private static SecretConfigException config(String field, String problem) {
    return new SecretConfigException(null, 0, field == null ? "keychain" : "keychain." + field,
        problem);
  }
}
