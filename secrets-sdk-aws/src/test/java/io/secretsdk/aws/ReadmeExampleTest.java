package io.secretsdk.aws;

import static io.secretsdk.aws.AwsSecretsManagerProviderTest.secretString;
import static io.secretsdk.aws.FakeSecretsManager.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.Secret;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretsClient;
import io.secretsdk.spi.RevokeRequest;
import io.secretsdk.spi.RevokeResult;
import io.secretsdk.spi.SecretDescription;
import io.secretsdk.spi.SecretVersionInfo;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
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

  /** The README's operator example, verbatim between the markers. */
  static void operator(AwsSecretsManagerProvider provider, byte[] newValue, PrintStream out) {
    // --- readme-aws-operator example start
    SecretRef ref = SecretRef.parse("aws-sm://prod/stripe");
    SecretDescription d = provider.describe(ref);     // DescribeSecret + ListSecretVersionIds
    for (SecretVersionInfo v : d.versions()) {
      out.println(v.version() + " " + v.stages() + " " + v.state());
    }
    String next = provider.write(ref, newValue, d.currentVersion()); // compare-and-set
    RevokeResult r = provider.revoke(ref,                             // the old version: labels off
        new RevokeRequest(d.currentVersion(), RevokeRequest.Mode.DISABLE, null));
    r.steps().forEach(out::println);
    // --- readme-aws-operator example end
    out.println("new " + next.length());
  }

  @Test
  void readmeOperatorExample_describeWriteRevoke_printsStagesAndSteps() {
    FakeSecretsManager fake = new FakeSecretsManager();
    server.setDispatcher(fake);
    Canaries canaries = new Canaries();
    StagedSecretFake secret = new StagedSecretFake(fake)
        .version("a1b2c3d4-0000-4000-8000-000000000001", "AWSPREVIOUS")
        .version("a1b2c3d4-0000-4000-8000-000000000002", "AWSCURRENT");
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    String newValue = canaries.alnum("sk_live_", 24);
    try (AwsSecretsManagerProvider provider = AwsSecretsManagerProvider.create(AwsSecretsManagerOptions.builder()
        .region("eu-west-1").endpointOverride(server.url("/").uri())
        .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
            software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(canaries.upper("AKIA", 16),
                canaries.alnum("sk", 38)))).build())) {
      operator(provider, newValue.getBytes(StandardCharsets.UTF_8), new PrintStream(printed, true, StandardCharsets.UTF_8));
    }

    String shown = printed.toString(StandardCharsets.UTF_8);
    assertThat(shown).isEqualTo("a1b2c3d4-0000-4000-8000-000000000002 [AWSCURRENT] ENABLED\n"
        + "a1b2c3d4-0000-4000-8000-000000000001 [AWSPREVIOUS] ENABLED\n"
        + "read stages of aws-sm://prod/stripe\n"
        + "removed AWSPREVIOUS from version a1b2c3d4-0000-4000-8000-000000000002\n"
        + "new 36\n");
    canaries.assertAbsent("printed output", shown);
    assertThat(fake.problems).isEmpty();
    assertThat(secret.holder("AWSPREVIOUS")).isNull();
  }

  @Test
  void readmeDoc_containsTheTestedOperatorExample() throws Exception {
    String text = Files.readString(Path.of("../README.md"));
    String source = Files.readString(Path.of("src/test/java/io/secretsdk/aws/ReadmeExampleTest.java"));
    String example = source.substring(source.indexOf("// --- readme-aws-operator example start") + 41,
        source.indexOf("    // --- readme-aws-operator example end"));
    for (String line : example.strip().split("\n")) {
      assertThat(text).as("README.md shows the tested operator example").contains(line.strip());
    }
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
