package io.secretsdk.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.Secret;
import io.secretsdk.SecretsClient;
import io.secretsdk.identity.GitHubActionsTokenSource;
import io.secretsdk.spi.FetchContext;
import io.secretsdk.vault.auth.JwtAuthentication;
import io.secretsdk.vault.auth.JwtAuthenticationOptions;
import io.secretsdk.vault.auth.TokenAuthentication;
import io.secretsdk.vault.auth.TokenAuthenticationOptions;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs the examples of {@code README.md}: a GitHub Actions job resolving
 * {@code vault://secret/openai/ci#api_key} with OIDC (JWT) auth from configuration alone, against
 * MockWebServer standing in for Vault and for GitHub's token endpoint; and the {@code allowMount}
 * example; and the example of a user's own OkHttp client (a proxy and a tracing interceptor), whose
 * snippet region samples' {@code ReadmeSnippetsTest} compares with the README.
 */
@Timeout(30)
final class ReadmeExampleTest {
  private static final String OPENAI_KEY = "sk-proj-CANARYreadme0123456789abcdefABCDEF";
  private static final String REQUEST_TOKEN = "CANARY-actions-request-token-5be2";
  private static final String OIDC_JWT = new com.nimbusds.jwt.PlainJWT(new com.nimbusds.jwt.JWTClaimsSet.Builder()
      .subject("repo:acme/runner:ref:refs/heads/main").audience("https://vault.example.com")
      .expirationTime(new java.util.Date(System.currentTimeMillis() + 300_000)).build()).serialize();

  @StartStop private final MockWebServer vaultServer = new MockWebServer();
  @StartStop private final MockWebServer github = new MockWebServer();
  private VaultHarness h;
  private final List<String> githubSaw = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() {
    h = new VaultHarness(vaultServer);
    github.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest r) {
        githubSaw.add(r.getHeaders().get("Authorization") + " " + r.getUrl().queryParameter("audience"));
        return SpecDispatcher.json(200, "{\"count\":1,\"value\":\"" + OIDC_JWT + "\"}");
      }
    });
    h.vault.on("POST", "auth/jwt/login", "jwt-login", r -> {
      String body = r.getBody().utf8();
      return body.contains(OIDC_JWT) && body.contains("\"role\":\"ci\"")
          ? SpecDispatcher.json(200, "{\"auth\":{\"client_token\":\"hvs.CANARYtok3nReadme0123456789\",\"lease_duration\":900,\"renewable\":true}}")
          : SpecDispatcher.json(400, "{\"errors\":[\"bad login\"]}");
    });
    h.vault.on("GET", "sys/internal/ui/mounts/secret/openai/ci", "internal-ui-read-mount-information", 200,
        "{\"data\":{\"path\":\"secret/\",\"type\":\"kv\",\"options\":{\"version\":\"2\"}}}");
    h.vault.on("GET", "secret/data/openai/ci", "kv-v2-read", r ->
        "hvs.CANARYtok3nReadme0123456789".equals(r.getHeaders().get("X-Vault-Token"))
            ? SpecDispatcher.json(200, "{\"data\":{\"data\":{\"api_key\":\"" + OPENAI_KEY + "\"},"
                + "\"metadata\":{\"version\":3,\"created_time\":\"2026-01-01T00:00:00Z\",\"custom_metadata\":{\"owner\":\"ml\"}}}}")
            : SpecDispatcher.json(403, "{\"errors\":[\"permission denied\"]}"));
  }

  @AfterEach
  void tearDown() {
    h.close();
    assertThat(h.logs.all()).doesNotContain(OPENAI_KEY).doesNotContain(REQUEST_TOKEN).doesNotContain(OIDC_JWT);
  }

  /** The environment a GitHub Actions job with {@code id-token: write} would have, plus the README's settings. */
  private Map<String, String> jobEnvironment() {
    Map<String, String> env = new HashMap<>();
    env.put("CI", "true");
    env.put("ACTIONS_ID_TOKEN_REQUEST_URL", github.url("/_apis/token?api-version=2.0").toString());
    env.put("ACTIONS_ID_TOKEN_REQUEST_TOKEN", REQUEST_TOKEN);
    // the README's settings
    env.put("SECRETS_SDK_PROVIDERS", "vault");
    env.put("VAULT_ADDR", vaultServer.url("/").toString());
    env.put("SECRETS_SDK_VAULT_AUTH", "jwt");
    env.put("SECRETS_SDK_VAULT_ROLE", "ci");
    env.put("SECRETS_SDK_VAULT_JWT_AUDIENCE", "https://vault.example.com");
    return env;
  }

  @Test
  void readme_configurationOnly_resolvesOpenAiKeyWithGitHubActionsOidc() {
    Map<String, String> env = jobEnvironment();

    // README: SecretsClient.fromEnvironment() reads System.getenv(); the test passes the map instead
    try (SecretsClient client = SecretsClient.Builder.fromEnvironment(env).build();
         Secret apiKey = client.resolve("vault://secret/openai/ci#api_key")) {
      assertThat(apiKey.reveal()).isEqualTo(OPENAI_KEY);
      assertThat(apiKey.version()).contains("3");
      assertThat(apiKey.metadata()).containsEntry("custom_metadata.owner", "ml");
      assertThat(apiKey.toString()).doesNotContain(OPENAI_KEY);
    }

    assertThat(githubSaw).containsExactly("Bearer " + REQUEST_TOKEN + " https://vault.example.com");
    assertThat(h.vault.count("POST", "auth/jwt/login")).isEqualTo(1);
  }

  @Test
  void readme_builderExample_resolvesOpenAiKey() {
    Map<String, String> env = jobEnvironment();
    String vaultAddress = env.get("VAULT_ADDR");

    // README: GitHubActionsTokenSource.create("https://vault.example.com") reads the process
    // environment; the test injects the job's variables
    GitHubActionsTokenSource oidc = GitHubActionsTokenSource.builder()
        .audience("https://vault.example.com").environment(env::get).build();
    VaultOptions options = VaultOptions.builder()
        .address(vaultAddress)
        .authentication(JwtAuthentication.create(JwtAuthenticationOptions.builder()
            .role("ci")
            .tokenSource(oidc)
            .build()))
        .build();
    try (SecretsClient client = SecretsClient.builder().provider(VaultSecretProvider.create(options)).build();
         Secret apiKey = client.resolve("vault://secret/openai/ci#api_key")) {
      assertThat(apiKey.reveal()).isEqualTo(OPENAI_KEY);
    }
    assertThat(FetchContext.class).isNotNull();
  }

  @Test
  void readme_allowMountExample_resolvesCubbyholeAndStillRefusesAuth() {
    h.vault.on("GET", "auth/token/lookup-self", "token-look-up-self", 200, "{\"data\":{\"ttl\":900,\"renewable\":false}}");
    h.vault.on("GET", "sys/internal/ui/mounts/cubbyhole/app", "internal-ui-read-mount-information", 200,
        "{\"data\":{\"path\":\"cubbyhole/\",\"type\":\"cubbyhole\"}}");
    h.vault.on("GET", "cubbyhole/app", "kv-v1-read", 200, "{\"data\":{\"k\":\"" + OPENAI_KEY + "\"}}");

    // README: the token comes from VAULT_TOKEN; the test gives it literally
    VaultOptions options = VaultOptions.builder()
        .address(h.address())
        .authentication(TokenAuthentication.create(TokenAuthenticationOptions.builder().token(VaultHarness.CANARY_TOKEN).build()))
        .allowMount("cubbyhole") // vault://cubbyhole/... resolves; auth/, sys/, identity/, token/ stay refused
        .build();
    try (SecretsClient client = SecretsClient.builder().provider(VaultSecretProvider.create(options)).build()) {
      try (Secret s = client.resolve("vault://cubbyhole/app#k")) {
        assertThat(s.reveal()).isEqualTo(OPENAI_KEY);
      }
      assertThatThrownBy(() -> client.resolve("vault://auth/token/lookup-self#id"))
          .isInstanceOf(InvalidSecretRefException.class).hasMessageContaining("not a secrets engine");
    }
    assertThat(h.vault.count("GET", "auth/token/lookup-self")).as("the provider's own token lookup only").isEqualTo(1);
  }

  private final List<String> resolved = new CopyOnWriteArrayList<>();

  private void callOpenAi(String key) {
    resolved.add(key);
  }

  @Test
  void readme_ownHttpClientExample_resolvesThroughTheUsersProxy() {
    String vaultToken = "hvs.CANARY" + UUID.randomUUID().toString().replace("-", "");
    String traceId = "trace-" + UUID.randomUUID();
    h.vault.on("GET", "auth/token/lookup-self", "token-look-up-self", 200, "{\"data\":{\"ttl\":900,\"renewable\":false}}");
    h.vault.on("GET", "secret/data/openai/ci", "kv-v2-read", r -> vaultToken.equals(r.getHeaders().get("X-Vault-Token"))
        ? SpecDispatcher.json(200, "{\"data\":{\"data\":{\"api_key\":\"" + OPENAI_KEY + "\"},\"metadata\":{\"version\":3}}}")
        : SpecDispatcher.json(403, "{\"errors\":[\"permission denied\"]}"));
    // the mock server is the proxy; the address names a loopback port where nothing answers, so
    // the request can only succeed through the proxy
    String proxyHost = vaultServer.getHostName();
    int proxyPort = vaultServer.getPort();
    String vaultAddress = "http://localhost:1";

    // snippet:vault-http-client:start
    OkHttpClient corporate = new OkHttpClient.Builder()
        .proxy(new Proxy(Proxy.Type.HTTP, new InetSocketAddress(proxyHost, proxyPort))) // e.g. proxy.internal:3128
        .addInterceptor(chain -> chain.proceed(chain.request().newBuilder()
            .header("X-Trace-Id", traceId).build()))             // runs before the SDK's checks
        .build();
    VaultOptions options = VaultOptions.builder()
        .address(vaultAddress)                                    // e.g. https://vault.internal:8200
        .authentication(TokenAuthentication.create(TokenAuthenticationOptions.builder()
            .token(vaultToken).build()))
        .httpClient(corporate)                                    // redirect, origin and TLS checks still apply
        .build();
    try (SecretsClient client = SecretsClient.builder().provider(VaultSecretProvider.create(options)).build();
         Secret apiKey = client.resolve("vault://secret/openai/ci#api_key")) {
      callOpenAi(apiKey.reveal());
    }
    // snippet:vault-http-client:end

    try {
      assertThat(resolved).containsExactly(OPENAI_KEY);
      assertThat(h.vault.requests()).isNotEmpty().allSatisfy(r -> {
        assertThat(r.getRequestLine()).contains("http://localhost:1/v1/");
        assertThat(r.getHeaders().get("X-Trace-Id")).isEqualTo(traceId);
      });
      assertThat(corporate.dispatcher().executorService().isShutdown()).as("the user's client still runs").isFalse();
      assertThat(h.logs.all()).doesNotContain(vaultToken);
    } finally {
      corporate.dispatcher().executorService().shutdown();
      corporate.connectionPool().evictAll();
    }
  }
}
