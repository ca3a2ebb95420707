package io.secretsdk.onepassword;

import io.secretsdk.SecretConfigException;
import io.secretsdk.spi.ProviderSettings;
import io.secretsdk.spi.SecretProvider;
import io.secretsdk.spi.SecretProviderFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Builds an {@link OnePasswordProvider} from configuration and the environment, choosing the
 * route as 1Password's CLI does:
 * <ol>
 *   <li>Connect when {@code OP_CONNECT_HOST} and {@code OP_CONNECT_TOKEN} are set (Connect takes
 *       precedence over a service account token);</li>
 *   <li>else the {@code op} CLI when {@code OP_SERVICE_ACCOUNT_TOKEN} is set;</li>
 *   <li>else a {@link SecretConfigException} naming the variables to set.</li>
 * </ol>
 * Options (never tokens — those come from the environment only): {@code mode}
 * ({@code auto}, {@code connect}, {@code cli}), {@code connectHost}, {@code allowPlainHttp}
 * (or {@code OP_CONNECT_ALLOW_HTTP=true}), {@code nameCacheTtl}, {@code timeout}
 * (ISO-8601 such as {@code PT10S}, or whole seconds), {@code opPath}.
 *
 * <p>Stateless and thread-safe; has the public no-argument constructor ServiceLoader needs.
 */
public final class OnePasswordProviderFactory implements SecretProviderFactory {
  /** Variable naming the Connect server. */
  public static final String ENV_CONNECT_HOST = "OP_CONNECT_HOST";
  /** Variable holding the Connect token. */
  public static final String ENV_CONNECT_TOKEN = "OP_CONNECT_TOKEN";
  /** Variable holding the service account token. */
  public static final String ENV_SERVICE_ACCOUNT_TOKEN = "OP_SERVICE_ACCOUNT_TOKEN";
  /** Variable that, set to {@code true}, accepts plain http to a non-loopback Connect host. */
  public static final String ENV_CONNECT_ALLOW_HTTP = "OP_CONNECT_ALLOW_HTTP";

  private static final Set<String> OPTIONS =
      Set.of("mode", "connectHost", "allowPlainHttp", "nameCacheTtl", "timeout", "opPath");

  /** Creates the factory. */
  public OnePasswordProviderFactory() {}

  @Override
  public String scheme() {
    return OnePasswordReference.SCHEME;
  }

  /**
   * Builds the provider.
   *
   * @throws SecretConfigException if the settings name an unknown option or mode, a route's
   *     variables are half set, or neither route is configured
   */
  @Override
  public SecretProvider create(ProviderSettings settings) {
    for (String key : settings.options().keySet()) {
      if (!OPTIONS.contains(key)) {
        throw config(key, "unknown option; expected one of " + OPTIONS);
      }
    }
    String mode = settings.option("mode").orElse("auto").toLowerCase(Locale.ROOT);
    Optional<String> host = settings.option("connectHost").or(() -> settings.env(ENV_CONNECT_HOST));
    Optional<String> connectToken = settings.env(ENV_CONNECT_TOKEN);
    Optional<String> saToken = settings.env(ENV_SERVICE_ACCOUNT_TOKEN);
    switch (mode) {
      case "connect":
        return connect(settings, host, connectToken);
      case "cli":
        return cli(settings, saToken);
      case "auto":
        if (host.isPresent() || connectToken.isPresent()) {
          return connect(settings, host, connectToken);
        }
        if (saToken.isPresent()) {
          return cli(settings, saToken);
        }
        throw config(null, "1Password is not configured: set " + ENV_CONNECT_HOST + " and "
            + ENV_CONNECT_TOKEN + " for a Connect server, or " + ENV_SERVICE_ACCOUNT_TOKEN
            + " for a service account");
      default:
        throw config("mode", "must be auto, connect or cli");
    }
  }

  private static SecretProvider connect(
      ProviderSettings settings, Optional<String> host, Optional<String> token) {
    if (host.isEmpty()) {
      throw config(ENV_CONNECT_HOST, "is not set; Connect needs both " + ENV_CONNECT_HOST + " and "
          + ENV_CONNECT_TOKEN);
    }
    if (token.isEmpty()) {
      throw config(ENV_CONNECT_TOKEN, "is not set; Connect needs both " + ENV_CONNECT_HOST + " and "
          + ENV_CONNECT_TOKEN);
    }
    OnePasswordConnectOptions.Builder b = OnePasswordConnectOptions.builder();
    try {
      b.host(host.get());
    } catch (IllegalArgumentException e) {
      throw config(ENV_CONNECT_HOST, e.getMessage());
    }
    try {
      b.token(token.get());
    } catch (IllegalArgumentException e) {
      throw config(ENV_CONNECT_TOKEN, e.getMessage());
    }
    boolean allowHttp = settings.option("allowPlainHttp")
        .or(() -> settings.env(ENV_CONNECT_ALLOW_HTTP))
        .map(v -> v.trim().equalsIgnoreCase("true"))
        .orElse(false);
    b.allowPlainHttp(allowHttp);
    settings.option("nameCacheTtl").ifPresent(v -> b.nameCacheTtl(duration("nameCacheTtl", v)));
    settings.option("timeout").ifPresent(v -> b.callTimeout(duration("timeout", v)));
    try {
      return OnePasswordProvider.connect(b.build());
    } catch (IllegalStateException | IllegalArgumentException e) {
      throw config(ENV_CONNECT_HOST, e.getMessage());
    }
  }

  private static SecretProvider cli(ProviderSettings settings, Optional<String> token) {
    if (token.isEmpty()) {
      throw config(ENV_SERVICE_ACCOUNT_TOKEN, "is not set; the op CLI route needs a service"
          + " account token");
    }
    OnePasswordCliOptions.Builder b = OnePasswordCliOptions.builder()
        .environment(settings.environment());
    try {
      b.token(token.get());
    } catch (IllegalArgumentException e) {
      throw config(ENV_SERVICE_ACCOUNT_TOKEN, e.getMessage());
    }
    settings.option("opPath").ifPresent(p -> b.executable(Path.of(p)));
    settings.option("timeout").ifPresent(v -> b.timeout(duration("timeout", v)));
    try {
      return OnePasswordProvider.serviceAccount(b.build());
    } catch (IllegalStateException | IllegalArgumentException e) {
      throw config("opPath", e.getMessage());
    } catch (SecretConfigException e) { // the executable failed its checks: keep the path, name the option
      throw new SecretConfigException(e.file().orElse(null), 0, "op.opPath", e.problem());
    }
  }

  private static Duration duration(String option, String text) {
    String t = text.trim();
    try {
      Duration d = t.matches("\\d{1,9}") ? Duration.ofSeconds(Long.parseLong(t)) : Duration.parse(t);
      if (d.isNegative()) {
        throw config(option, "must not be negative");
      }
      return d;
    } catch (DateTimeParseException e) {
      throw config(option, "is not a duration (use ISO-8601 such as PT30S, or whole seconds)");
    }
  }

  private static SecretConfigException config(String field, String problem) {
    return new SecretConfigException(null, 0, field == null ? "op" : "op." + field, problem);
  }
}
