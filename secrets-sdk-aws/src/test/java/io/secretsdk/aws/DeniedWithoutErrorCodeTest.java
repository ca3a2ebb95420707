package io.secretsdk.aws;

import static io.secretsdk.aws.AwsSecretsManagerProviderTest.secretString;
import static io.secretsdk.aws.FakeSecretsManager.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.secretsdk.Secret;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretsClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Regression tests for a 401 or 403 without an AWS error code, as proxies, gateways and emulators
 * answer: it used to become a plain {@code SecretException}, and a batch so denied did not fall
 * back to one read per secret. Through a real {@link SecretsClient} with retries, every logger up
 * and the output redacted; credentials and values are canaries made at run time.
 */
@Timeout(30)
final class DeniedWithoutErrorCodeTest {
  private static final List<SecretRef> REFS =
      List.of(SecretRef.parse("aws-sm://app/a"), SecretRef.parse("aws-sm://app/b#k"));

  @StartStop final MockWebServer server = new MockWebServer();
  @StartStop final MockWebServer stsServer = new MockWebServer();
  private RedactedFakes fakes;
  private String value;
  private SecretsClient client;

  @BeforeEach
  void setUp() {
    fakes = new RedactedFakes(server, stsServer);
    value = fakes.canaries.alnum("val", 30);
    client = SecretsClient.builder()
        .provider(AwsSecretsManagerProvider.create(
            fakes.options().credentialsProvider(fakes.canaryCredentials()).build()))
        .retry(3, Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofSeconds(5)).build();
  }

  @AfterEach
  void tearDown() {
    client.close();
    fakes.close();
  }

  /** A denial without a code: no body, a proxy's HTML page, or JSON without {@code __type}. */
  private static MockResponse denied(int status, String shape) {
    MockResponse.Builder b = new MockResponse.Builder().code(status);
    switch (shape) {
      case "html":
        return b.setHeader("Content-Type", "text/html").body("<html><body>Forbidden</body></html>").build();
      case "json":
        return b.setHeader("Content-Type", FakeSecretsManager.JSON_11).body("{\"message\":\"Forbidden\"}").build();
      default:
        return b.build();
    }
  }

  private void answerSecrets() {
    fakes.fake.on("GetSecretValue", c -> {
      String id = c.body().get("SecretId").asText();
      return json(secretString(id, id.endsWith("b") ? "{\"k\":\"" + value + "\"}" : value));
    });
  }

  @ParameterizedTest
  @CsvSource({"401,empty", "403,empty", "403,html", "401,json", "403,json"})
  void resolve_deniedWithoutErrorCode_isAccessDeniedAndNotRetried(int status, String shape) {
    fakes.fake.on("GetSecretValue", c -> denied(status, shape));

    Throwable e = catchThrowable(() -> client.resolve(REFS.get(0)));

    assertThat(e).isInstanceOf(SecretAccessDeniedException.class)
        .hasMessageContaining("access denied").hasMessageContaining("HTTP " + status);
    fakes.canaries.assertAbsent("exception", Leaks.render(e));
    assertThat(fakes.fake.calls("GetSecretValue")).as("a denial is not retried").hasSize(1);
  }

  @ParameterizedTest
  @CsvSource({"401,empty", "403,html", "403,json"})
  void warmUp_batchDeniedWithoutErrorCode_fallsBackToSingleReads(int status, String shape) {
    fakes.fake.on("BatchGetSecretValue", c -> denied(status, shape));
    answerSecrets();

    Map<SecretRef, SecretException> failures = client.warmUp(REFS);

    assertThat(failures).isEmpty();
    assertThat(fakes.fake.calls("BatchGetSecretValue")).hasSize(1);
    assertThat(fakes.fake.calls("GetSecretValue")).hasSize(2);
    for (SecretRef ref : REFS) {
      try (Secret s = client.resolve(ref)) {
        assertThat(s.reveal()).isEqualTo(value);
      }
    }
    assertThat(fakes.fake.calls("GetSecretValue")).as("served from the warmed cache").hasSize(2);
  }

  @Test
  void warmUp_batchAndSingleReadsDeniedWithoutErrorCode_eachRefAccessDenied() {
    fakes.fake.on("BatchGetSecretValue", c -> denied(403, "empty"));
    fakes.fake.on("GetSecretValue", c -> denied(403, "html"));

    Map<SecretRef, SecretException> failures = client.warmUp(REFS);

    assertThat(failures).containsOnlyKeys(REFS)
        .allSatisfy((ref, e) -> assertThat(e).isInstanceOf(SecretAccessDeniedException.class)
            .hasMessageContaining(ref.toString()).hasMessageContaining("HTTP 403"));
    failures.values().forEach(e -> fakes.canaries.assertAbsent("exception", Leaks.render(e)));
    assertThat(fakes.fake.calls("GetSecretValue")).hasSize(2);
  }
}
