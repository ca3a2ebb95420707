package io.secretsdk.onepassword;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.RunEnvironment;
import io.secretsdk.SecretRef;
import io.secretsdk.spi.FetchContext;
import io.secretsdk.spi.FetchResult;
import io.secretsdk.spi.ProviderSettings;
import io.secretsdk.spi.SecretProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Runs the example of docs/readme-onepassword.md against MockWebServer. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class ReadmeExampleTest {
  @StartStop final MockWebServer server = new MockWebServer();

  @Test
  void readmeExample_resolvesFromConnectByBothRoutes() throws Exception {
    Path specs = Specs.onePasswordDirOrNull();
    ConnectSpecDispatcher dispatcher = new ConnectSpecDispatcher(specs == null ? null
        : specs.resolve("connect-api-openapi-1.7.1.yaml"), ConnectProviderTest.TOKEN, false);
    dispatcher.handler(new FakeConnect().vault(ConnectProviderTest.VAULT, "Prod")
        .item(ConnectProviderTest.stripeItem()));
    server.setDispatcher(dispatcher);
    Map<String, String> vars = Map.of(
        "OP_CONNECT_HOST", server.url("/").toString(),
        "OP_CONNECT_TOKEN", ConnectProviderTest.TOKEN);
    Function<String, String> getenv = vars::get; // stands in for System::getenv

    // --- README example starts (System.getenv replaced by getenv) ---
    OnePasswordProvider onePassword = OnePasswordProvider.connect(OnePasswordConnectOptions.builder()
        .host(getenv.apply("OP_CONNECT_HOST"))      // e.g. http://localhost:8080
        .token(getenv.apply("OP_CONNECT_TOKEN"))
        .build());
    // or from the environment alone: Connect when OP_CONNECT_HOST/OP_CONNECT_TOKEN are set,
    // else the op CLI with OP_SERVICE_ACCOUNT_TOKEN
    SecretProvider fromEnvironment =
        new OnePasswordProviderFactory().create(ProviderSettings.of(Map.of(), getenv));

    SecretRef ref = SecretRef.parse("op://Prod/Stripe/credential");
    String viaOptions;
    String viaFactory;
    try (onePassword; fromEnvironment) {
      FetchResult a = onePassword.fetch(ref, FetchContext.of(RunEnvironment.LOCAL));
      FetchResult b = fromEnvironment.fetch(ref, FetchContext.of(RunEnvironment.LOCAL));
      viaOptions = new String(a.value(), StandardCharsets.UTF_8);
      viaFactory = new String(b.value(), StandardCharsets.UTF_8);
      a.wipe();
      b.wipe();
    }
    // --- README example ends ---

    assertThat(viaOptions).isEqualTo(ConnectProviderTest.CANARY);
    assertThat(viaFactory).isEqualTo(ConnectProviderTest.CANARY);
    assertThat(dispatcher.violations).isEmpty();
  }
}
