package io.secretsdk.onepassword;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.Secret;
import io.secretsdk.SecretsClient;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the examples of README.md against MockWebServer and the fake op CLI,
 * and proves the "done when": {@code op://Prod/Stripe/credential} resolves from
 * configuration alone by either route. The example of a user's own OkHttp client is a snippet region
 * that samples' {@code ReadmeSnippetsTest} compares with the README.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class ReadmeExampleTest {
  @StartStop final MockWebServer server = new MockWebServer();
  @TempDir Path dir;
  private ConnectSpecDispatcher dispatcher;
  private final Map<String, String> vars = new HashMap<>();

  @BeforeEach
  void setUp() throws Exception {
    Path specs = Specs.onePasswordDirOrNull();
    dispatcher = new ConnectSpecDispatcher(specs == null ? null
        : specs.resolve("connect-api-openapi-1.7.1.yaml"), ConnectProviderTest.TOKEN, false);
    dispatcher.handler(new FakeConnect().vault(ConnectProviderTest.VAULT, "Prod")
        .item(ConnectProviderTest.stripeItem()));
    server.setDispatcher(dispatcher);
    vars.put("PATH", FakeOp.write(dir).getParent() + ":/usr/bin:/bin");
  }

  @Test
  void readmeExample_explicitConnectProvider_resolves() {
    vars.put("OP_CONNECT_HOST", server.url("/").toString());
    vars.put("OP_CONNECT_TOKEN", ConnectProviderTest.TOKEN);
    Function<String, String> getenv = vars::get; // stands in for System::getenv
    String seen;

    // --- README example starts (System.getenv replaced by getenv) ---
    try (SecretsClient client = SecretsClient.builder()
            .provider(OnePasswordProvider.connect(OnePasswordConnectOptions.builder()
                .host(getenv.apply("OP_CONNECT_HOST"))      // e.g. http://localhost:8080
                .token(getenv.apply("OP_CONNECT_TOKEN"))
                .build()))
            .build();
         Secret stripe = client.resolve("op://Prod/Stripe/credential")) {
      seen = stripe.reveal(); // callStripe(stripe.reveal());
    }
    // --- README example ends ---

    assertThat(seen).isEqualTo(ConnectProviderTest.CANARY);
    assertThat(dispatcher.violations).isEmpty();
  }

  @Test
  void fromEnvironment_connectVariables_resolvesByConnect() {
    vars.put("SECRETS_SDK_PROVIDERS", "op");
    vars.put("OP_CONNECT_HOST", server.url("/").toString());
    vars.put("OP_CONNECT_TOKEN", ConnectProviderTest.TOKEN);
    try (SecretsClient client = SecretsClient.Builder.fromEnvironment(vars).build();
         Secret stripe = client.resolve("op://Prod/Stripe/credential")) {
      assertThat(stripe.reveal()).isEqualTo(ConnectProviderTest.CANARY);
      assertThat(stripe.toString()).doesNotContain(ConnectProviderTest.CANARY);
    }
    assertThat(dispatcher.requests).isNotEmpty();
    assertThat(dispatcher.violations).isEmpty();
  }

  @Test
  void fromEnvironment_serviceAccountToken_resolvesByCli() {
    vars.put("SECRETS_SDK_PROVIDERS", "op");
    vars.put("OP_SERVICE_ACCOUNT_TOKEN", CliProviderTest.TOKEN);
    try (SecretsClient client = SecretsClient.Builder.fromEnvironment(vars).build();
         Secret stripe = client.resolve("op://Prod/Stripe/credential")) {
      assertThat(stripe.reveal()).isEqualTo(FakeOp.VALUE);
    }
    assertThat(dispatcher.requests).isEmpty();
  }

  private final List<String> resolved = new CopyOnWriteArrayList<>();

  private void callStripe(String value) {
    resolved.add(value);
  }

  @Test
  void readmeExample_ownHttpClient_resolvesThroughTheUsersProxy() throws Exception {
    String connectToken = "op-token-" + UUID.randomUUID();
    String traceId = "trace-" + UUID.randomUUID();
    Path specs = Specs.onePasswordDirOrNull();
    ConnectSpecDispatcher withToken = new ConnectSpecDispatcher(specs == null ? null
        : specs.resolve("connect-api-openapi-1.7.1.yaml"), connectToken, false);
    withToken.handler(new FakeConnect().vault(ConnectProviderTest.VAULT, "Prod")
        .item(ConnectProviderTest.stripeItem()));
    server.setDispatcher(withToken);
    // the mock server is the proxy; the host names a loopback port where nothing answers, so
    // the request can only succeed through the proxy
    String proxyHost = server.getHostName();
    int proxyPort = server.getPort();
    String connectHost = "http://localhost:1";

    // snippet:op-http-client:start
    OkHttpClient corporate = new OkHttpClient.Builder()
        .proxy(new Proxy(Proxy.Type.HTTP, new InetSocketAddress(proxyHost, proxyPort))) // e.g. proxy.internal:3128
        .addInterceptor(chain -> chain.proceed(chain.request().newBuilder()
            .header("X-Trace-Id", traceId).build()))             // runs before the SDK's checks; never sees the token
        .build();
    try (SecretsClient client = SecretsClient.builder()
            .provider(OnePasswordProvider.connect(OnePasswordConnectOptions.builder()
                .host(connectHost)                                // e.g. http://localhost:8080
                .token(connectToken)
                .httpClient(corporate)                            // redirect, origin and TLS checks still apply
                .build()))
            .build();
         Secret stripe = client.resolve("op://Prod/Stripe/credential")) {
      callStripe(stripe.reveal());
    }
    // snippet:op-http-client:end

    try {
      assertThat(resolved).containsExactly(ConnectProviderTest.CANARY);
      assertThat(withToken.violations).isEmpty();
      assertThat(withToken.requests).isNotEmpty().allSatisfy(r -> {
        assertThat(r.getRequestLine()).contains("http://localhost:1/v1/");
        assertThat(r.getHeaders().get("X-Trace-Id")).isEqualTo(traceId);
        assertThat(r.getHeaders().get("Authorization")).isEqualTo("Bearer " + connectToken);
      });
      assertThat(corporate.dispatcher().executorService().isShutdown()).as("the user's client still runs").isFalse();
    } finally {
      corporate.dispatcher().executorService().shutdown();
      corporate.connectionPool().evictAll();
    }
  }
}
