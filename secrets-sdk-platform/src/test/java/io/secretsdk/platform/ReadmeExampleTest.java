package io.secretsdk.platform;

import static io.secretsdk.platform.Harness.secretPath;
import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.RunEnvironment;
import io.secretsdk.Secret;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretsClient;
import io.secretsdk.identity.IdentityTokenSource;
import io.secretsdk.spi.SecretDescription;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs the README's examples of the platform provider against the fake Secrets API, and keeps
 * each README snippet identical to its marked region here (indentation and blank lines aside).
 */
@Timeout(30)
final class ReadmeExampleTest {
  @StartStop private final MockWebServer server = new MockWebServer();
  private Harness h;
  private Leaks leaks;
  private final List<String> called = new ArrayList<>();

  @BeforeEach
  void setUp() {
    h = new Harness(server);
    leaks = new Leaks();
    leaks.watch("identity", h.identityToken);
  }

  @AfterEach
  void tearDown() {
    h.close();
    leaks.assertLogsClean();
    leaks.close();
  }

  private void callStripe(String key) {
    called.add(key);
  }

  @Test
  void readme_resolveExample_readsThroughTheExchangedToken() {
    String value = leaks.canary("stripe");
    h.platform.on("GET", secretPath("payments/prod/stripe/api-key"), 200, "{\"value\":\"" + value + "\",\"version\":\"3\"}");
    String platformUrl = server.url("/").toString();
    IdentityTokenSource githubOidc = h.source; // README: GitHubActionsTokenSource.create("https://secrets.internal.example")

    // snippet:platform-resolve:start
    try (SecretsClient client = SecretsClient.builder()
            .provider(PlatformSecretProvider.create(PlatformOptions.builder()
                .baseUrl(platformUrl)                                  // e.g. https://secrets.internal.example
                .authentication(PlatformAuthentication.oidc(githubOidc, "github"))
                .build()))
            .environment(RunEnvironment.PROD)
            .build();
         Secret stripe = client.resolve("secret://payments/prod/stripe/api-key")) {
      callStripe(stripe.reveal());
    }
    // snippet:platform-resolve:end

    assertThat(called).containsExactly(value);
    assertThat(h.platform.exchanges.get()).isEqualTo(1);
  }

  @Test
  void readme_placementExample_writesWithTheRequiredMetadataAndDescribes() throws Exception {
    String platformUrl = server.url("/").toString();
    IdentityTokenSource githubOidc = h.source;
    byte[] newKey = leaks.canary("new-key").getBytes(StandardCharsets.UTF_8);
    String name = "enterprise-platform/prod/openai_api_key";
    h.platform.on("POST", "/secrets", 201, "{\"name\":\"" + name + "\",\"version\":\"8\"}");
    h.platform.on("GET", secretPath(name, "versions"), 200, "{\"current_version\":\"8\",\"versions\":["
        + "{\"id\":\"8\",\"state\":\"active\"},{\"id\":\"7\",\"state\":\"active\"}]}");
    h.platform.on("GET", "/audit", 200, "{\"events\":[{\"id\":\"e1\",\"action\":\"write\",\"secret\":\"" + name + "\"}]}");

    // snippet:platform-placement:start
    try (PlatformSecretProvider platform = PlatformSecretProvider.create(PlatformOptions.builder()
        .baseUrl(platformUrl)
        .authentication(PlatformAuthentication.oidc(githubOidc, "github"))
        .build())) {
      SecretRef ref = SecretRef.parse("secret://enterprise-platform/prod/openai_api_key");
      String version = platform.write(ref, newKey, PlacementMetadata.builder()
          .owner("platform-team").source("ci").workflow("deploy").rotationDays(30)
          .build(), null);                                         // POST /secrets; refused before any call if one is missing
      SecretDescription history = platform.describe(ref);          // GET /secrets/{name}/versions
      List<PlatformAuditEvent> events = platform.audit(ref);       // GET /audit?subject=secret
      // snippet:platform-placement:end
      assertThat(version).isEqualTo("8");
      assertThat(history.current()).contains("8");
      assertThat(events).hasSize(1);
    }
    assertThat(FakePlatform.body(h.platform.to("POST", "/secrets").get(0)).path("rotation_days").asInt()).isEqualTo(30);
  }

  @Test
  void readmeSnippets_matchTheCodeThatRuns() throws Exception {
    Path self = Path.of("src/test/java/io/secretsdk/platform/ReadmeExampleTest.java");
    String readme = Files.readString(Path.of("..", "README.md"));
    for (String name : List.of("platform-resolve", "platform-placement")) {
      Matcher m = Pattern.compile("<!-- snippet:" + Pattern.quote(name) + "[^>]*-->\\s*```java\\n(.*?)```",
          Pattern.DOTALL).matcher(readme);
      assertThat(m.find()).as("README.md has snippet " + name).isTrue();
      String src = Files.readString(self);
      int start = src.indexOf("// snippet:" + name + ":start");
      int end = src.indexOf("// snippet:" + name + ":end");
      assertThat(normalize(m.group(1))).as(name).isEqualTo(normalize(src.substring(src.indexOf('\n', start) + 1, end)));
    }
  }

  private static String normalize(String code) {
    StringBuilder sb = new StringBuilder();
    for (String line : code.split("\n")) {
      if (!line.isBlank()) {
        sb.append(line.strip()).append('\n');
      }
    }
    return sb.toString();
  }
}
