package io.secretsdk.aws;

import io.secretsdk.SecretConfigException;
import io.secretsdk.spi.ProviderSettings;
import io.secretsdk.spi.SecretProvider;
import io.secretsdk.spi.SecretProviderFactory;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;

/**
 * Builds an {@link AwsSecretsManagerProvider} from configuration, for {@code aws-sm://} refs.
 *
 * <p>Options (all optional; unknown names are rejected so a typo is not silently ignored):
 * <ul>
 *   <li>{@code region}: default region; else {@code AWS_REGION} / {@code AWS_DEFAULT_REGION} from
 *       the settings' environment; else the SDK's default region chain;
 *   <li>{@code endpoint}, {@code sts_endpoint}: endpoint overrides (https, or http on loopback);
 *       else {@code AWS_ENDPOINT_URL_SECRETS_MANAGER} / {@code AWS_ENDPOINT_URL_STS} /
 *       {@code AWS_ENDPOINT_URL} from the settings' environment;
 *   <li>{@code agent}: agent mode, reading through the AWS Secrets Manager Agent at this address
 *       (e.g. {@code http://localhost:2773}); else {@code AWS_SECRETS_MANAGER_AGENT_ADDR} from the
 *       settings' environment; the SSRF token is looked up in the same environment;
 *   <li>{@code connect_timeout}, {@code read_timeout}, {@code api_call_timeout},
 *       {@code describe_cache_ttl}: durations as ISO-8601 ({@code PT5S}) or whole seconds
 *       ({@code 5}).
 * </ul>
 * Credentials come from the AWS SDK default chain, which already covers environment variables,
 * profiles and SSO, container and instance roles, and web identity through
 * {@code AWS_ROLE_ARN} + {@code AWS_WEB_IDENTITY_TOKEN_FILE}. For a token from a core
 * {@link io.secretsdk.identity.IdentityTokenSource}, build the provider in code with
 * {@link AwsSecretsManagerOptions.Builder#webIdentity}.
 *
 * <p>Stateless and thread-safe.
 */
public final class AwsSecretsManagerProviderFactory implements SecretProviderFactory {
  private static final Map<String, BiConsumer<AwsSecretsManagerOptions.Builder, String>> OPTIONS =
      Map.of(
          "region", AwsSecretsManagerOptions.Builder::region,
          "endpoint", (b, v) -> b.endpointOverride(uri(v)),
          "sts_endpoint", (b, v) -> b.stsEndpointOverride(uri(v)),
          "connect_timeout", (b, v) -> b.connectTimeout(duration(v)),
          "read_timeout", (b, v) -> b.readTimeout(duration(v)),
          "api_call_timeout", (b, v) -> b.apiCallTimeout(duration(v)),
          "describe_cache_ttl", (b, v) -> b.describeCacheTtl(duration(v)),
          "agent", (b, v) -> b.agent(uri(v)));

  /** Public no-argument constructor, for {@link java.util.ServiceLoader}. */
  public AwsSecretsManagerProviderFactory() {}

  @Override
  public String scheme() {
    return AwsSecretsManagerProvider.SCHEME;
  }

  /**
   * Builds a provider from {@code settings}.
   *
   * @throws SecretConfigException naming the option that is unknown or invalid (never quoting
   *     its value)
   */
  @Override
  public SecretProvider create(ProviderSettings settings) {
    AwsSecretsManagerOptions.Builder b = AwsSecretsManagerOptions.builder();
    Set<String> unknown = new TreeSet<>(settings.options().keySet());
    unknown.removeAll(OPTIONS.keySet());
    if (!unknown.isEmpty()) {
      throw new SecretConfigException(null, 0, "aws-sm." + unknown.iterator().next(),
          "unknown option; known options are " + new TreeSet<>(OPTIONS.keySet()));
    }
    for (Map.Entry<String, String> e : settings.options().entrySet()) {
      apply(b, e.getKey(), e.getValue());
    }
    // the AWS SDK's own variables, read through the settings so tests and fromEnvironment(map)
    // can inject them, and checked like the options (https, or http on loopback only)
    if (settings.option("region").isEmpty()) {
      settings.env("AWS_REGION").or(() -> settings.env("AWS_DEFAULT_REGION"))
          .ifPresent(v -> apply(b, "region", v, "AWS_REGION"));
    }
    if (settings.option("endpoint").isEmpty()) {
      settings.env("AWS_ENDPOINT_URL_SECRETS_MANAGER").or(() -> settings.env("AWS_ENDPOINT_URL"))
          .ifPresent(v -> apply(b, "endpoint", v, "AWS_ENDPOINT_URL_SECRETS_MANAGER"));
    }
    if (settings.option("sts_endpoint").isEmpty()) {
      settings.env("AWS_ENDPOINT_URL_STS").or(() -> settings.env("AWS_ENDPOINT_URL"))
          .ifPresent(v -> apply(b, "sts_endpoint", v, "AWS_ENDPOINT_URL_STS"));
    }
    if (settings.option("agent").isEmpty()) {
      settings.env("AWS_SECRETS_MANAGER_AGENT_ADDR")
          .ifPresent(v -> apply(b, "agent", v, "AWS_SECRETS_MANAGER_AGENT_ADDR"));
    }
    b.agentEnvironment(settings.environment());
    return AwsSecretsManagerProvider.create(b.build());
  }

  private static void apply(AwsSecretsManagerOptions.Builder b, String name, String value) {
    apply(b, name, value, "aws-sm." + name);
  }

  private static void apply(AwsSecretsManagerOptions.Builder b, String name, String value,
      String source) {
    try {
      OPTIONS.get(name).accept(b, value.trim());
    } catch (IllegalArgumentException e) {
      // builder messages name the field and never quote the value
      throw new SecretConfigException(null, 0, source, e.getMessage());
    }
  }

  private static URI uri(String v) {
    try {
      return new URI(v);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a valid URI");
    }
  }

  private static Duration duration(String v) {
    if (v.matches("\\d{1,6}")) {
      return Duration.ofSeconds(Long.parseLong(v));
    }
    try {
      return Duration.parse(v);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("not a duration: use ISO-8601 (PT5S) or whole seconds");
    }
  }
}
