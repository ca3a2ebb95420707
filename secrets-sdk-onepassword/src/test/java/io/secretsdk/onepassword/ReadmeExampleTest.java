package io.secretsdk.onepassword;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.Secret;
import io.secretsdk.SecretsClient;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the examples of README.md against MockWebServer and the fake op CLI,
 * and proves the "done when": {@code op://Prod/Stripe/credential} resolves from
 * configuration alone by either route.
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
}
