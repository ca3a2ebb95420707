package io.secretsdk.aws;

import static io.secretsdk.aws.AwsSecretsManagerProviderTest.CONTEXT;
import static io.secretsdk.aws.AwsSecretsManagerProviderTest.secretString;
import static io.secretsdk.aws.AwsSecretsManagerProviderTest.utf8;
import static io.secretsdk.aws.FakeSecretsManager.json;
import static io.secretsdk.aws.Leaks.CANARY_ACCESS_KEY;
import static io.secretsdk.aws.Leaks.CANARY_SECRET_KEY;
import static io.secretsdk.aws.Leaks.CANARY_VALUE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsdk.Secret;
import io.secretsdk.SecretConfigException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretsClient;
import io.secretsdk.spi.ProviderSettings;
import io.secretsdk.spi.SecretProvider;
import io.secretsdk.spi.SecretProviderFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
final class AwsSecretsManagerProviderFactoryTest {
  @StartStop final MockWebServer server = new MockWebServer();
  final FakeSecretsManager fake = new FakeSecretsManager();
  final LogCapture logs = new LogCapture();

  @BeforeEach
  void setUp() {
    server.setDispatcher(fake);
    // the SDK default chain reads these first: credentials without touching the real environment
    System.setProperty("aws.accessKeyId", CANARY_ACCESS_KEY);
    System.setProperty("aws.secretAccessKey", CANARY_SECRET_KEY);
  }

  @AfterEach
  void tearDown() {
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");
    logs.close();
    assertThat(fake.problems).isEmpty();
    Leaks.assertNoCanary(logs.text());
  }

  static SecretProviderFactory discovered() {
    return ServiceLoader.load(SecretProviderFactory.class).stream()
        .map(ServiceLoader.Provider::get)
        .filter(f -> f.scheme().equals("aws-sm"))
        .findFirst().orElseThrow();
  }

  @Test
  void create_fromConfigurationAlone_resolvesJsonKeyRef() {
    fake.on("GetSecretValue", c -> json(secretString("prod/stripe",
        "{\"api_key\":\"" + CANARY_VALUE + "\"}")));
    SecretProviderFactory factory = discovered();

    try (SecretProvider p = factory.create(ProviderSettings.of(
        Map.of("endpoint", server.url("/").toString(), "api_call_timeout", "PT5S"),
        name -> name.equals("AWS_REGION") ? "eu-central-1" : null))) {
      assertThat(p).isInstanceOf(AwsSecretsManagerProvider.class);
      assertThat(((AwsSecretsManagerProvider) p).options().apiCallTimeout())
          .isEqualTo(Duration.ofSeconds(5));
      assertThat(utf8(p.fetch(SecretRef.parse("aws-sm://prod/stripe#api_key"), CONTEXT)))
          .isEqualTo(CANARY_VALUE);
    }
    assertThat(fake.calls.get(0).region()).isEqualTo("eu-central-1");
    assertThat(fake.calls.get(0).accessKeyId()).isEqualTo(CANARY_ACCESS_KEY);
  }

  @Test
  void create_unknownOption_rejectedNamingIt() {
    assertThatThrownBy(() -> discovered().create(ProviderSettings.of(Map.of("regoin", "x"))))
        .isInstanceOf(SecretConfigException.class)
        .hasMessageContaining("aws-sm.regoin")
        .hasMessageContaining("unknown option");
  }

  @Test
  void create_invalidValues_rejectedWithoutEchoingThem() {
    for (Map<String, String> bad : List.<Map<String, String>>of(
        Map.of("region", CANARY_VALUE),
        Map.of("endpoint", "http://" + CANARY_VALUE + ".example.com/"),
        Map.of("endpoint", "https://user:" + CANARY_VALUE + "@example.com/"),
        Map.of("read_timeout", CANARY_VALUE),
        Map.of("connect_timeout", "0"))) {
      assertThatThrownBy(() -> discovered().create(ProviderSettings.of(bad)))
          .as(bad.keySet().toString())
          .isInstanceOf(SecretConfigException.class)
          .satisfies(e -> assertThat(e.getMessage()).contains("aws-sm." + bad.keySet().iterator().next()))
          .satisfies(Leaks::assertNoCanary);
    }
  }

  @Test
  void fromEnvironment_awsSmProvider_resolvesThroughSecretsClientAlone() {
    fake.on("GetSecretValue", c -> json(secretString("prod/stripe",
        "{\"api_key\":\"" + CANARY_VALUE + "\"}")));
    Map<String, String> env = Map.of(
        "SECRETS_SDK_PROVIDERS", "aws-sm",
        "SECRETS_SDK_ENV", "ci",
        "AWS_REGION", "eu-central-1",
        "AWS_ENDPOINT_URL_SECRETS_MANAGER", server.url("/").toString());

    try (SecretsClient client = SecretsClient.Builder.fromEnvironment(env).build();
        Secret secret = client.resolve("aws-sm://prod/stripe#api_key")) {
      assertThat(secret.reveal()).isEqualTo(CANARY_VALUE);
      assertThat(secret.toString()).doesNotContain(CANARY_VALUE);
    }
    assertThat(fake.calls).hasSize(1);
    assertThat(fake.calls.get(0).region()).isEqualTo("eu-central-1");
  }

  @Test
  void create_plainHttpEndpointFromEnvironment_rejectedNamingVariable() {
    assertThatThrownBy(() -> discovered().create(ProviderSettings.of(Map.of(),
        name -> name.equals("AWS_ENDPOINT_URL") ? "http://localstack.internal:4566" : null)))
        .isInstanceOf(SecretConfigException.class)
        .hasMessageContaining("AWS_ENDPOINT_URL_SECRETS_MANAGER")
        .hasMessageContaining("https");
  }
}
