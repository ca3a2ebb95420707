package io.secretsdk.platform;

import io.secretsdk.RunEnvironment;
import io.secretsdk.SecretConfigException;
import io.secretsdk.identity.FileTokenSource;
import io.secretsdk.identity.GitHubActionsTokenSource;
import io.secretsdk.identity.KubernetesServiceAccountTokenSource;
import io.secretsdk.spi.ProviderSettings;
import io.secretsdk.spi.SecretProvider;
import io.secretsdk.spi.SecretProviderFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Builds a {@link PlatformSecretProvider} from configuration, so that
 * {@code SECRETS_SDK_PROVIDERS=platform} with the variables below is all a runner needs. The
 * factory is named {@value #NAME}; the provider it builds serves {@code secret://} refs.
 *
 * <table>
 *   <caption>Settings (option, or the variable {@code SECRETS_SDK_PLATFORM_} + option in upper case)</caption>
 *   <tr><th>option</th><th>meaning</th></tr>
 *   <tr><td>{@code base_url}</td><td>the Secrets API's URL (required)</td></tr>
 *   <tr><td>{@code auth}</td><td>{@code oidc} (default) or {@code service-token}</td></tr>
 *   <tr><td>{@code jwt_source}</td><td>{@code github-actions} (default inside GitHub Actions), {@code kubernetes}
 *       (default elsewhere) or {@code file}</td></tr>
 *   <tr><td>{@code jwt_audience}</td><td>audience asked of GitHub Actions</td></tr>
 *   <tr><td>{@code jwt_file}</td><td>the JWT file ({@code jwt_source=file}) or service-account token file</td></tr>
 *   <tr><td>{@code oidc_provider}</td><td>{@code provider} of the exchange; default {@code github} or
 *       {@code kubernetes} after the source (required for {@code file})</td></tr>
 *   <tr><td>{@code service_account}</td><td>service-token auth: the account id</td></tr>
 *   <tr><td>{@code service_key_file}</td><td>service-token auth: a file holding the key (else the variable
 *       {@code SECRETS_SDK_PLATFORM_SERVICE_KEY})</td></tr>
 *   <tr><td>{@code environment}</td><td>environment of refs that leave it out (default: the run environment's)</td></tr>
 *   <tr><td>{@code environments}</td><td>comma-separated environment names (default {@code dev,ci,staging,prod})</td></tr>
 *   <tr><td>{@code read_scope}, {@code write_scope}, {@code audit_scope}</td><td>scopes asked in the exchange</td></tr>
 *   <tr><td>{@code owner}, {@code source}, {@code workflow}, {@code rotation_days}</td><td>placement metadata of writes</td></tr>
 *   <tr><td>{@code allow_insecure_http}</td><td>allow {@code http://} to hosts other than loopback</td></tr>
 *   <tr><td>{@code connect_timeout}, {@code read_timeout}, {@code call_timeout}, {@code token_renew_before}</td>
 *       <td>{@code 10s}, {@code 2m} or ISO-8601</td></tr>
 * </table>
 * Credentials are never options (configuration files hold refs, never values): the service key
 * comes from a file or a variable, identity tokens from their sources.
 *
 * <p>Thread-safe; stateless.
 */
public final class PlatformSecretProviderFactory implements SecretProviderFactory {
  /** The name {@code SECRETS_SDK_PROVIDERS} lists: {@value}. */
  public static final String NAME = "platform";
  /** Every option may also be given as an environment variable with this prefix: {@value}. */
  public static final String ENV_PREFIX = "SECRETS_SDK_PLATFORM_";
  /** The variable holding a service account key: {@value}. */
  public static final String SERVICE_KEY_ENV = "SECRETS_SDK_PLATFORM_SERVICE_KEY";

  private static final Set<String> OPTIONS = Set.of("base_url", "auth", "jwt_source", "jwt_audience", "jwt_file",
      "oidc_provider", "service_account", "service_key_file", "environment", "environments", "read_scope",
      "write_scope", "audit_scope", "owner", "source", "workflow", "rotation_days", "allow_insecure_http",
      "connect_timeout", "read_timeout", "call_timeout", "token_renew_before");

  /** For {@link java.util.ServiceLoader}. */
  public PlatformSecretProviderFactory() {}

  /** {@value #NAME}: the name under which configuration lists this provider. */
  @Override
  public String scheme() {
    return NAME;
  }

  /**
   * Builds a provider from {@code settings}.
   *
   * @throws SecretConfigException naming the option or variable that is missing or invalid
   */
  @Override
  public SecretProvider create(ProviderSettings settings) {
    return PlatformSecretProvider.create(options(settings), runEnvironment(settings));
  }

  /**
   * The {@link PlatformOptions} described by {@code settings}.
   *
   * @throws SecretConfigException naming the option or variable that is missing or invalid
   */
  public static PlatformOptions options(ProviderSettings settings) {
    for (String key : settings.options().keySet()) {
      if (!OPTIONS.contains(key)) {
        throw new SecretConfigException(null, 0, "platform." + key, "unknown option; known: "
            + String.join(", ", new TreeSet<>(OPTIONS)));
      }
    }
    PlatformOptions.Builder b = PlatformOptions.builder();
    String url = opt(settings, "base_url").filter(v -> !v.isBlank()).orElseThrow(() ->
        new SecretConfigException(null, 0, "platform.base_url", "required: set base_url or " + ENV_PREFIX + "BASE_URL"));
    PlacementMetadata.Builder placement = PlacementMetadata.builder();
    try {
      b.baseUrl(url);
      b.allowInsecureHttp(bool(settings, "allow_insecure_http"));
      Optional<String> envs = opt(settings, "environments");
      if (envs.isPresent()) {
        Set<String> names = new LinkedHashSet<>();
        for (String e : envs.get().split(",")) {
          if (!e.isBlank()) {
            names.add(e.strip());
          }
        }
        b.environments(names);
      }
      opt(settings, "environment").ifPresent(v -> b.environment(v.strip()));
      opt(settings, "read_scope").ifPresent(b::readScope);
      opt(settings, "write_scope").ifPresent(b::writeScope);
      opt(settings, "audit_scope").ifPresent(b::auditScope);
      opt(settings, "owner").ifPresent(placement::owner);
      opt(settings, "source").ifPresent(placement::source);
      opt(settings, "workflow").ifPresent(placement::workflow);
      opt(settings, "rotation_days").ifPresent(v -> placement.rotationDays(integer("rotation_days", v)));
      opt(settings, "connect_timeout").ifPresent(v -> b.connectTimeout(duration("connect_timeout", v)));
      opt(settings, "read_timeout").ifPresent(v -> b.readTimeout(duration("read_timeout", v)));
      opt(settings, "call_timeout").ifPresent(v -> b.callTimeout(duration("call_timeout", v)));
      opt(settings, "token_renew_before").ifPresent(v -> b.tokenRenewBefore(duration("token_renew_before", v)));
      b.authentication(authentication(settings));
    } catch (IllegalArgumentException e) {
      throw new SecretConfigException(null, 0, "platform", e.getMessage());
    }
    b.placement(placement.build());
    return b.build();
  }

  private static PlatformAuthentication authentication(ProviderSettings s) {
    String method = opt(s, "auth").orElse("oidc").strip().toLowerCase(Locale.ROOT);
    switch (method) {
      case "oidc": {
        String source = opt(s, "jwt_source").map(String::strip).orElse(
            GitHubActionsTokenSource.isAvailable(s.environment()) ? "github-actions" : "kubernetes");
        switch (source) {
          case "github-actions":
            return PlatformAuthentication.oidc(GitHubActionsTokenSource.builder().environment(s.environment())
                .audience(opt(s, "jwt_audience").orElse(null)).build(), opt(s, "oidc_provider").orElse("github"), true);
          case "kubernetes":
            return PlatformAuthentication.oidc(opt(s, "jwt_file").map(f -> KubernetesServiceAccountTokenSource.of(Path.of(f)))
                .orElseGet(KubernetesServiceAccountTokenSource::create), opt(s, "oidc_provider").orElse("kubernetes"), true);
          case "file": {
            Path file = Path.of(opt(s, "jwt_file").orElseThrow(() ->
                new SecretConfigException(null, 0, "platform.jwt_file", "jwt_source=file needs jwt_file")));
            String provider = opt(s, "oidc_provider").orElseThrow(() -> new SecretConfigException(null, 0,
                "platform.oidc_provider", "jwt_source=file needs oidc_provider (the identity provider's name)"));
            return PlatformAuthentication.oidc(FileTokenSource.of(file), provider, true);
          }
          default:
            throw new SecretConfigException(null, 0, "platform.jwt_source", "must be github-actions, kubernetes or file");
        }
      }
      case "service-token": {
        String account = opt(s, "service_account").orElseThrow(() -> new SecretConfigException(null, 0,
            "platform.service_account", "service-token auth needs service_account"));
        String key = opt(s, "service_key_file").map(f -> readSmallFile(Path.of(f)))
            .or(() -> s.env(SERVICE_KEY_ENV)).orElseThrow(() -> new SecretConfigException(null, 0,
                SERVICE_KEY_ENV, "service-token auth needs service_key_file or " + SERVICE_KEY_ENV));
        return PlatformAuthentication.serviceToken(account, key);
      }
      default:
        throw new SecretConfigException(null, 0, "platform.auth", "must be oidc or service-token");
    }
  }

  /** The run environment as the settings' variables say ({@code SECRETS_SDK_ENV}, {@code CI}). */
  private static RunEnvironment runEnvironment(ProviderSettings s) {
    Map<String, String> env = new HashMap<>();
    s.env(RunEnvironment.ENV_VARIABLE).ifPresent(v -> env.put(RunEnvironment.ENV_VARIABLE, v));
    s.env("CI").ifPresent(v -> env.put("CI", v));
    try {
      return RunEnvironment.detect(env);
    } catch (IllegalArgumentException e) {
      throw new SecretConfigException(null, 0, RunEnvironment.ENV_VARIABLE, e.getMessage());
    }
  }

  /** An option, else {@code SECRETS_SDK_PLATFORM_<OPTION>}. */
  private static Optional<String> opt(ProviderSettings s, String option) {
    return s.option(option).or(() -> s.env(ENV_PREFIX + option.toUpperCase(Locale.ROOT)));
  }

  private static boolean bool(ProviderSettings s, String option) {
    Optional<String> v = opt(s, option);
    if (v.isEmpty()) {
      return false;
    }
    switch (v.get().strip().toLowerCase(Locale.ROOT)) {
      case "true":
        return true;
      case "false":
        return false;
      default:
        throw new SecretConfigException(null, 0, "platform." + option, "must be true or false");
    }
  }

  private static int integer(String option, String text) {
    try {
      return Integer.parseInt(text.strip());
    } catch (NumberFormatException e) {
      throw new SecretConfigException(null, 0, "platform." + option, "must be a whole number");
    }
  }

  static Duration duration(String option, String text) {
    String t = text.strip().toLowerCase(Locale.ROOT);
    Duration d = null;
    try {
      if (t.matches("\\d{1,9}(ms|s|m|h)")) {
        long n = Long.parseLong(t.replaceAll("\\D", ""));
        d = t.endsWith("ms") ? Duration.ofMillis(n) : t.endsWith("s") ? Duration.ofSeconds(n)
            : t.endsWith("m") ? Duration.ofMinutes(n) : Duration.ofHours(n);
      } else {
        d = Duration.parse(text.strip());
      }
    } catch (DateTimeParseException e) {
      d = null;
    }
    if (d == null || d.isNegative() || (d.isZero() && !option.equals("token_renew_before"))) {
      throw new SecretConfigException(null, 0, "platform." + option, "must be a positive duration like 10s, 2m or PT30S");
    }
    return d;
  }

  private static String readSmallFile(Path file) {
    try {
      if (Files.size(file) > 16 * 1024) {
        throw new SecretConfigException(file, 0, "platform.service_key_file", "file is larger than 16 KiB");
      }
      String v = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).strip();
      if (v.isEmpty()) {
        throw new SecretConfigException(file, 0, "platform.service_key_file", "file is empty");
      }
      return v;
    } catch (IOException e) {
      throw new SecretConfigException(file, 0, "platform.service_key_file", "cannot read file: "
          + e.getClass().getSimpleName());
    }
  }
}
