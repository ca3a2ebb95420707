package io.secretsdk.vault;

import static io.secretsdk.vault.VaultHarness.CTX;
import static io.secretsdk.vault.VaultHarness.ref;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.Secret;
import io.secretsdk.SecretException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretsClient;
import io.secretsdk.redact.RedactionIndex;
import io.secretsdk.spi.FetchResult;
import io.secretsdk.vault.auth.AppRoleAuthentication;
import io.secretsdk.vault.auth.AppRoleAuthenticationOptions;
import java.nio.charset.StandardCharsets;
import java.util.List;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A Vault that echoes what it was sent, or what another secret holds, in every string it answers
 * with — error bodies, {@code lease_id}, {@code deletion_time}, {@code created_time}, custom
 * metadata, {@code warnings}, {@code request_id}, a redirect's host: none of it may reach an
 * exception message, a {@code toString}, a version, a metadata value or a log line. The canaries
 * are the configured token, an AppRole secret_id and wrapping token, a value the index knows (as if
 * another secret had been resolved), and a Vault-format token nobody registered, all made at run
 * time.
 */
@Timeout(60)
final class VaultServerEchoTest {
  private static final String ROLE_ID = "59d6d1ca-47bb-4e7e-a40b-8be3bc5a0ba8";

  @StartStop private final MockWebServer server = new MockWebServer();
  private final Canaries canaries = new Canaries();
  private VaultHarness h;
  private String token;
  private String secretId;
  private String wrapping;
  private String otherValue;
  private String vaultFormat;
  private List<String> echoes;

  @BeforeEach
  void setUp() {
    h = new VaultHarness(server);
    token = canaries.make("token", "s.");
    secretId = canaries.make("secret-id", "");
    wrapping = canaries.make("wrapping-token", "hvs.");
    otherValue = canaries.make("other-value", "pw-");
    vaultFormat = canaries.make("vault-format-token", "hvs.");
    // as the engine does for every value it resolves
    RedactionIndex.global().register(SecretRef.parse("vault://secret/other#password"), otherValue.getBytes(StandardCharsets.UTF_8));
    echoes = List.of(token, secretId, otherValue, vaultFormat);
    // the provider logs in with the secret_id and is given the token: both registered from then on
    h.vault.on("POST", "auth/approle/login", "app-role-login", r -> r.getBody().utf8().contains(secretId)
        ? SpecDispatcher.json(200, "{\"auth\":{\"client_token\":\"" + token + "\",\"lease_duration\":3600,\"renewable\":false}}")
        : SpecDispatcher.json(400, "{\"errors\":[\"invalid secret id\"]}"));
  }

  @AfterEach
  void tearDown() {
    h.close();
    canaries.assertAbsent("log lines", h.logs.all());
  }

  private VaultOptions.Builder options() {
    return h.options().authentication(AppRoleAuthentication.create(
        AppRoleAuthenticationOptions.builder().roleId(ROLE_ID).secretId(secretId).build()));
  }

  private VaultSecretProvider provider() {
    return h.provider(options().mount("database", MountKind.GENERIC).build());
  }

  /** Fetches and returns what was thrown, checked for canaries. */
  private Throwable failure(VaultSecretProvider vault, String ref) {
    Throwable t = catchThrowable(() -> vault.fetch(ref(ref), CTX));
    assertThat(t).isInstanceOf(SecretException.class);
    canaries.assertAbsent(t);
    return h.check(t);
  }

  // booleans, so that a failure never prints what may hold a canary

  private static void assertContains(String text, String part) {
    assertThat(text != null && text.contains(part)).as("the text contains '" + part + "'").isTrue();
  }

  private static void assertFingerprint(String what, String shown) {
    assertThat(shown != null && shown.matches("fp:[0-9a-f]{12}")).as(what + " shown as a fingerprint").isTrue();
  }

  private static String errors(List<String> errors) {
    ArrayNode a = VaultSpecs.JSON.createArrayNode();
    errors.forEach(a::add);
    return VaultSpecs.JSON.createObjectNode().set("errors", a).toString();
  }

  @Test
  void fetch_errorBodiesEchoingCredentialsAndValues_neverInTheMessage() {
    VaultSecretProvider vault = provider();
    for (int status : new int[] {400, 403, 404, 405, 412, 429, 500, 503}) {
      h.vault.on("GET", "secret/data/app", "kv-v2-read", status, errors(List.of(
          "token " + token + " denied", "secret_id=" + secretId + "; value " + otherValue,
          "see " + vaultFormat + " (request " + token + ")")));

      Throwable t = failure(vault, "vault://secret/app#k");

      if (status == 404) {
        assertThat(t).isInstanceOf(SecretNotFoundException.class);
      } else {
        assertContains(t.getMessage(), "HTTP " + status);
      }
    }
    assertThat(h.vault.count("GET", "secret/data/app")).isGreaterThanOrEqualTo(8);
  }

  @Test
  void login_errorsEchoingSecretIdAndWrappingToken_neverInTheMessage() {
    h.vault.on("POST", "sys/wrapping/unwrap", "unwrap", r -> SpecDispatcher.json(200,
        "{\"request_id\":\"" + wrapping + "\",\"data\":{\"secret_id\":\"" + secretId + "\"},\"warnings\":[\"" + wrapping + "\"]}"));
    h.vault.wrappingLookup(wrapping, "auth/approle/role/ci/secret-id", "300");
    h.vault.on("POST", "auth/approle/login", "app-role-login", 400,
        errors(List.of("invalid secret id " + secretId + " from wrapping token " + wrapping, "token " + vaultFormat)));
    VaultSecretProvider vault = h.provider(h.options().authentication(AppRoleAuthentication.create(
        AppRoleAuthenticationOptions.builder().roleId(ROLE_ID).wrappedSecretId(wrapping).build())).build());

    Throwable t = failure(vault, "vault://secret/app#k");

    assertContains(t.getMessage(), "HTTP 400");
    assertContains(t.getMessage(), "invalid secret id");
  }

  @Test
  void fetch_tokenStraddlingTheCutOfAnErrorBody_notEvenPartlyInTheMessage() {
    VaultSecretProvider vault = provider();
    // the cut used to be at 800 characters, before scrubbing; the spaces in front collapse, so
    // whatever survived the cut came into the 200 characters shown
    for (String canary : List.of(token, vaultFormat, otherValue)) {
      for (int start = 760; start < 800; start += 3) {
        h.vault.on("GET", "secret/data/app", "kv-v2-read", 400, errors(List.of(" ".repeat(start) + canary + " denied")));

        Throwable t = failure(vault, "vault://secret/app#k");

        assertNoPart(t.getMessage(), canary);
      }
    }
  }

  /** No six characters in a row of the random part of {@code canary} (after its prefix) appear in {@code text}. */
  private static void assertNoPart(String text, String canary) {
    String random = canary.substring(canary.length() - 32);
    for (int i = 0; i + 6 <= random.length(); i++) {
      assertThat(text.contains(random.substring(i, i + 6))).as("part of a canary in the message").isFalse();
    }
  }

  @Test
  void fetch_leaseIdWarningsAndRequestIdEchoingCanaries_shownAsFingerprints() {
    for (String echo : echoes) {
      h.vault.on("GET", "database/creds/readonly", "database-generate-credentials", 200,
          "{\"request_id\":\"" + echo + "\",\"lease_id\":\"database/creds/readonly/" + echo + "\",\"renewable\":true,"
              + "\"lease_duration\":3600,\"data\":{\"username\":\"v-user-" + Canaries.random(8) + "\",\"password\":\"pw-" + Canaries.random(20) + "\"},"
              + "\"warnings\":[\"" + echo + "\"],\"wrap_info\":null,\"auth\":null}");
      h.vault.on("POST", "sys/leases/revoke", "leases-revoke-lease", 204, null);
      VaultSecretProvider vault = provider();

      FetchResult r = vault.fetch(ref("vault://database/creds/readonly#username"), CTX);

      assertFingerprint("version", r.version().orElse(null));
      assertFingerprint("lease_id", r.metadata().get("lease_id"));
      canaries.assertAbsent("FetchResult", r.toString() + r.version() + r.metadata());
      canaries.assertAbsent("Lease.toString", String.valueOf(vault.leases().current("database/creds/readonly")));
      vault.close();
    }
  }

  @Test
  void fetch_kv2DeletionTimeEchoingCanaries_notInTheNotFoundMessage() {
    VaultSecretProvider vault = provider();
    for (String echo : echoes) {
      h.vault.on("GET", "secret/data/app", "kv-v2-read", 404, "{\"request_id\":\"" + echo + "\",\"data\":{\"data\":null,"
          + "\"metadata\":{\"created_time\":\"" + echo + "\",\"deletion_time\":\"" + echo + "\",\"destroyed\":false,"
          + "\"version\":3}},\"warnings\":[\"" + echo + "\"]}");

      Throwable t = failure(vault, "vault://secret/app?version=3#k");

      assertThat(t).isInstanceOf(SecretNotFoundException.class);
      assertContains(t.getMessage(), "was deleted at fp:");
    }
  }

  @Test
  void fetch_kv2MetadataEchoingCanaries_shownAsFingerprints() {
    VaultSecretProvider vault = provider();
    for (String echo : echoes) {
      ObjectNode read = (ObjectNode) VaultSpecs.JSON.createObjectNode().put("request_id", echo);
      read.putArray("warnings").add(echo);
      ObjectNode data = read.putObject("data");
      data.putObject("data").put("k", "v-" + Canaries.random(20));
      ObjectNode meta = data.putObject("metadata");
      meta.put("created_time", echo).put("deletion_time", "").put("destroyed", false).put("version", 4);
      meta.putObject("custom_metadata").put("owner", echo).put(echo, "key-echo");
      h.vault.on("GET", "secret/data/app", "kv-v2-read", 200, read.toString());

      FetchResult r = vault.fetch(ref("vault://secret/app#k"), CTX);

      assertThat(r.version()).contains("4");
      assertThat(r.metadata()).containsEntry("version", "4");
      assertFingerprint("created_time", r.metadata().get("created_time"));
      assertFingerprint("custom_metadata.owner", r.metadata().get("custom_metadata.owner"));
      assertThat(r.metadata()).containsValue("key-echo");
      canaries.assertAbsent("FetchResult", r.toString() + r.version() + r.metadata());
    }
  }

  @Test
  void resolve_throughClientWithEchoingLease_secretToStringVersionAndAuditClean() {
    String user = "v-user-" + Canaries.random(8);
    h.vault.on("GET", "database/creds/readonly", "database-generate-credentials", 200,
        "{\"request_id\":\"" + token + "\",\"lease_id\":\"database/creds/readonly/" + token + "\",\"renewable\":true,"
            + "\"lease_duration\":3600,\"data\":{\"username\":\"" + user + "\",\"password\":\"pw-" + Canaries.random(20) + "\"},"
            + "\"warnings\":[\"" + secretId + "\"]}");
    h.vault.on("POST", "sys/leases/revoke", "leases-revoke-lease", 204, null);
    try (RedactedDebugLog log = new RedactedDebugLog()) {
      try (SecretsClient client = SecretsClient.builder().provider(provider()).build();
           Secret s = client.resolve("vault://database/creds/readonly#username")) {
        assertThat(s.reveal()).isEqualTo(user);
        canaries.assertAbsent("Secret", s + " " + s.version() + " " + s.metadata());
        assertFingerprint("Secret.version", s.version().orElse(null));
      }
      canaries.assertAbsent("the DEBUG log (audit included)", log.output());
    }
  }

  @Test
  void fetch_redirectToHostNamedLikeAToken_hostNotLogged() {
    String host = vaultFormat.toLowerCase(java.util.Locale.ROOT) + ".example";
    canaries.add("redirect-host", host);
    h.vault.on("GET", "secret/data/app", "kv-v2-read",
        r -> new MockResponse.Builder().code(307).addHeader("Location", "http://" + host + "/v1/secret/data/app").build());
    VaultSecretProvider vault = provider();

    Throwable t = failure(vault, "vault://secret/app#k");

    assertThat(t).isInstanceOf(ProviderUnavailableException.class);
    assertContains(t.getMessage(), "another host");
    assertContains(h.logs.all(), "to another host (fp:");
  }
}
