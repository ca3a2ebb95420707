package io.secretsdk.vault;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.secretsdk.Secret;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretsClient;
import io.secretsdk.identity.IdentityToken;
import io.secretsdk.identity.KubernetesServiceAccountTokenSource;
import io.secretsdk.redact.RedactionIndex;
import io.secretsdk.vault.auth.AppRoleAuthentication;
import io.secretsdk.vault.auth.AppRoleAuthenticationOptions;
import io.secretsdk.vault.auth.ClientAuthentication;
import io.secretsdk.vault.auth.JwtAuthentication;
import io.secretsdk.vault.auth.JwtAuthenticationOptions;
import io.secretsdk.vault.auth.KubernetesAuthentication;
import io.secretsdk.vault.auth.KubernetesAuthenticationOptions;
import io.secretsdk.vault.auth.TokenAuthentication;
import io.secretsdk.vault.auth.TokenAuthenticationOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Authenticated resolves through a real {@link SecretsClient} against MockWebServer replaying the
 * shapes of the Vault docs examples, with every logger at DEBUG ({@code java.util.logging} bridged,
 * so OkHttp's, MockWebServer's and the JDK's loggers are in), written through the
 * {@code RedactingEncoder}; a {@link WireLoggingDispatcher} logs every request the way an HTTP
 * library at debug level would. No credential — configured token, logged-in and renewed tokens,
 * AppRole secret_id and its wrapping token, JWT, Kubernetes token — may reach the output raw or
 * encoded, and the masks of the credentials sent must be there.
 */
@Timeout(60)
final class VaultCredentialLoggingTest {
  private static final String REF = "vault://secret/openai/ci#api_key";
  private static final String ROLE_ID = "59d6d1ca-47bb-4e7e-a40b-8be3bc5a0ba8";

  @StartStop private final MockWebServer server = new MockWebServer();
  @TempDir Path dir;
  private final SpecDispatcher vault = new SpecDispatcher();
  private final VaultHarness.FakeTicker ticker = new VaultHarness.FakeTicker();
  private final Canaries canaries = new Canaries();
  private RedactedDebugLog log;
  private String value;

  @BeforeEach
  void setUp() {
    VaultSpecs.assumeAvailable();
    log = new RedactedDebugLog();
    server.setDispatcher(new WireLoggingDispatcher(vault));
    value = canaries.make("value", "sk-");
    vault.on("POST", "auth/token/revoke-self", "token-revoke-self", 204, null);
  }

  @AfterEach
  void tearDown() {
    if (log != null) {
      log.close();
    }
    assertThat(vault.violations()).as("requests that do not fit the Vault API description").isEmpty();
  }

  /** The documented KV v2 read, holding the value canary, served to {@code token} only. */
  private void kvReadFor(String token) {
    ObjectNode read = (ObjectNode) VaultSpecs.example("secret-kv-v2.json", "Read secret version", "sample_response").deepCopy();
    obj(read, "data").putObject("data").put("api_key", value);
    vault.on("GET", "secret/data/openai/ci", "kv-v2-read", r -> token.equals(r.getHeaders().get("X-Vault-Token"))
        ? SpecDispatcher.json(200, read) : SpecDispatcher.json(403, "{\"errors\":[\"permission denied\"]}"));
  }

  /** A documented login answer with {@code token} as its client_token. */
  private static ObjectNode login(String file, String title, String token) {
    ObjectNode login = (ObjectNode) VaultSpecs.example(file, title, "sample_response").deepCopy();
    obj(login, "auth").put("client_token", token);
    return login;
  }

  /** The documented renew-self answer, renewing {@code token} for {@code ttl} seconds. */
  private void renewSelf(String token, long ttl) {
    ObjectNode renew = (ObjectNode) VaultSpecs.example("auth-token.json", "Renew a token (Self)", "sample_response").deepCopy();
    obj(renew, "auth").put("client_token", token).put("lease_duration", ttl);
    vault.on("POST", "auth/token/renew-self", "token-renew-self", 200, renew.toString());
  }

  private static ObjectNode obj(ObjectNode node, String field) {
    return (ObjectNode) node.get(field);
  }

  private static String jwt(String subject) {
    return new com.nimbusds.jwt.PlainJWT(new com.nimbusds.jwt.JWTClaimsSet.Builder().subject(subject)
        .jwtID(Canaries.random(24)).expirationTime(Date.from(Instant.now().plusSeconds(3600))).build()).serialize();
  }

  /** Resolves {@link #REF} twice through a client, the second time after moving into the renewal window. */
  private void resolveAndRenew(ClientAuthentication auth, Duration intoRenewal) {
    VaultOptions options = VaultOptions.builder().address(server.url("/").toString()).ticker(ticker)
        .authentication(auth).mount("secret", MountKind.KV_V2).build();
    try (SecretsClient client = SecretsClient.builder().provider(VaultSecretProvider.create(options)).build()) {
      try (Secret s = client.resolve(REF)) {
        assertThat(s.reveal().equals(value)).as("the resolved value").isTrue();
        canaries.assertAbsent("Secret.toString", s.toString());
      }
      ticker.advance(intoRenewal);
      try (Secret s = client.refresh(SecretRef.parse(REF))) {
        assertThat(s.reveal().equals(value)).as("the resolved value").isTrue();
      }
    }
  }

  private void assertMasked(String... kinds) {
    String out = log.output();
    canaries.assertAbsent("the redacted DEBUG log", out);
    for (String kind : kinds) {
      assertThat(out.contains("[REDACTED:credential://" + kind + "]")).as("the log holds the mask of " + kind).isTrue();
    }
    // the bridge works: java.util.logging records (the wire log, MockWebServer's own) are in the output
    assertThat(out.contains("vault.test.wire - --> ")).as("java.util.logging wire log captured").isTrue();
    assertThat(out.contains("mockwebserver3")).as("MockWebServer's java.util.logging records captured").isTrue();
  }

  private static void assertRegistered(String kind, String credential) {
    // a boolean, so that a failure never prints the credential
    assertThat(RedactionIndex.global().redact("x " + credential + " y").equals("x [REDACTED:credential://" + kind + "] y"))
        .as("registered as " + kind).isTrue();
  }

  @Test
  void resolve_configuredTokenRenewedAtDebug_tokenMaskedEverywhere() {
    String token = canaries.make("configured-token", "s.");
    ObjectNode lookup = (ObjectNode) VaultSpecs.example("auth-token.json", "Lookup a token (Self)", "sample_response").deepCopy();
    obj(lookup, "data").put("ttl", 1200).put("renewable", true).put("id", token);
    vault.on("GET", "auth/token/lookup-self", "token-look-up-self", 200, lookup.toString());
    renewSelf(token, 1200);
    kvReadFor(token);

    resolveAndRenew(TokenAuthentication.create(TokenAuthenticationOptions.builder().token(token).build()),
        Duration.ofSeconds(1200 - 30));

    assertThat(vault.count("POST", "auth/token/renew-self")).isEqualTo(1);
    assertMasked("vault/token");
    assertRegistered("vault/token", token);
  }

  @Test
  void resolve_appRoleWithWrappedSecretIdRenewedAtDebug_everyCredentialMasked() {
    String wrapping = canaries.make("wrapping-token", "hvs.");
    String secretId = canaries.make("secret-id", "");
    String token = canaries.make("approle-token", "hvs.");
    String renewed = canaries.make("renewed-token", "hvs.");
    ObjectNode unwrap = (ObjectNode) VaultSpecs.example("sys-wrapping-unwrap.json", "Wrapping unwrap", "sample_response").deepCopy();
    unwrap.putObject("data").put("secret_id", secretId).put("secret_id_accessor", Canaries.random(16));
    vault.wrappingLookup(wrapping, "auth/approle/role/ci/secret-id", "300");
    vault.on("POST", "sys/wrapping/unwrap", "unwrap", r -> wrapping.equals(r.getHeaders().get("X-Vault-Token"))
        ? SpecDispatcher.json(200, unwrap) : SpecDispatcher.json(400, "{\"errors\":[\"wrapping token is not valid\"]}"));
    vault.on("POST", "auth/approle/login", "app-role-login", r -> r.getBody().utf8().contains(secretId)
        ? SpecDispatcher.json(200, login("auth-approle.json", "Login with AppRole", token))
        : SpecDispatcher.json(400, "{\"errors\":[\"invalid secret id\"]}"));
    // the renewal answers with another client_token: a credential too, although the provider keeps its own
    renewSelf(renewed, 1200);
    kvReadFor(token);

    resolveAndRenew(AppRoleAuthentication.create(AppRoleAuthenticationOptions.builder()
        .roleId(ROLE_ID).wrappedSecretId(wrapping).build()), Duration.ofSeconds(1200 - 30));

    assertThat(vault.count("POST", "sys/wrapping/lookup")).isEqualTo(1);
    assertThat(vault.count("POST", "sys/wrapping/unwrap")).isEqualTo(1);
    assertThat(vault.count("POST", "auth/token/renew-self")).isEqualTo(1);
    assertMasked("vault/wrapping-token", "vault/secret-id", "vault/token");
    assertRegistered("vault/wrapping-token", wrapping);
    assertRegistered("vault/secret-id", secretId);
    assertRegistered("vault/token", token);
    assertRegistered("vault/token", renewed);
  }

  @Test
  void resolve_jwtLoginRenewedAtDebug_jwtAndTokenMasked() {
    String jwt = canaries.add("oidc-jwt", jwt("repo:acme/runner:ref:refs/heads/main"));
    String token = canaries.make("jwt-token", "hvs.");
    ObjectNode login = login("auth-kubernetes.json", "Login", token);
    obj(login, "auth").put("lease_duration", 900);
    vault.on("POST", "auth/ci-jwt/login", "jwt-login", r -> r.getBody().utf8().contains(jwt)
        ? SpecDispatcher.json(200, login)
        : SpecDispatcher.json(400, "{\"errors\":[\"bad login\"]}"));
    renewSelf(token, 900);
    kvReadFor(token);

    resolveAndRenew(JwtAuthentication.create(JwtAuthenticationOptions.builder().path("ci-jwt").role("ci")
        .tokenSource(() -> IdentityToken.of(jwt, Instant.now().plusSeconds(3600))).build()), Duration.ofSeconds(900 - 30));

    assertThat(vault.count("POST", "auth/token/renew-self")).isEqualTo(1);
    assertMasked("vault/jwt", "vault/token");
    assertRegistered("vault/jwt", jwt);
  }

  @Test
  void resolve_kubernetesLoginRenewedAtDebug_serviceAccountTokenAndTokenMasked() throws Exception {
    Path sa = dir.resolve("token");
    String saToken = canaries.add("service-account-token", jwt("system:serviceaccount:ci:runner"));
    Files.writeString(sa, saToken);
    String token = canaries.make("kubernetes-token", "hvs.");
    vault.on("POST", "auth/kubernetes/login", "kubernetes-login", r -> r.getBody().utf8().contains(saToken)
        ? SpecDispatcher.json(200, login("auth-kubernetes.json", "Login", token))
        : SpecDispatcher.json(400, "{\"errors\":[\"bad login\"]}"));
    renewSelf(token, 2764800);
    kvReadFor(token);

    resolveAndRenew(KubernetesAuthentication.create(KubernetesAuthenticationOptions.builder().role("runner")
        .tokenSource(KubernetesServiceAccountTokenSource.of(sa)).build()), Duration.ofSeconds(2764800 - 30));

    assertThat(vault.count("POST", "auth/token/renew-self")).isEqualTo(1);
    // core's token source registers the file's token as identity/kubernetes when it reads it,
    // before the login registers it again as vault/kubernetes-jwt: either mask is right
    assertMasked("vault/token");
    String out = log.output();
    assertThat(out.contains("[REDACTED:credential://identity/kubernetes]")
        || out.contains("[REDACTED:credential://vault/kubernetes-jwt]"))
        .as("the log holds a mask of the service-account token").isTrue();
    assertThat(RedactionIndex.global().redact(saToken).startsWith("[REDACTED:credential://"))
        .as("the service-account token is registered").isTrue();
  }
}
