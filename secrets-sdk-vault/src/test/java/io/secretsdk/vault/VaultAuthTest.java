package io.secretsdk.vault;

import static io.secretsdk.vault.VaultHarness.CANARY_SECRET_ID;
import static io.secretsdk.vault.VaultHarness.CANARY_TOKEN;
import static io.secretsdk.vault.VaultHarness.CANARY_TOKEN_2;
import static io.secretsdk.vault.VaultHarness.CANARY_VALUE;
import static io.secretsdk.vault.VaultHarness.CTX;
import static io.secretsdk.vault.VaultHarness.ref;
import static io.secretsdk.vault.VaultHarness.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretConfigException;
import io.secretsdk.identity.IdentityToken;
import io.secretsdk.identity.KubernetesServiceAccountTokenSource;
import io.secretsdk.vault.auth.AppRoleAuthentication;
import io.secretsdk.vault.auth.AppRoleAuthenticationOptions;
import io.secretsdk.vault.auth.JwtAuthentication;
import io.secretsdk.vault.auth.JwtAuthenticationOptions;
import io.secretsdk.vault.auth.KubernetesAuthentication;
import io.secretsdk.vault.auth.KubernetesAuthenticationOptions;
import io.secretsdk.vault.auth.TokenAuthentication;
import io.secretsdk.vault.auth.TokenAuthenticationOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
final class VaultAuthTest {
  private static final String READ = "{\"data\":{\"data\":{\"api_key\":\"" + CANARY_VALUE + "\"},\"metadata\":{\"version\":1}}}";
  private static final String ROLE_ID = "59d6d1ca-47bb-4e7e-a40b-8be3bc5a0ba8";

  @StartStop private final MockWebServer server = new MockWebServer();
  @TempDir Path dir;
  private VaultHarness h;

  @BeforeEach
  void setUp() {
    h = new VaultHarness(server);
  }

  @AfterEach
  void tearDown() {
    h.close();
  }

  private static String login(String token, long ttl, boolean renewable) {
    return "{\"auth\":{\"client_token\":\"" + token + "\",\"accessor\":\"acc\",\"policies\":[\"default\"],"
        + "\"lease_duration\":" + ttl + ",\"renewable\":" + renewable + "},\"data\":null,\"lease_id\":\"\"}";
  }

  /** Serves the KV read only to the tokens in {@code valid}; 403 otherwise. */
  private void readFor(Set<String> valid) {
    h.vault.on("GET", "secret/data/openai/ci", "kv-v2-read", r -> valid.contains(r.getHeaders().get("X-Vault-Token"))
        ? SpecDispatcher.json(200, READ) : SpecDispatcher.json(403, "{\"errors\":[\"permission denied\"]}"));
  }

  private AppRoleAuthentication approle() {
    return AppRoleAuthentication.create(AppRoleAuthenticationOptions.builder().roleId(ROLE_ID).secretId(CANARY_SECRET_ID).build());
  }

  private static JsonNode body(RecordedRequest r) throws Exception {
    return VaultSpecs.JSON.readTree(r.getBody().toByteArray());
  }

  private RecordedRequest last(String method, String pathEnd) {
    RecordedRequest found = null;
    for (RecordedRequest r : h.vault.requests()) {
      if (r.getMethod().equals(method) && r.getUrl().encodedPath().endsWith(pathEnd)) {
        found = r;
      }
    }
    assertThat(found).as(method + " " + pathEnd).isNotNull();
    return found;
  }

  @Test
  void fetch_literalToken_looksUpSelfOnceAndSendsToken() {
    VaultSpecs.assumeAvailable();
    h.vault.on("GET", "auth/token/lookup-self", "token-look-up-self", 200,
        VaultSpecs.example("auth-token.json", "Lookup a token (Self)", "sample_response").toString());
    readFor(Set.of(CANARY_TOKEN));
    VaultSecretProvider vault = h.provider();

    h.fetch(vault, ref("vault://secret/openai/ci#api_key"), CTX);
    h.fetch(vault, ref("vault://secret/openai/ci#api_key"), CTX);

    assertThat(h.vault.count("GET", "auth/token/lookup-self")).isEqualTo(1);
    assertThat(last("GET", "/auth/token/lookup-self").getHeaders().get("X-Vault-Token")).isEqualTo(CANARY_TOKEN);
    assertThat(vault.sessions().loginCount()).isEqualTo(1);
  }

  @Test
  void login_eagerly_failsFastWithoutAnyFetch() {
    h.vault.on("POST", "auth/approle/login", "app-role-login", 400, "{\"errors\":[\"invalid role ID\"]}");
    VaultSecretProvider vault = h.provider(h.options().authentication(approle()).build());

    Throwable t = h.check(catchThrowable(vault::login));

    assertThat(t).isInstanceOf(SecretAccessDeniedException.class).hasMessageContaining("invalid role ID");
    assertThat(h.vault.requests()).hasSize(1);
  }

  @Test
  void fetch_customAuthenticationThrows_wrappedWithoutItsMessage() {
    VaultSecretProvider vault = h.provider(h.options().authentication(client -> {
      throw new IllegalStateException("leaked " + CANARY_TOKEN);
    }).build());

    Throwable t = h.check(catchThrowable(() -> h.fetch(vault, ref("vault://secret/openai/ci#api_key"), CTX)));

    assertThat(t).isInstanceOf(io.secretsdk.ProviderUnavailableException.class)
        .hasMessageContaining("java.lang.IllegalStateException").hasNoCause();
  }

  @Test
  void fetch_literalTokenRejectedByLookup_throwsAccessDenied() {
    h.vault.on("GET", "auth/token/lookup-self", "token-look-up-self", 403, "{\"errors\":[\"bad token " + CANARY_TOKEN + "\"]}");
    VaultSecretProvider vault = h.provider();

    Throwable t = h.check(catchThrowable(() -> h.fetch(vault, ref("vault://secret/openai/ci#api_key"), CTX)));

    assertThat(t).isInstanceOf(SecretAccessDeniedException.class).hasMessageContaining("rejected the configured token");
  }

  @Test
  void fetch_tokenFileRewritten_usesNewToken() throws Exception {
    Path file = dir.resolve("vault-agent-sink");
    Files.writeString(file, CANARY_TOKEN + "\n");
    Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2026-01-01T00:00:00Z")));
    h.lookupSelf(3600, false);
    readFor(Set.of(CANARY_TOKEN, CANARY_TOKEN_2));
    VaultSecretProvider vault = h.provider(h.options().authentication(TokenAuthentication.create(
        TokenAuthenticationOptions.builder().tokenFile(file).build())).build());
    h.fetch(vault, ref("vault://secret/openai/ci#api_key"), CTX);

    Files.writeString(file, CANARY_TOKEN_2);
    Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2026-01-01T00:10:00Z")));
    h.fetch(vault, ref("vault://secret/openai/ci#api_key"), CTX);

    assertThat(last("GET", "/secret/data/openai/ci").getHeaders().get("X-Vault-Token")).isEqualTo(CANARY_TOKEN_2);
    assertThat(vault.sessions().loginCount()).isEqualTo(2);
  }

  @Test
  void fetch_envToken_readsVariable() {
    h.lookupSelf(0, false);
    readFor(Set.of(CANARY_TOKEN));
    VaultSecretProvider vault = h.provider(h.options().authentication(TokenAuthentication.create(
        TokenAuthenticationOptions.builder().environmentVariable("VAULT_TOKEN")
            .environment(k -> k.equals("VAULT_TOKEN") ? CANARY_TOKEN : null).build())).build());

    assertThat(text(h.fetch(vault, ref("vault://secret/openai/ci#api_key"), CTX).value())).isEqualTo(CANARY_VALUE);
  }

  @Test
  void fetch_envTokenUnset_throwsConfigExceptionNamingVariable() {
    VaultSecretProvider vault = h.provider(h.options().authentication(TokenAuthentication.create(
        TokenAuthenticationOptions.builder().environmentVariable("VAULT_TOKEN").environment(k -> null).build())).build());

    assertThat(catchThrowable(() -> h.fetch(vault, ref("vault://secret/openai/ci#api_key"), CTX)))
        .isInstanceOf(SecretConfigException.class).hasMessageContaining("VAULT_TOKEN");
    assertThat(h.vault.requests()).isEmpty();
  }

  @Test
  void fetch_appRoleDocumentedLogin_usesIssuedToken() throws Exception {
    VaultSpecs.assumeAvailable();
    JsonNode sample = VaultSpecs.example("auth-approle.json", "Login with AppRole", "sample_response");
    String issued = sample.at("/auth/client_token").asText();
    h.vault.on("POST", "auth/approle/login", "app-role-login", 200, sample.toString());
    readFor(Set.of(issued));
    VaultSecretProvider vault = h.provider(h.options().authentication(approle()).build());

    assertThat(text(h.fetch(vault, ref("vault://secret/openai/ci#api_key"), CTX).value())).isEqualTo(CANARY_VALUE);

    RecordedRequest loginReq = last("POST", "/auth/approle/login");
    assertThat(loginReq.getHeaders().get("X-Vault-Token")).isNull();
    assertThat(body(loginReq).get("role_id").asText()).isEqualTo(ROLE_ID);
    assertThat(body(loginReq).get("secret_id").asText()).isEqualTo(CANARY_SECRET_ID);
    assertThat(h.vault.count("GET", "auth/token/lookup-self")).isZero();
  }

  @Test
  void fetch_appRoleWrappedSecretId_unwrapsOnceAndLogsIn() throws Exception {
    String wrapping = "hvs.CAES-wrapping-CANARYtok3n-wrapped";
    h.vault.on("POST", "sys/wrapping/unwrap", "unwrap", r -> wrapping.equals(r.getHeaders().get("X-Vault-Token"))
        ? SpecDispatcher.json(200, "{\"data\":{\"secret_id\":\"" + CANARY_SECRET_ID + "\",\"secret_id_accessor\":\"a\"}}")
        : SpecDispatcher.json(400, "{\"errors\":[\"wrapping token is not valid or does not exist\"]}"));
    h.vault.wrappingLookup(wrapping, "auth/custom-approle/role/ci/secret-id", "300");
    AtomicInteger logins = new AtomicInteger();
    h.vault.on("POST", "auth/custom-approle/login", "app-role-login",
        r -> SpecDispatcher.json(200, login(logins.incrementAndGet() == 1 ? CANARY_TOKEN : CANARY_TOKEN_2, 3600, true)));
    readFor(Set.of(CANARY_TOKEN_2));
    VaultSecretProvider vault = h.provider(h.options().authentication(AppRoleAuthentication.create(
        AppRoleAuthenticationOptions.builder().path("custom-approle").roleId(ROLE_ID).wrappedSecretId(wrapping).build())).build());

    // first token gets 403: a second login follows, without a second unwrap
    h.fetch(vault, ref("vault://secret/openai/ci#api_key"), CTX);

    assertThat(h.vault.count("POST", "sys/wrapping/lookup")).isEqualTo(1);
    assertThat(h.vault.count("POST", "sys/wrapping/unwrap")).isEqualTo(1);
    assertThat(logins.get()).isEqualTo(2);
    assertThat(body(last("POST", "/auth/custom-approle/login")).get("secret_id").asText()).isEqualTo(CANARY_SECRET_ID);
  }

  @Test
  void fetch_unwrapDocumentedSampleWithoutSecretId_throwsAccessDenied() {
    VaultSpecs.assumeAvailable();
    h.vault.on("POST", "sys/wrapping/unwrap", "unwrap", 200,
        VaultSpecs.example("sys-wrapping-unwrap.json", "Wrapping unwrap", "sample_response").toString());
    h.vault.wrappingLookup("hvs.wrapCANARYtok3n123456", "auth/approle/role/ci/secret-id", "300");
    VaultSecretProvider vault = h.provider(h.options().authentication(AppRoleAuthentication.create(
        AppRoleAuthenticationOptions.builder().roleId(ROLE_ID).wrappedSecretId("hvs.wrapCANARYtok3n123456").build())).build());

    Throwable t = h.check(catchThrowable(() -> h.fetch(vault, ref("vault://secret/openai/ci#api_key"), CTX)));

    assertThat(t).isInstanceOf(SecretAccessDeniedException.class).hasMessageContaining("secret_id");
  }

  @Test
  void fetch_appRoleRefused_throwsAccessDeniedWithoutCredentials() {
    h.vault.on("POST", "auth/approle/login", "app-role-login", 400,
        "{\"errors\":[\"invalid secret id " + CANARY_SECRET_ID + "\"]}");
    VaultSecretProvider vault = h.provider(h.options().authentication(approle()).build());

    Throwable t = h.check(catchThrowable(() -> h.fetch(vault, ref("vault://secret/openai/ci#api_key"), CTX)));

    assertThat(t).isInstanceOf(SecretAccessDeniedException.class).hasMessageContaining("invalid secret id ****");
  }

  @Test
  void fetch_authMountMissing_throwsConfigException() {
    h.vault.on("POST", "auth/approle/login", "app-role-login", 404, "{\"errors\":[\"no handler for route\"]}");
    VaultSecretProvider vault = h.provider(h.options().authentication(approle()).build());

    assertThat(catchThrowable(() -> h.fetch(vault, ref("vault://secret/openai/ci#api_key"), CTX)))
        .isInstanceOf(SecretConfigException.class).hasMessageContaining("mounted");
  }

  @Test
  void fetch_jwtCustomMount_sendsRoleAndJwtAndUsesToken() throws Exception {
    VaultSpecs.assumeAvailable();
    String jwt = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJyZXBvOmFjbWUvcnVubmVyIn0.";
    JsonNode sample = VaultSpecs.example("auth-kubernetes.json", "Login", "sample_response");
    h.vault.on("POST", "auth/ci-jwt/login", "jwt-login", 200, sample.toString());
    readFor(Set.of(sample.at("/auth/client_token").asText()));
    VaultSecretProvider vault = h.provider(h.options().authentication(JwtAuthentication.create(JwtAuthenticationOptions.builder()
        .path("ci-jwt").role("ci").tokenSource(() -> IdentityToken.of(jwt, null)).build())).build());

    h.fetch(vault, ref("vault://secret/openai/ci#api_key"), CTX);

    JsonNode login = body(last("POST", "/auth/ci-jwt/login"));
    assertThat(login.get("role").asText()).isEqualTo("ci");
    assertThat(login.get("jwt").asText()).isEqualTo(jwt);
  }

  @Test
  void fetch_kubernetesAuth_readsServiceAccountTokenFile() throws Exception {
    VaultSpecs.assumeAvailable();
    Path sa = dir.resolve("token");
    String jwt = new com.nimbusds.jwt.PlainJWT(new com.nimbusds.jwt.JWTClaimsSet.Builder()
        .subject("system:serviceaccount:ci:runner").expirationTime(java.util.Date.from(Instant.now().plusSeconds(3600))).build()).serialize();
    Files.writeString(sa, jwt);
    JsonNode sample = VaultSpecs.example("auth-kubernetes.json", "Login", "sample_response");
    h.vault.on("POST", "auth/kubernetes/login", "kubernetes-login", 200, sample.toString());
    readFor(Set.of(sample.at("/auth/client_token").asText()));
    VaultSecretProvider vault = h.provider(h.options().authentication(KubernetesAuthentication.create(
        KubernetesAuthenticationOptions.builder().role("runner").tokenSource(KubernetesServiceAccountTokenSource.of(sa)).build())).build());

    assertThat(text(h.fetch(vault, ref("vault://secret/openai/ci#api_key"), CTX).value())).isEqualTo(CANARY_VALUE);
    JsonNode login = body(last("POST", "/auth/kubernetes/login"));
    assertThat(login.get("role").asText()).isEqualTo("runner");
    assertThat(login.get("jwt").asText()).isEqualTo(jwt);
  }

  @Test
  void fetch_tokenNearExpiry_renewsSelfWithoutNewLogin() throws Exception {
    VaultSpecs.assumeAvailable();
    h.vault.on("POST", "auth/approle/login", "app-role-login", 200,
        VaultSpecs.example("auth-approle.json", "Login with AppRole", "sample_response").toString()); // ttl 1200, renewable
    h.vault.on("POST", "auth/token/renew-self", "token-renew-self", 200,
        VaultSpecs.example("auth-token.json", "Renew a token (Self)", "sample_response").toString()); // 3600
    readFor(Set.of("5b1a0318-679c-9c45-e5c6-d1b9a9035d49"));
    VaultSecretProvider vault = h.provider(h.options().authentication(approle()).tokenRenewAhead(Duration.ofMinutes(1)).build());
    h.fetch(vault, ref("vault://secret/openai/ci#api_key"), CTX);

    h.ticker.advance(Duration.ofSeconds(1200 - 61));
    h.fetch(vault, ref("vault://secret/openai/ci#api_key"), CTX);
    assertThat(h.vault.count("POST", "auth/token/renew-self")).isZero();

    h.ticker.advance(Duration.ofSeconds(2));
    h.fetch(vault, ref("vault://secret/openai/ci#api_key"), CTX);

    assertThat(h.vault.count("POST", "auth/token/renew-self")).isEqualTo(1);
    RecordedRequest renew = last("POST", "/auth/token/renew-self");
    assertThat(body(renew).get("increment").asText()).isEqualTo("1200s");
    assertThat(renew.getHeaders().get("X-Vault-Token")).isEqualTo("5b1a0318-679c-9c45-e5c6-d1b9a9035d49");
    assertThat(vault.sessions().loginCount()).isEqualTo(1);

    // renewed to 3600 s: nothing more until that window
    h.ticker.advance(Duration.ofSeconds(3000));
    h.fetch(vault, ref("vault://secret/openai/ci#api_key"), CTX);
    assertThat(h.vault.count("POST", "auth/token/renew-self")).isEqualTo(1);
  }

  @Test
  void fetch_renewalCappedByMaxTtl_logsInAgainAtNextWindow() {
    AtomicInteger logins = new AtomicInteger();
    h.vault.on("POST", "auth/approle/login", "app-role-login",
        r -> SpecDispatcher.json(200, login(logins.incrementAndGet() == 1 ? CANARY_TOKEN : CANARY_TOKEN_2, 600, true)));
    h.vault.on("POST", "auth/token/renew-self", "token-renew-self", r -> SpecDispatcher.json(200, "{\"auth\":{\"client_token\":\""
        + r.getHeaders().get("X-Vault-Token") + "\",\"lease_duration\":120,\"renewable\":true}}"));
    readFor(Set.of(CANARY_TOKEN, CANARY_TOKEN_2));
    VaultSecretProvider vault = h.provider(h.options().authentication(approle()).build());
    h.fetch(vault, ref("vault://secret/openai/ci#api_key"), CTX);

    h.ticker.advance(Duration.ofSeconds(541)); // into the 60 s window of a 600 s token
    h.fetch(vault, ref("vault://secret/openai/ci#api_key"), CTX); // renewed, but only to 120 s: capped
    assertThat(logins.get()).isEqualTo(1);
    h.ticker.advance(Duration.ofSeconds(81)); // into the window of the capped 120 s lease
    h.fetch(vault, ref("vault://secret/openai/ci#api_key"), CTX);

    assertThat(h.vault.count("POST", "auth/token/renew-self")).isEqualTo(1);
    assertThat(logins.get()).isEqualTo(2);
    assertThat(last("GET", "/secret/data/openai/ci").getHeaders().get("X-Vault-Token")).isEqualTo(CANARY_TOKEN_2);
  }

  @Test
  void fetch_renewalFailsTransiently_keepsTokenAndBacksOff() {
    h.vault.on("POST", "auth/approle/login", "app-role-login", 200, login(CANARY_TOKEN, 600, true));
    h.vault.on("POST", "auth/token/renew-self", "token-renew-self", 503, "{\"errors\":[\"Vault is sealed\"]}");
    readFor(Set.of(CANARY_TOKEN));
    VaultSecretProvider vault = h.provider(h.options().authentication(approle()).build());
    h.fetch(vault, ref("vault://secret/openai/ci#api_key"), CTX);
    h.ticker.advance(Duration.ofSeconds(545));

    h.fetch(vault, ref("vault://secret/openai/ci#api_key"), CTX);
    h.fetch(vault, ref("vault://secret/openai/ci#api_key"), CTX);
    h.fetch(vault, ref("vault://secret/openai/ci#api_key"), CTX);
    assertThat(h.vault.count("POST", "auth/token/renew-self")).isEqualTo(1);
    h.ticker.advance(Duration.ofSeconds(31));
    h.fetch(vault, ref("vault://secret/openai/ci#api_key"), CTX);

    assertThat(h.vault.count("POST", "auth/token/renew-self")).isEqualTo(2);
    assertThat(vault.sessions().loginCount()).isEqualTo(1);
    assertThat(h.logs.all()).contains("renewal failed");
  }

  @Test
  void fetch_tokenExpired_logsInAgainWithoutRenewing() {
    AtomicInteger logins = new AtomicInteger();
    h.vault.on("POST", "auth/approle/login", "app-role-login",
        r -> SpecDispatcher.json(200, login(logins.incrementAndGet() == 1 ? CANARY_TOKEN : CANARY_TOKEN_2, 600, true)));
    readFor(Set.of(CANARY_TOKEN, CANARY_TOKEN_2));
    VaultSecretProvider vault = h.provider(h.options().authentication(approle()).build());
    h.fetch(vault, ref("vault://secret/openai/ci#api_key"), CTX);

    h.ticker.advance(Duration.ofSeconds(700));
    h.fetch(vault, ref("vault://secret/openai/ci#api_key"), CTX);

    assertThat(logins.get()).isEqualTo(2);
    assertThat(h.vault.count("POST", "auth/token/renew-self")).isZero();
  }

  @Test
  void fetch_403WithStaleToken_logsInOnceAndRetries() {
    AtomicInteger logins = new AtomicInteger();
    h.vault.on("POST", "auth/approle/login", "app-role-login",
        r -> SpecDispatcher.json(200, login(logins.incrementAndGet() == 1 ? CANARY_TOKEN : CANARY_TOKEN_2, 3600, true)));
    readFor(Set.of(CANARY_TOKEN_2));
    VaultSecretProvider vault = h.provider(h.options().authentication(approle()).build());

    assertThat(text(h.fetch(vault, ref("vault://secret/openai/ci#api_key"), CTX).value())).isEqualTo(CANARY_VALUE);
    assertThat(logins.get()).isEqualTo(2);
  }

  @Test
  void fetch_403AfterFreshLogin_throwsAccessDeniedAfterOneRetry() {
    AtomicInteger logins = new AtomicInteger();
    h.vault.on("POST", "auth/approle/login", "app-role-login",
        r -> SpecDispatcher.json(200, login(logins.incrementAndGet() == 1 ? CANARY_TOKEN : CANARY_TOKEN_2, 3600, true)));
    readFor(Set.of());
    VaultSecretProvider vault = h.provider(h.options().authentication(approle()).build());

    Throwable t = h.check(catchThrowable(() -> h.fetch(vault, ref("vault://secret/openai/ci#api_key"), CTX)));

    assertThat(t).isInstanceOf(SecretAccessDeniedException.class).hasMessageContaining("permission denied");
    assertThat(logins.get()).isEqualTo(2);
    assertThat(h.vault.count("GET", "secret/data/openai/ci")).isEqualTo(2);
  }

  @Test
  void fetch_50ConcurrentResolvesWithNoTokenThenExpiredToken_logInOnceEach() throws Exception {
    AtomicInteger logins = new AtomicInteger();
    CountDownLatch release = new CountDownLatch(1);
    Set<String> valid = ConcurrentHashMap.newKeySet();
    h.vault.on("POST", "auth/approle/login", "app-role-login", r -> {
      try {
        release.await(20, TimeUnit.SECONDS); // hold the login until every worker is inside fetch
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      String token = logins.incrementAndGet() == 1 ? CANARY_TOKEN : CANARY_TOKEN_2;
      valid.add(token);
      return SpecDispatcher.json(200, login(token, 3600, true));
    });
    readFor(valid);
    VaultSecretProvider vault = h.provider(h.options().authentication(approle()).build());
    int threads = 16;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      assertThat(runConcurrently(vault, pool, threads, release)).allMatch(CANARY_VALUE::equals);
      assertThat(logins.get()).isEqualTo(1);

      // the token expires server-side: every worker gets a 403, one logs in again
      valid.remove(CANARY_TOKEN);
      CountDownLatch release2 = new CountDownLatch(1);
      h.vault.on("POST", "auth/approle/login", "app-role-login", r -> {
        try {
          release2.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        logins.incrementAndGet();
        valid.add(CANARY_TOKEN_2);
        return SpecDispatcher.json(200, login(CANARY_TOKEN_2, 3600, true));
      });
      assertThat(runConcurrently(vault, pool, threads, release2)).allMatch(CANARY_VALUE::equals);
      assertThat(logins.get()).isEqualTo(2);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void fetch_50ConcurrentResolvesDuringRenewal_renewOnceAndOthersNotBlocked() throws Exception {
    h.vault.on("POST", "auth/approle/login", "app-role-login", 200, login(CANARY_TOKEN, 600, true));
    CountDownLatch othersServed = new CountDownLatch(1 + 49); // the first resolve, then 49 during renewal
    java.util.concurrent.atomic.AtomicBoolean renewWaitedForOthers = new java.util.concurrent.atomic.AtomicBoolean();
    h.vault.on("GET", "secret/data/openai/ci", "kv-v2-read", r -> {
      othersServed.countDown();
      return SpecDispatcher.json(200, READ);
    });
    h.vault.on("POST", "auth/token/renew-self", "token-renew-self", r -> {
      try {
        // the renewal completes only after the 49 other resolves were served with the current token
        renewWaitedForOthers.set(othersServed.await(20, TimeUnit.SECONDS));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return SpecDispatcher.json(200, "{\"auth\":{\"client_token\":\"" + r.getHeaders().get("X-Vault-Token")
          + "\",\"lease_duration\":600,\"renewable\":true}}");
    });
    VaultSecretProvider vault = h.provider(h.options().authentication(approle()).build());
    h.fetch(vault, ref("vault://secret/openai/ci#api_key"), CTX);
    h.ticker.advance(Duration.ofSeconds(545)); // inside the renewal window, token still valid

    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<String>> results = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        results.add(pool.submit(() -> text(h.fetch(vault, ref("vault://secret/openai/ci#api_key"), CTX).value())));
      }
      for (Future<String> f : results) {
        assertThat(f.get(30, TimeUnit.SECONDS)).isEqualTo(CANARY_VALUE);
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(h.vault.count("POST", "auth/token/renew-self")).isEqualTo(1);
    assertThat(renewWaitedForOthers).as("49 resolves served while the renewal was in flight").isTrue();
    assertThat(vault.sessions().loginCount()).isEqualTo(1);
  }

  /** 50 fetches on {@code pool}; releases the login once every pool thread has started one. */
  private List<String> runConcurrently(VaultSecretProvider vault, ExecutorService pool, int threads,
      CountDownLatch release) throws Exception {
    CountDownLatch started = new CountDownLatch(threads);
    List<Future<String>> results = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      results.add(pool.submit(() -> {
        started.countDown();
        return text(h.fetch(vault, ref("vault://secret/openai/ci#api_key"), CTX).value());
      }));
    }
    assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();
    release.countDown();
    List<String> out = new ArrayList<>();
    for (Future<String> f : results) {
      out.add(f.get(30, TimeUnit.SECONDS));
    }
    return out;
  }

  @Test
  void close_loggedInToken_isRevoked() {
    h.vault.on("POST", "auth/approle/login", "app-role-login", 200, login(CANARY_TOKEN, 3600, true));
    h.vault.on("POST", "auth/token/revoke-self", "token-revoke-self", 204, null);
    readFor(Set.of(CANARY_TOKEN));
    VaultSecretProvider vault = h.provider(h.options().authentication(approle()).build());
    h.fetch(vault, ref("vault://secret/openai/ci#api_key"), CTX);

    vault.close();

    assertThat(h.vault.count("POST", "auth/token/revoke-self")).isEqualTo(1);
    assertThat(last("POST", "/auth/token/revoke-self").getHeaders().get("X-Vault-Token")).isEqualTo(CANARY_TOKEN);
  }

  @Test
  void close_revokeOnCloseOff_leavesTokenAlone() {
    h.vault.on("POST", "auth/approle/login", "app-role-login", 200, login(CANARY_TOKEN, 3600, true));
    readFor(Set.of(CANARY_TOKEN));
    VaultSecretProvider vault = h.provider(h.options().authentication(approle()).revokeOnClose(false).build());
    h.fetch(vault, ref("vault://secret/openai/ci#api_key"), CTX);

    vault.close();

    assertThat(h.vault.count("POST", "auth/token/revoke-self")).isZero();
  }

  @Test
  void options_toString_hideCredentials() {
    AppRoleAuthenticationOptions o = AppRoleAuthenticationOptions.builder().roleId(ROLE_ID).secretId(CANARY_SECRET_ID).build();
    TokenAuthenticationOptions t = TokenAuthenticationOptions.builder().token(CANARY_TOKEN).build();

    assertThat(o.toString()).doesNotContain(CANARY_SECRET_ID).doesNotContain(ROLE_ID);
    assertThat(t.toString()).doesNotContain(CANARY_TOKEN);
    assertThat(io.secretsdk.vault.auth.VaultToken.of(CANARY_TOKEN).toString()).doesNotContain(CANARY_TOKEN);
    assertThat(MockResponse.class).isNotNull();
  }
}
