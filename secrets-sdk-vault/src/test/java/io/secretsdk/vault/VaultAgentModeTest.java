package io.secretsdk.vault;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretsClient;
import io.secretsdk.spi.ProviderSettings;
import io.secretsdk.vault.auth.AgentAuthentication;
import java.util.Map;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Through a Vault Agent (or Proxy) with auto-auth: the runner holds no token, sends none, never
 * logs in, renews or revokes, and a 403 from the agent is final.
 */
@Timeout(60)
final class VaultAgentModeTest {
  @StartStop private final MockWebServer agent = new MockWebServer();
  private LeakCheckedClient v;
  private String value;

  @BeforeEach
  void setUp() {
    v = new LeakCheckedClient(agent);
    value = v.canaries.make("value", "v-");
    v.vault.on("GET", "sys/internal/ui/mounts/secret/app/db", "internal-ui-read-mount-information", 200,
        "{\"data\":{\"path\":\"secret/\",\"type\":\"kv\",\"options\":{\"version\":\"2\"}}}");
    v.vault.on("GET", "secret/data/app/db", "kv-v2-read", 200,
        "{\"data\":{\"data\":{\"password\":\"" + value + "\"},\"metadata\":{\"version\":2,"
            + "\"created_time\":\"2026-01-01T00:00:00Z\"}}}");
    v.vault.on("GET", "sys/internal/ui/mounts/secret/app/other", "internal-ui-read-mount-information", 200,
        "{\"data\":{\"path\":\"secret/\",\"type\":\"kv\",\"options\":{\"version\":\"2\"}}}");
    v.vault.on("GET", "secret/data/app/other", "kv-v2-read", 403, "{\"errors\":[\"permission denied\"]}");
  }

  @AfterEach
  void tearDown() {
    v.close();
  }

  private VaultOptions fromEnvironment() {
    // VAULT_ADDR points elsewhere: VAULT_AGENT_ADDR wins, as for the vault CLI; no token anywhere
    Map<String, String> env = Map.of("VAULT_AGENT_ADDR", agent.url("/").toString(),
        "VAULT_ADDR", "https://vault.unreachable.example:8200", "HOME", "/nonexistent");
    return VaultSecretProviderFactory.options(ProviderSettings.of(Map.of(), env::get)).toBuilder()
        .ticker(v.ticker).build();
  }

  @Test
  void environment_vaultAgentAddr_agentModeAtThatAddress() {
    VaultOptions options = fromEnvironment();

    assertThat(options.authentication()).isInstanceOf(AgentAuthentication.class);
    assertThat(options.address().getPort()).isEqualTo(agent.getPort());
  }

  @Test
  void resolve_throughAgent_sendsNoTokenAndNeverLogsIn() {
    SecretsClient client = v.client(fromEnvironment());

    assertThat(v.resolve(client, "vault://secret/app/db#password")).isEqualTo(value);
    client.close();

    assertThat(v.vault.requests()).isNotEmpty().allSatisfy(r -> {
      assertThat(r.getHeaders().get("X-Vault-Token")).as("token header").isNull();
      assertThat(r.getHeaders().get("X-Vault-Request")).isEqualTo("true");
      assertThat(r.getUrl().encodedPath()).doesNotStartWith("/v1/auth/");
    });
  }

  @Test
  void resolve_agentAnswers403_deniedWithoutARetry() {
    SecretsClient client = v.client(fromEnvironment());

    Throwable t = v.resolveFailure(client, "vault://secret/app/other#password");

    assertThat(t).isInstanceOf(SecretAccessDeniedException.class);
    assertThat(v.vault.requests().stream()
        .filter(r -> r.getUrl().encodedPath().equals("/v1/secret/data/app/other")).count()).isEqualTo(1);
  }

  @Test
  void options_authAgentWithoutAgentAddr_usesVaultAddr() {
    VaultOptions o = VaultSecretProviderFactory.options(ProviderSettings.of(Map.of("auth", "agent"),
        Map.of("VAULT_ADDR", "http://127.0.0.1:8100")::get));

    assertThat(o.authentication()).isInstanceOf(AgentAuthentication.class);
    assertThat(o.address().toString()).isEqualTo("http://127.0.0.1:8100");
  }
}
