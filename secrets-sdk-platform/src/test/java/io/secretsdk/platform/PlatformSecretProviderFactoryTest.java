package io.secretsdk.platform;

import static io.secretsdk.platform.Harness.secretPath;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsdk.Secret;
import io.secretsdk.SecretConfigException;
import io.secretsdk.SecretsClient;
import io.secretsdk.spi.ProviderSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
final class PlatformSecretProviderFactoryTest {
  @StartStop private final MockWebServer server = new MockWebServer();
  private Harness h;
  private Leaks leaks;
  private String key;
  private final Map<String, String> env = new HashMap<>();

  @BeforeEach
  void setUp() {
    h = new Harness(server);
    leaks = new Leaks();
    key = leaks.canary("service-key");
    env.put("SECRETS_SDK_PROVIDERS", "platform");
    env.put("SECRETS_SDK_ENV", "prod");
    env.put("SECRETS_SDK_PLATFORM_BASE_URL", server.url("/").toString());
    env.put("SECRETS_SDK_PLATFORM_AUTH", "service-token");
    env.put("SECRETS_SDK_PLATFORM_SERVICE_ACCOUNT", "svc-payments");
    env.put("SECRETS_SDK_PLATFORM_SERVICE_KEY", key);
  }

  @AfterEach
  void tearDown() {
    h.close();
    leaks.assertLogsClean();
    leaks.close();
  }

  @Test
  void fromEnvironment_providersPlatform_resolvesSecretRefsFromConfigurationAlone() throws Exception {
    String value = leaks.canary("value");
    h.platform.on("GET", secretPath("payments/prod/stripe/api-key"), 200, "{\"value\":\"" + value + "\",\"version\":\"3\"}");
    h.platform.on("GET", secretPath("payments/prod/webhook"), 200, "{\"value\":\"w\",\"version\":\"1\"}");

    try (SecretsClient client = SecretsClient.Builder.fromEnvironment(env).build();
         Secret s = client.resolve("secret://payments/prod/stripe/api-key");
         Secret w = client.resolve("secret://payments/webhook")) {
      assertThat(s.reveal()).isEqualTo(value);
      assertThat(s.version()).contains("3");
      assertThat(w.reveal()).isEqualTo("w");
    }
    assertThat(FakePlatform.body(h.platform.to("POST", "/auth/service-token").get(0)).path("client_secret").asText())
        .isEqualTo(key);
  }

  @Test
  void options_fromOptionsAndVariables() throws Exception {
    env.put("SECRETS_SDK_PLATFORM_OWNER", "payments-team");
    PlatformOptions o = PlatformSecretProviderFactory.options(ProviderSettings.of(Map.of("source", "ci",
        "workflow", "deploy", "rotation_days", "30", "environments", "dev,prod", "environment", "dev",
        "call_timeout", "20s", "token_renew_before", "2m", "write_scope", "write:secrets automation"), env::get));

    assertThat(o.placement().missing()).isEmpty();
    assertThat(o.placement().owner()).contains("payments-team");
    assertThat(o.environments()).containsExactlyInAnyOrder("dev", "prod");
    assertThat(o.environment()).contains("dev");
    assertThat(o.callTimeout()).isEqualTo(Duration.ofSeconds(20));
    assertThat(o.tokenRenewBefore()).isEqualTo(Duration.ofMinutes(2));
    assertThat(o.writeScope()).isEqualTo("write:secrets automation");
    assertThat(o.authentication().kind()).isEqualTo(PlatformAuthentication.Kind.SERVICE_TOKEN);
    assertThat(o.toString()).doesNotContain(key);
  }

  @Test
  void serviceKeyFile_isRead(@TempDir Path dir) throws Exception {
    env.remove("SECRETS_SDK_PLATFORM_SERVICE_KEY");
    Path file = dir.resolve("key");
    Files.writeString(file, key + "\n");
    h.platform.on("GET", secretPath("payments/prod/k"), 200, "{\"value\":\"v\"}");

    try (SecretsClient client = SecretsClient.Builder.fromEnvironment(with("SECRETS_SDK_PLATFORM_SERVICE_KEY_FILE",
        file.toString())).build(); Secret s = client.resolve("secret://payments/prod/k")) {
      assertThat(s.reveal()).isEqualTo("v");
    }
    assertThat(FakePlatform.body(h.platform.to("POST", "/auth/service-token").get(0)).path("client_secret").asText())
        .isEqualTo(key);
  }

  @Test
  void oidcFromAJwtFile_exchangesItUnderTheNamedProvider(@TempDir Path dir) throws Exception {
    String jwt = leaks.watch("jwt", jwt());
    Path file = dir.resolve("token");
    Files.writeString(file, jwt);
    env.put("SECRETS_SDK_PLATFORM_AUTH", "oidc");
    env.put("SECRETS_SDK_PLATFORM_JWT_SOURCE", "file");
    env.put("SECRETS_SDK_PLATFORM_JWT_FILE", file.toString());
    env.put("SECRETS_SDK_PLATFORM_OIDC_PROVIDER", "gitlab");
    h.platform.on("GET", secretPath("payments/prod/k"), 200, "{\"value\":\"v\"}");

    try (SecretsClient client = SecretsClient.Builder.fromEnvironment(env).build(); Secret s = client.resolve("secret://payments/prod/k")) {
      assertThat(s.reveal()).isEqualTo("v");
    }
    assertThat(h.platform.to("POST", "/auth/oidc/exchange").get(0).getBody().utf8())
        .isEqualTo("{\"provider\":\"gitlab\",\"token\":\"" + jwt + "\",\"scope\":\"read:secrets\",\"environment\":\"prod\"}");
  }

  /** An unsigned JWT built at run time (never a literal token in the sources). */
  private static String jwt() {
    java.util.Base64.Encoder b = java.util.Base64.getUrlEncoder().withoutPadding();
    String header = b.encodeToString("{\"alg\":\"none\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    String claims = b.encodeToString(("{\"sub\":\"repo:acme/payments\",\"jti\":\"" + java.util.UUID.randomUUID() + "\"}")
        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return header + "." + claims + ".";
  }

  @Test
  void missingOrInvalidSettings_nameTheSetting() {
    assertThatThrownBy(() -> SecretsClient.Builder.fromEnvironment(with("SECRETS_SDK_PLATFORM_BASE_URL", null)))
        .isInstanceOf(SecretConfigException.class).hasMessageContaining("base_url");
    assertThatThrownBy(() -> SecretsClient.Builder.fromEnvironment(with("SECRETS_SDK_PLATFORM_SERVICE_KEY", null)))
        .hasMessageContaining("SECRETS_SDK_PLATFORM_SERVICE_KEY");
    assertThatThrownBy(() -> SecretsClient.Builder.fromEnvironment(with("SECRETS_SDK_PLATFORM_AUTH", "password")))
        .hasMessageContaining("platform.auth");
    assertThatThrownBy(() -> SecretsClient.Builder.fromEnvironment(with("SECRETS_SDK_PLATFORM_BASE_URL",
        "http://secrets.example.com"))).hasMessageContaining("plain http");
    assertThatThrownBy(() -> SecretsClient.Builder.fromEnvironment(with("SECRETS_SDK_PLATFORM_ROTATION_DAYS", "often")))
        .hasMessageContaining("rotation_days");
    assertThatThrownBy(() -> SecretsClient.Builder.fromEnvironment(with("SECRETS_SDK_PLATFORM_CALL_TIMEOUT", "0s")))
        .hasMessageContaining("call_timeout");
    assertThatThrownBy(() -> PlatformSecretProviderFactory.options(ProviderSettings.of(Map.of("service_key", key),
        env::get))).isInstanceOf(SecretConfigException.class).hasMessageContaining("unknown option")
        .hasMessageNotContaining(key);
    assertThat(h.platform.requests).isEmpty();
  }

  @Test
  void factory_isNamedPlatformAndBuildsTheSecretScheme() {
    PlatformSecretProviderFactory f = new PlatformSecretProviderFactory();

    assertThat(f.scheme()).isEqualTo("platform");
    try (var p = f.create(ProviderSettings.of(Map.of(), env::get))) {
      assertThat(p.scheme()).isEqualTo("secret");
    }
  }

  private Map<String, String> with(String name, String value) {
    Map<String, String> m = new HashMap<>(env);
    if (value == null) {
      m.remove(name);
    } else {
      m.put(name, value);
    }
    return m;
  }
}
