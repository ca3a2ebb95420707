package io.secretsdk.aws;

import static io.secretsdk.aws.AwsSecretsManagerProviderTest.secretString;
import static io.secretsdk.aws.FakeSecretsManager.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.Secret;
import io.secretsdk.SecretsClient;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Runs the example of README.md against MockWebServer and checks the doc still shows it. */
@Timeout(30)
final class ReadmeExampleTest {
  @StartStop final MockWebServer server = new MockWebServer();

  @AfterEach
  void tearDown() {
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");
  }

  /** Stands in for the vendor SDK call the runner makes with the key. */
  static String callStripe(char[] apiKey) {
    return new String(apiKey);
  }

  /** The README example, verbatim between the markers. */
  static String readme(URI endpoint) {
    // --- readme-aws example start
    try (SecretsClient client = SecretsClient.builder()
            .provider(AwsSecretsManagerProvider.create(AwsSecretsManagerOptions.builder()
                .region("eu-west-1")
                .endpointOverride(endpoint) // tests only: production uses the regional endpoint
                .build()))
            .build();
        Secret apiKey = client.resolve("aws-sm://prod/stripe#api_key")) {
      return apiKey.useChars(key -> callStripe(key));
    }
    // --- readme-aws example end
  }

  @Test
  void readmeExample_againstMockWebServer_resolvesJsonKey() throws Exception {
    FakeSecretsManager fake = new FakeSecretsManager()
        .on("GetSecretValue", c -> json(secretString("prod/stripe", "{\"api_key\":\"sk_test_123\"}")));
    server.setDispatcher(fake);
    System.setProperty("aws.accessKeyId", "AKIAEXAMPLEREADME01");
    System.setProperty("aws.secretAccessKey", "example-secret-key-for-readme-test");

    assertThat(readme(server.url("/").uri())).isEqualTo("sk_test_123");
    assertThat(fake.problems).isEmpty();
    assertThat(fake.calls.get(0).region()).isEqualTo("eu-west-1");
  }

  @Test
  void readmeDoc_containsTheTestedExample() throws Exception {
    Path doc = Path.of("../README.md");
    String text = Files.readString(doc);
    String source = Files.readString(Path.of(
        "src/test/java/io/secretsdk/aws/ReadmeExampleTest.java"));
    String example = source.substring(source.indexOf("// --- readme-aws example start") + 32,
        source.indexOf("    // --- readme-aws example end"));
    for (String line : example.strip().split("\n")) {
      assertThat(text).as("README.md shows the tested example").contains(line.strip());
    }
  }
}
