package io.secretsdk.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The {@code secrets} health indicator: reachability per provider, the Vault token, no values. */
final class SecretsHealthIndicatorTest {
  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(SecretsAutoConfiguration.class,
          SecretsHealthAutoConfiguration.class));

  @TempDir Path dir;
  @StartStop private final MockWebServer vault = new MockWebServer();
  private SecretFiles files;
  private final String token = "canary-token-" + UUID.randomUUID();
  private final String vaultValue = "canary-" + UUID.randomUUID();
  private final AtomicInteger lookupStatus = new AtomicInteger(200);

  private final DebugLogs logs = new DebugLogs();

  @AfterEach
  void noValueInTheLogs() {
    logs.close();
    assertThat(logs.text()).isNotEmpty().doesNotContain(files.canary).doesNotContain(token).doesNotContain(vaultValue);
  }

  @BeforeEach
  void setUp() {
    files = new SecretFiles(dir);
    vault.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest r) {
        if (!token.equals(r.getHeaders().get("X-Vault-Token"))) {
          return json(403, "{\"errors\":[\"permission denied\"]}");
        }
        String path = r.getUrl().encodedPath();
        if (path.equals("/v1/auth/token/lookup-self")) {
          return lookupStatus.get() == 200 ? json(200, "{\"data\":{\"ttl\":3600,\"renewable\":false}}")
              : json(lookupStatus.get(), "{\"errors\":[\"permission denied\"]}");
        }
        if (path.equals("/v1/secret/data/openai")) {
          return json(200, "{\"data\":{\"data\":{\"api_key\":\"" + vaultValue + "\"},"
              + "\"metadata\":{\"version\":1}}}");
        }
        return json(404, "{\"errors\":[]}");
      }
    });
  }

  private static MockResponse json(int code, String body) {
    return new MockResponse.Builder().code(code).addHeader("Content-Type", "application/json")
        .body(body).build();
  }

  @Test
  void allNamesResolvable_isUp_andNamesTheNamesOnly() {
    runner.withPropertyValues(files.properties("secrets.health.names=openai")).run(context -> {
      Health health = context.getBean("secretsHealthIndicator", HealthIndicator.class).health();
      assertThat(health.getStatus()).isEqualTo(Status.UP);
      assertThat(health.getDetails()).containsEntry("environment", "LOCAL");
      assertThat(providers(health)).containsKey("file");
      assertThat(providers(health).get("file")).containsEntry("status", "UP");
      assertValueFree(health);
    });
  }

  @Test
  void aNameThatDoesNotResolve_isDown_withItsFailureType() {
    runner.withPropertyValues(files.properties()).run(context -> {
      Health health = context.getBean("secretsHealthIndicator", HealthIndicator.class).health();
      assertThat(health.getStatus()).isEqualTo(Status.DOWN);
      Map<String, Object> file = providers(health).get("file");
      assertThat(file).containsEntry("status", "DOWN");
      assertThat(file.get("names")).asList().containsExactly("missing", "openai");
      assertThat(file.get("failed")).isEqualTo(Map.of("missing", "SecretNotFoundException"));
      assertValueFree(health);
    });
  }

  @Test
  void vaultToken_valid_thenRefused() throws Exception {
    Path tokenFile = Files.writeString(dir.resolve("vault-token"), token, StandardCharsets.UTF_8);
    Path registry = Files.writeString(dir.resolve("vault-registry.yaml"), String.join("\n",
        "openai:", "  dev:", "    secret_ref: \"vault://secret/openai#api_key\"", ""), StandardCharsets.UTF_8);
    String[] properties = {
        "secrets.registry=" + registry, "secrets.environment=local",
        "secrets.providers.vault.address=" + vault.url("/"),
        "secrets.providers.vault.token_file=" + tokenFile,
        "secrets.providers.vault.mounts=secret=kv2",
        "secrets.providers.vault.detect_mounts=false"};
    runner.withPropertyValues(properties).run(context -> {
      HealthIndicator indicator = context.getBean("secretsHealthIndicator", HealthIndicator.class);
      Health health = indicator.health();
      assertThat(health.getStatus()).isEqualTo(Status.UP);
      assertThat(health.getDetails()).containsEntry("tokens", Map.of("vault", "valid"));
      assertThat(providers(health).get("vault")).containsEntry("names", java.util.List.of("openai"));
      assertValueFree(health);
      assertThat(health.toString()).doesNotContain(token).doesNotContain(vaultValue);
    });
    lookupStatus.set(403);
    runner.withPropertyValues(properties).run(context -> {
      Health health = context.getBean("secretsHealthIndicator", HealthIndicator.class).health();
      assertThat(health.getStatus()).isEqualTo(Status.DOWN);
      assertThat(health.getDetails()).containsEntry("tokens", Map.of("vault", "refused"));
      assertThat(health.toString()).doesNotContain(token).doesNotContain(vaultValue);
    });
  }

  @Test
  void disabledByManagementProperty() {
    runner.withPropertyValues(files.properties("management.health.secrets.enabled=false"))
        .run(context -> assertThat(context).doesNotHaveBean("secretsHealthIndicator"));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Map<String, Object>> providers(Health health) {
    return (Map<String, Map<String, Object>>) health.getDetails().get("providers");
  }

  private void assertValueFree(Health health) {
    assertThat(health.toString()).doesNotContain(files.canary).doesNotContain(dir.toString())
        .doesNotContain("file://");
  }
}
