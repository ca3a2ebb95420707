package io.secretsdk.vault;

import static io.secretsdk.vault.VaultHarness.CANARY_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsdk.SecretConfigException;
import io.secretsdk.spi.ProviderSettings;
import io.secretsdk.spi.SecretProviderFactory;
import io.secretsdk.vault.auth.AppRoleAuthentication;
import io.secretsdk.vault.auth.JwtAuthentication;
import io.secretsdk.vault.auth.KubernetesAuthentication;
import io.secretsdk.vault.auth.TokenAuthentication;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(10)
final class VaultSecretProviderFactoryTest {
  @TempDir Path dir;

  private static VaultOptions options(Map<String, String> options, Map<String, String> env) {
    return VaultSecretProviderFactory.options(ProviderSettings.of(options, env::get));
  }

  @Test
  void options_cliVariables_areRead() {
    Map<String, String> env = Map.of("VAULT_ADDR", "https://vault.example.com:8200", "VAULT_TOKEN", CANARY_TOKEN,
        "VAULT_NAMESPACE", "team/ci");

    VaultOptions o = options(Map.of(), env);

    assertThat(o.address().toString()).isEqualTo("https://vault.example.com:8200");
    assertThat(o.namespace()).contains("team/ci");
    assertThat(o.authentication()).isInstanceOf(TokenAuthentication.class);
    assertThat(o.toString()).doesNotContain(CANARY_TOKEN);
  }

  @Test
  void options_noTokenAnywhere_throwsConfigExceptionNamingVariable() {
    assertThatThrownBy(() -> options(Map.of(), Map.of("VAULT_ADDR", "https://v:8200", "HOME", dir.toString())))
        .isInstanceOf(SecretConfigException.class).hasMessageContaining("VAULT_TOKEN");
  }

  @Test
  void options_vaultTokenFileInHome_isUsed() throws Exception {
    Files.writeString(dir.resolve(".vault-token"), CANARY_TOKEN);

    VaultOptions o = options(Map.of(), Map.of("HOME", dir.toString()));

    assertThat(((TokenAuthentication) o.authentication()).options().tokenFile()).contains(dir.resolve(".vault-token"));
  }

  @Test
  void options_githubActionsJwtFromPrefixedVariables_buildsJwtAuthentication() {
    Map<String, String> env = Map.of("VAULT_ADDR", "https://vault.example.com",
        "SECRETS_SDK_VAULT_AUTH", "jwt", "SECRETS_SDK_VAULT_ROLE", "ci", "SECRETS_SDK_VAULT_AUTH_MOUNT", "github",
        "SECRETS_SDK_VAULT_JWT_AUDIENCE", "https://vault.example.com",
        "ACTIONS_ID_TOKEN_REQUEST_URL", "https://token.actions.example/x", "ACTIONS_ID_TOKEN_REQUEST_TOKEN", "t");

    VaultOptions o = options(Map.of(), env);

    JwtAuthentication jwt = (JwtAuthentication) o.authentication();
    assertThat(jwt.options().path()).isEqualTo("github");
    assertThat(jwt.options().role()).contains("ci");
    assertThat(jwt.options().tokenSource().toString()).contains("GitHubActionsTokenSource").contains("https://vault.example.com");
  }

  @Test
  void options_appRoleAndKubernetesAndTimeoutsAndMounts_areParsed() throws Exception {
    Path sid = dir.resolve("secret-id");
    Files.writeString(sid, "s3cr3t-id\n");
    VaultOptions a = options(Map.of("auth", "approle", "role_id", "r-1", "secret_id_file", sid.toString(),
        "connect_timeout", "3s", "read_timeout", "PT2M", "mounts", "secret=kv2, legacy=kv1 ,database=generic",
        "detect_mounts", "false"), Map.of());
    VaultOptions k = options(Map.of("auth", "kubernetes", "role", "runner", "auth_mount", "k8s/prod"), Map.of());

    assertThat(a.authentication()).isInstanceOf(AppRoleAuthentication.class);
    assertThat(a.connectTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(a.readTimeout()).isEqualTo(Duration.ofMinutes(2));
    assertThat(a.mounts()).containsEntry("secret", MountKind.KV_V2).containsEntry("legacy", MountKind.KV_V1)
        .containsEntry("database", MountKind.GENERIC);
    assertThat(a.detectMounts()).isFalse();
    assertThat(((KubernetesAuthentication) k.authentication()).options().path()).isEqualTo("k8s/prod");
  }

  @Test
  void options_invalidSettings_throwConfigExceptionNamingField() {
    Map<String, String> env = Map.of("VAULT_TOKEN", "x");
    assertThatThrownBy(() -> options(Map.of("token", "inline"), env))
        .isInstanceOf(SecretConfigException.class).hasMessageContaining("vault.token").hasMessageContaining("unknown option")
        .hasMessageNotContaining("inline");
    assertThatThrownBy(() -> options(Map.of("auth", "ldap"), env)).hasMessageContaining("vault.auth");
    assertThatThrownBy(() -> options(Map.of("connect_timeout", "soon"), env)).hasMessageContaining("vault.connect_timeout");
    assertThatThrownBy(() -> options(Map.of("mounts", "secret=kv3"), env)).hasMessageContaining("vault.mounts");
    assertThatThrownBy(() -> options(Map.of(), Map.of("VAULT_TOKEN", "x", "VAULT_ADDR", "http://vault.example.com")))
        .isInstanceOf(SecretConfigException.class).hasMessageContaining("plain http");
    assertThatThrownBy(() -> options(Map.of(), Map.of("VAULT_TOKEN", "x", "VAULT_CLIENT_CERT", "/c.pem")))
        .isInstanceOf(SecretConfigException.class).hasMessageContaining("VAULT_CLIENT_KEY");
    assertThatThrownBy(() -> options(Map.of("auth", "kubernetes"), env)).hasMessageContaining("vault.role");
  }

  @Test
  void options_appRoleRole_isTheRoleNameAWrappedSecretIdMustBeFor() {
    VaultOptions o = options(Map.of("auth", "approle", "role", "ci", "secret_id_wrapped", "true"),
        Map.of("VAULT_ROLE_ID", "r", "VAULT_SECRET_ID", "hvs.wrapping"));

    AppRoleAuthentication approle = (AppRoleAuthentication) o.authentication();
    assertThat(approle.options().roleName()).contains("ci");
    assertThat(approle.options().secretIdWrapped()).isTrue();
    assertThatThrownBy(() -> options(Map.of("auth", "approle", "role", "no such role"), Map.of("VAULT_ROLE_ID", "r")))
        .isInstanceOf(SecretConfigException.class).hasMessageContaining("roleName");
  }

  @Test
  void options_allowedMounts_areRead() {
    VaultOptions o = options(Map.of("allowed_mounts", "cubbyhole, team/kv"), Map.of("VAULT_TOKEN", "x"));

    assertThat(o.allowedMounts()).containsExactlyInAnyOrder("cubbyhole", "team/kv");
    assertThatThrownBy(() -> options(Map.of("allowed_mounts", "../sys"), Map.of("VAULT_TOKEN", "x")))
        .isInstanceOf(SecretConfigException.class).hasMessageContaining("vault.allowed_mounts");
  }

  @Test
  void options_skipVerifySet_isIgnoredWithWarning() {
    try (LogCapture logs = new LogCapture()) {
      VaultOptions o = options(Map.of(), Map.of("VAULT_TOKEN", "x", "VAULT_SKIP_VERIFY", "true"));

      assertThat(o.caCertificate()).isEmpty();
      assertThat(logs.all()).contains("VAULT_SKIP_VERIFY is ignored");
    }
  }

  @Test
  void serviceLoader_findsFactoryForVaultScheme() {
    Map<String, SecretProviderFactory> found = new HashMap<>();
    ServiceLoader.load(SecretProviderFactory.class).forEach(f -> found.put(f.scheme(), f));

    assertThat(found.get("vault")).isInstanceOf(VaultSecretProviderFactory.class);
  }
}
