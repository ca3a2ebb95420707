package io.secretsdk.vault;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.SecretConfigException;
import io.secretsdk.SecretsClient;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Plain {@code http://} only to {@code localhost} or a loopback address literal, decided by parsing
 * the address: {@code http://127.attacker.example} used to pass because its name starts with
 * {@code 127.}.
 */
@Timeout(60)
final class VaultPlainHttpTest {
  @StartStop private final MockWebServer server = new MockWebServer();
  private LeakCheckedClient v;
  private String token;
  private String value;

  @BeforeEach
  void setUp() {
    v = new LeakCheckedClient(server);
    token = v.canaries.make("token", "hvs.");
    value = v.canaries.make("value", "sk-");
    v.vault.on("GET", "auth/token/lookup-self", "token-look-up-self", 200, "{\"data\":{\"ttl\":3600,\"renewable\":false}}");
    v.vault.on("GET", "secret/data/app", "kv-v2-read", 200,
        "{\"data\":{\"data\":{\"k\":\"" + value + "\"},\"metadata\":{\"version\":1}}}");
  }

  @AfterEach
  void tearDown() {
    v.close();
  }

  private Map<String, String> environment(String address) {
    return Map.of("SECRETS_SDK_PROVIDERS", "vault", "VAULT_ADDR", address, "VAULT_TOKEN", token,
        "SECRETS_SDK_VAULT_MOUNTS", "secret=kv2");
  }

  @Test
  void build_httpToNamesThatLookLikeLoopback_refusedWithTypedErrorAndNoRequest() {
    for (String host : List.of("127.attacker.example", "127.0.0.1.attacker.example", "localhost.attacker.example",
        "localhost.", "0177.0.0.1", "127.000.000.001", "[::2]", "[::]", "attacker.example")) {
      String address = "http://" + host + ":" + server.getPort();

      Throwable fromEnvironment = v.failure(() -> SecretsClient.Builder.fromEnvironment(environment(address)).build());
      Throwable inCode = v.failure(() -> VaultOptions.builder().address(address).authentication(LeakCheckedClient.tokenAuth(token)).build());

      for (Throwable t : List.of(fromEnvironment, inCode)) {
        assertThat(t).as(host).isInstanceOf(SecretConfigException.class)
            .hasMessageContaining("plain http is refused").hasMessageContaining("loopback");
      }
    }
    assertThat(v.vault.requests()).isEmpty();
  }

  @Test
  void resolve_httpToLoopbackLiteralOrLocalhost_allowed() {
    for (String host : List.of("127.0.0.1", "localhost", "LocalHost")) {
      SecretsClient client = v.client(v.options(token).address("http://" + host + ":" + server.getPort())
          .mount("secret", MountKind.KV_V2).build());

      assertThat(v.resolve(client, "vault://secret/app#k").equals(value)).as("the value over http://" + host).isTrue();
    }
    for (String host : List.of("127.255.255.254", "127.0.0.2", "[::1]", "[0:0:0:0:0:0:0:1]")) {
      assertThat(VaultOptions.builder().address("http://" + host + ":8200").authentication(LeakCheckedClient.tokenAuth(token))
          .build().address().getHost()).isEqualTo(host);
    }
  }

  @Test
  void build_httpToOtherHostWithAllowInsecureHttp_allowed() {
    VaultOptions options = VaultOptions.builder().address("http://127.attacker.example:8200").allowInsecureHttp(true)
        .authentication(LeakCheckedClient.tokenAuth(token)).build();

    assertThat(options.address().getHost()).isEqualTo("127.attacker.example");
  }
}
