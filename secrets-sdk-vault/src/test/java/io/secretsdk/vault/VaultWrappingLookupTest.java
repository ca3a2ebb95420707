package io.secretsdk.vault;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretsClient;
import io.secretsdk.redact.RedactionIndex;
import io.secretsdk.vault.auth.AppRoleAuthentication;
import io.secretsdk.vault.auth.AppRoleAuthenticationOptions;
import java.util.List;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A response-wrapped AppRole secret_id used to be unwrapped without checking the wrapping token. It
 * is now looked up first ({@code sys/wrapping/lookup}) and unwrapped only when Vault says it was
 * created by {@code auth/<mount>/role/<role>/secret-id} with a TTL of at most 24 hours.
 */
@Timeout(60)
final class VaultWrappingLookupTest {
  private static final String ROLE_ID = "59d6d1ca-47bb-4e7e-a40b-8be3bc5a0ba8";

  @StartStop private final MockWebServer server = new MockWebServer();
  private LeakCheckedClient v;
  private String wrapping;
  private String secretId;
  private String token;
  private String value;

  @BeforeEach
  void setUp() {
    v = new LeakCheckedClient(server);
    wrapping = v.canaries.make("wrapping-token", "hvs.");
    secretId = v.canaries.make("secret-id", "");
    token = v.canaries.make("token", "hvs.");
    value = v.canaries.make("value", "sk-");
    v.vault.on("POST", "sys/wrapping/unwrap", "unwrap", r -> wrapping.equals(r.getHeaders().get("X-Vault-Token"))
        ? SpecDispatcher.json(200, "{\"data\":{\"secret_id\":\"" + secretId + "\",\"secret_id_accessor\":\"a\"}}")
        : SpecDispatcher.json(400, "{\"errors\":[\"wrapping token is not valid or does not exist\"]}"));
    for (String mount : List.of("approle", "ci-approle")) {
      v.vault.on("POST", "auth/" + mount + "/login", "app-role-login", r -> r.getBody().utf8().contains(secretId)
          ? SpecDispatcher.json(200, "{\"auth\":{\"client_token\":\"" + token + "\",\"lease_duration\":600,\"renewable\":false}}")
          : SpecDispatcher.json(400, "{\"errors\":[\"invalid secret id\"]}"));
    }
    v.vault.on("GET", "secret/data/app", "kv-v2-read", r -> token.equals(r.getHeaders().get("X-Vault-Token"))
        ? SpecDispatcher.json(200, "{\"data\":{\"data\":{\"k\":\"" + value + "\"},\"metadata\":{\"version\":1}}}")
        : SpecDispatcher.json(403, "{\"errors\":[\"permission denied\"]}"));
  }

  @AfterEach
  void tearDown() {
    v.close();
  }

  private SecretsClient client(AppRoleAuthenticationOptions.Builder approle) {
    return v.client(v.options().mount("secret", MountKind.KV_V2)
        .authentication(AppRoleAuthentication.create(approle.roleId(ROLE_ID).wrappedSecretId(wrapping).build())).build());
  }

  @Test
  void resolve_wrappingTokenCreatedForTheRole_lookedUpThenUnwrappedOnce() throws Exception {
    v.vault.wrappingLookup(wrapping, "auth/ci-approle/role/build-runner/secret-id", "300");
    SecretsClient client = client(AppRoleAuthenticationOptions.builder().path("ci-approle").roleName("build-runner"));

    assertThat(v.resolve(client, "vault://secret/app#k").equals(value)).isTrue();

    assertThat(v.vault.count("POST", "sys/wrapping/lookup")).isEqualTo(1);
    assertThat(v.vault.count("POST", "sys/wrapping/unwrap")).isEqualTo(1);
    RecordedRequest lookup = v.vault.requests().get(0);
    assertThat(lookup.getUrl().encodedPath()).as("the lookup comes first").isEqualTo("/v1/sys/wrapping/lookup");
    assertThat(lookup.getHeaders().get("X-Vault-Token")).as("lookup is unauthenticated").isNull();
    assertThat(VaultSpecs.JSON.readTree(lookup.getBody().toByteArray()).path("token").asText().equals(wrapping))
        .as("the wrapping token is sent in the lookup body").isTrue();
    assertThat(RedactionIndex.global().redact("x " + wrapping + " y").equals("x [REDACTED:credential://vault/wrapping-token] y"))
        .as("the wrapping token is registered as a credential").isTrue();
  }

  @Test
  void resolve_noRoleNameConfigured_anyRoleOfTheMountAccepted() {
    v.vault.wrappingLookup(wrapping, "auth/approle/role/some-role/secret-id", "\"300\"");
    SecretsClient client = client(AppRoleAuthenticationOptions.builder());

    assertThat(v.resolve(client, "vault://secret/app#k").equals(value)).isTrue();
    assertThat(v.vault.count("POST", "sys/wrapping/unwrap")).isEqualTo(1);
  }

  @Test
  void resolve_wrappingTokenFromAnotherPath_refusedWithoutUnwrapOrLogin() {
    // a server echoing the wrapping token (registered before the lookup) in creation_path
    String echo = "auth/approle/role/" + wrapping + "/secret-id";
    for (String creationPath : List.of("sys/wrapping/wrap", "auth/approle/role/other/secret-id",
        "auth/other/role/ci/secret-id", "auth/approle/role/ci/secret-id/extra", "auth/approle/role//secret-id",
        "auth/approle/role/ci/custom-secret-id", "", echo)) {
      v.vault.wrappingLookup(wrapping, creationPath, "300");
      SecretsClient client = client(AppRoleAuthenticationOptions.builder().roleName("ci"));

      Throwable t = v.resolveFailure(client, "vault://secret/app#k");

      assertThat(t).as(creationPath).isInstanceOf(SecretAccessDeniedException.class)
          .hasMessageContaining("not by auth/approle/role/ci/secret-id").hasMessageContaining("not unwrapped");
    }
    assertThat(v.vault.count("POST", "sys/wrapping/unwrap")).isZero();
    assertThat(v.vault.count("POST", "auth/approle/login")).isZero();
  }

  @Test
  void resolve_wrappingTtlMissingOrAboveADay_refusedWithoutUnwrap() {
    for (String ttl : List.of("0", "-1", "null", "\"\"", "\"forever\"", "86401", "9223372036854775807", "1e30")) {
      v.vault.wrappingLookup(wrapping, "auth/approle/role/ci/secret-id", ttl);
      SecretsClient client = client(AppRoleAuthenticationOptions.builder().roleName("ci"));

      Throwable t = v.resolveFailure(client, "vault://secret/app#k");

      assertThat(t).as("creation_ttl " + ttl).isInstanceOf(SecretAccessDeniedException.class)
          .hasMessageContaining("TTL").hasMessageContaining("not unwrapped");
    }
    assertThat(v.vault.count("POST", "sys/wrapping/unwrap")).isZero();
  }

  @Test
  void resolve_wrappingTokenUnknownToLookup_refusedWithoutUnwrap() {
    v.vault.wrappingLookup("hvs." + Canaries.random(24), "auth/approle/role/ci/secret-id", "300");
    SecretsClient client = client(AppRoleAuthenticationOptions.builder().roleName("ci"));

    Throwable t = v.resolveFailure(client, "vault://secret/app#k");

    assertThat(t).isInstanceOf(SecretAccessDeniedException.class).hasMessageContaining("sys/wrapping/lookup");
    assertThat(v.vault.count("POST", "sys/wrapping/unwrap")).isZero();
  }
}
