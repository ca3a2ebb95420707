package io.secretsdk.vault;

import static io.secretsdk.vault.VaultHarness.CTX;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretsClient;
import java.nio.charset.StandardCharsets;
import java.util.List;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Refs address secrets engines only: {@code vault://auth/token/lookup-self#id} used to resolve to
 * the provider's own token. Vault's own top-level paths are refused before any request, unless
 * {@link VaultOptions.Builder#allowMount(String)} names them.
 */
@Timeout(60)
final class VaultReservedPathTest {
  private static final List<String> REFUSED = List.of(
      "vault://auth/token/lookup-self#id", "vault://auth/approle/role/ci/secret-id#secret_id",
      "vault://sys/wrapping/lookup", "vault://sys/internal/ui/mounts/secret", "vault://identity/entity/name/ci#id",
      "vault://cubbyhole/app#k", "vault://token/lookup-self#id", "vault://audit/file", "vault://SYS/policy/root",
      "vault://Auth/token/lookup-self#id", "vault://%73ys/seal-status");

  @StartStop private final MockWebServer server = new MockWebServer();
  private LeakCheckedClient v;
  private String token;

  @BeforeEach
  void setUp() {
    v = new LeakCheckedClient(server);
    token = v.canaries.make("token", "hvs.");
    // what a refused ref would read: the provider's own token
    v.vault.on("GET", "auth/token/lookup-self", "token-look-up-self", 200,
        "{\"data\":{\"id\":\"" + token + "\",\"ttl\":3600,\"renewable\":false}}");
  }

  @AfterEach
  void tearDown() {
    v.close();
  }

  @Test
  void resolve_refToVaultsOwnPaths_refusedBeforeAnyRequest() {
    for (VaultOptions options : List.of(v.options(token).build(), v.options(token).detectMounts(false).build(),
        v.options(token).mount("auth", MountKind.GENERIC).mount("sys", MountKind.KV_V1).build())) {
      SecretsClient client = v.client(options);
      for (String ref : REFUSED) {
        Throwable t = v.resolveFailure(client, ref);

        assertThat(t).as(ref).isInstanceOf(InvalidSecretRefException.class)
            .hasMessageContaining("not a secrets engine").hasMessageContaining("allowMount");
      }
    }
    assertThat(v.vault.requests()).as("requests for refused refs").isEmpty();
  }

  @Test
  void write_refToVaultsOwnPath_refusedBeforeAnyRequest() {
    try (VaultSecretProvider vault = VaultSecretProvider.create(v.options(token).build())) {
      Throwable t = v.failure(() -> vault.write(SecretRef.parse("vault://sys/policy/root#policy"),
          "path \"*\" { capabilities = [\"sudo\"] }".getBytes(StandardCharsets.UTF_8), null));

      assertThat(t).isInstanceOf(InvalidSecretRefException.class).hasMessageContaining("not a secrets engine");
    }
    assertThat(v.vault.requests()).isEmpty();
  }

  @Test
  void resolve_mountDetectedAsVaultsOwnEngine_refusedWithoutReadingIt() {
    // e.g. a namespace given as a path prefix: team/sys/... is the namespace's sys
    v.vault.on("GET", "sys/internal/ui/mounts/team/sys/policy/root", "internal-ui-read-mount-information", 200,
        "{\"data\":{\"path\":\"sys/\",\"type\":\"ns_system\"}}");
    v.vault.on("GET", "sys/internal/ui/mounts/team/token/lookup-self", "internal-ui-read-mount-information", 200,
        "{\"data\":{\"path\":\"team/token/\",\"type\":\"token\"}}");
    SecretsClient client = v.client(v.options(token).build());

    for (String ref : List.of("vault://team/sys/policy/root", "vault://team/token/lookup-self#id")) {
      Throwable t = v.resolveFailure(client, ref);

      assertThat(t).as(ref).isInstanceOf(InvalidSecretRefException.class).hasMessageContaining("not a secrets engine");
    }
    assertThat(v.vault.count("GET", "team/sys/policy/root")).isZero();
    assertThat(v.vault.count("GET", "team/token/lookup-self")).isZero();
  }

  @Test
  void resolve_allowedMount_resolvesAndOtherOwnPathsStayRefused() {
    String value = v.canaries.make("value", "sk-");
    v.vault.on("GET", "cubbyhole/app", "kv-v1-read", 200, "{\"data\":{\"k\":\"" + value + "\"}}");
    v.vault.on("GET", "sys/internal/ui/mounts/cubbyhole/app", "internal-ui-read-mount-information", 200,
        "{\"data\":{\"path\":\"cubbyhole/\",\"type\":\"cubbyhole\"}}");
    VaultOptions options = v.options(token).allowMount("/cubbyhole/").build();
    SecretsClient client = v.client(options);

    assertThat(v.resolve(client, "vault://cubbyhole/app#k").equals(value)).isTrue();
    assertThat(options.allowedMounts()).containsExactly("cubbyhole");
    assertThat(v.resolveFailure(client, "vault://auth/token/lookup-self#id")).isInstanceOf(InvalidSecretRefException.class);
    assertThat(v.vault.count("GET", "auth/token/lookup-self")).as("only the provider's own login lookup").isEqualTo(1);
    assertThatThrownBy(() -> options.allowedMounts().add("sys")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void allowMount_notAPath_throwsNamingTheOption() {
    for (String bad : List.of("", "a//b", "../sys", "sys/..", "a b")) {
      assertThatThrownBy(() -> VaultOptions.builder().allowMount(bad)).as(bad)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("allowMount");
    }
    assertThat(VaultSecretProvider.create(v.options(token).build()).options().allowedMounts()).isEmpty();
    assertThat(CTX).isNotNull();
  }
}
