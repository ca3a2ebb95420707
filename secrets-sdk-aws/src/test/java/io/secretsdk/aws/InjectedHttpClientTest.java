package io.secretsdk.aws;

import static io.secretsdk.aws.AwsSecretsManagerProviderTest.secretString;
import static io.secretsdk.aws.FakeSecretsManager.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.Secret;
import io.secretsdk.SecretsClient;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;

/**
 * A caller's own {@link SdkHttpClient} ({@code AwsSecretsManagerOptions.Builder.httpClient}) carries
 * every call, is used as given, and is still the caller's after the provider is closed; the
 * README's example of it runs here.
 */
@Timeout(30)
final class InjectedHttpClientTest {
  @StartStop final MockWebServer server = new MockWebServer();

  /** A caller's client that counts the requests it carries and whether it was closed. */
  private static final class Counting implements SdkHttpClient {
    final SdkHttpClient delegate = UrlConnectionHttpClient.create();
    final AtomicInteger requests = new AtomicInteger();
    final AtomicBoolean closed = new AtomicBoolean();

    @Override
    public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
      requests.incrementAndGet();
      return delegate.prepareRequest(request);
    }

    @Override
    public void close() {
      closed.set(true);
      delegate.close();
    }
  }

  private static StaticCredentialsProvider credentials() {
    return StaticCredentialsProvider.create(AwsBasicCredentials.create(
        "AKIA" + UUID.randomUUID().toString().replace("-", "").substring(0, 16).toUpperCase(java.util.Locale.ROOT),
        UUID.randomUUID().toString()));
  }

  @Test
  void givenClient_carriesEveryCall_andIsNotClosedWithTheProvider() {
    String value = "v-" + UUID.randomUUID();
    FakeSecretsManager fake = new FakeSecretsManager()
        .on("GetSecretValue", c -> json(secretString("prod/db", value)));
    server.setDispatcher(fake);
    Counting mine = new Counting();
    try {
      AwsSecretsManagerOptions options = AwsSecretsManagerOptions.builder()
          .region("us-east-1").endpointOverride(server.url("/").uri())
          .credentialsProvider(credentials()).httpClient(mine).build();
      try (SecretsClient client = SecretsClient.builder()
              .provider(AwsSecretsManagerProvider.create(options)).build();
           Secret s = client.resolve("aws-sm://prod/db?region=eu-west-1")) {
        assertThat(s.reveal()).isEqualTo(value);
        try (Secret again = client.resolve("aws-sm://prod/db")) { // a second region, a second SDK client
          assertThat(again.reveal()).isEqualTo(value);
        }
      }

      assertThat(mine.requests.get()).as("requests carried by the given client").isEqualTo(server.getRequestCount())
          .isEqualTo(2);
      assertThat(mine.closed).as("closed by the provider").isFalse();
      assertThat(fake.problems).isEmpty();
      assertThat(options.httpClient()).containsSame(mine);
      assertThat(options.toString()).contains("httpClient=custom(Counting)");
    } finally {
      mine.close();
    }
  }

  @Test
  void noClientGiven_theProvidersOwnIsUsed() {
    AwsSecretsManagerOptions options = AwsSecretsManagerOptions.builder().region("us-east-1").build();

    assertThat(options.httpClient()).isEmpty();
    assertThat(options.toString()).doesNotContain("httpClient");
  }

  /** Stands in for the vendor SDK call the runner makes with the key. */
  private static String callStripe(char[] apiKey) {
    return new String(apiKey);
  }

  /** The README example, verbatim between the markers. */
  private static String readme(URI endpoint) {
    // --- readme-aws-http-client example start
    SdkHttpClient mine = UrlConnectionHttpClient.builder()
        .connectionTimeout(Duration.ofSeconds(3))
        .build();
    try (SecretsClient client = SecretsClient.builder()
            .provider(AwsSecretsManagerProvider.create(AwsSecretsManagerOptions.builder()
                .region("eu-west-1")
                .endpointOverride(endpoint) // tests only: production uses the regional endpoint
                .httpClient(mine)           // used as given: the provider never closes it
                .build()))
            .build();
        Secret apiKey = client.resolve("aws-sm://prod/stripe#api_key")) {
      return apiKey.useChars(key -> callStripe(key));
    } finally {
      mine.close();                         // yours to close, after the provider
    }
    // --- readme-aws-http-client example end
  }

  @Test
  void readmeExample_ownHttpClient_resolves() {
    String key = "sk_test_" + UUID.randomUUID().toString().replace("-", "");
    FakeSecretsManager fake = new FakeSecretsManager()
        .on("GetSecretValue", c -> json(secretString("prod/stripe", "{\"api_key\":\"" + key + "\"}")));
    server.setDispatcher(fake);
    System.setProperty("aws.accessKeyId", "AKIAEXAMPLEREADME02");
    System.setProperty("aws.secretAccessKey", UUID.randomUUID().toString());
    try {
      assertThat(readme(server.url("/").uri())).isEqualTo(key);
      assertThat(fake.problems).isEmpty();
      assertThat(fake.calls.get(0).region()).isEqualTo("eu-west-1");
    } finally {
      System.clearProperty("aws.accessKeyId");
      System.clearProperty("aws.secretAccessKey");
    }
  }

  @Test
  void readmeDoc_containsTheTestedExample() throws Exception {
    String text = Files.readString(Path.of("../README.md"));
    String source = Files.readString(Path.of("src/test/java/io/secretsdk/aws/InjectedHttpClientTest.java"));
    String start = "// --- readme-aws-http-client example start";
    String example = source.substring(source.indexOf(start) + start.length(),
        source.indexOf("    // --- readme-aws-http-client example end"));
    assertThat(normalize(text)).as("README.md shows the tested example, line for line").contains(normalize(example));
  }

  /** Lines stripped of indentation, blank ones dropped. */
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
