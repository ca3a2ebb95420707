package io.secretsdk.aws;

import static io.secretsdk.aws.FakeSecretsManager.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretsClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Error codes and request ids are data from the server: whatever shape they take — a token of a
 * known format nobody registered, control characters (log injection), a very long string — no
 * exception message shows them as sent, and messages stay short and printable. Codes come in the
 * body's {@code __type}, in {@code X-Amzn-ErrorType} and in a batch answer's {@code Errors[]};
 * request ids in {@code x-amzn-RequestId} (HTTP forbids control characters there). Through a real
 * {@link SecretsClient}, every logger up and the output redacted.
 */
@Timeout(30)
final class HostileErrorStringsTest {
  private static final Pattern SHOWN = Pattern.compile("fp:[0-9a-f]{12}|<unrecognised error code>");

  @StartStop final MockWebServer server = new MockWebServer();
  @StartStop final MockWebServer stsServer = new MockWebServer();
  private RedactedFakes fakes;
  private SecretsClient client;

  @BeforeEach
  void setUp() {
    fakes = new RedactedFakes(server, stsServer);
    client = SecretsClient.builder()
        .provider(AwsSecretsManagerProvider.create(
            fakes.options().credentialsProvider(fakes.canaryCredentials()).build()))
        .retry(1, Duration.ofMillis(1), Duration.ofMillis(1), Duration.ofSeconds(1))
        .build();
  }

  @AfterEach
  void tearDown() {
    client.close();
    fakes.close();
  }

  private static boolean isToken(String shape) {
    return shape.endsWith("Token") || shape.endsWith("Key");
  }

  /** A hostile string of the given shape; token shapes are remembered as canaries. */
  private String hostile(String shape) {
    switch (shape) {
      case "githubToken":
        return fakes.canaries.alnum("ghp_", 36);
      case "awsAccessKey":
        return fakes.canaries.upper("AKIA", 16);
      case "controlChars":
        return "AccessDenied\u0007\u001b[31m\r\nINFO forged log line";
      default:
        return "A" + "x".repeat(10_000);
    }
  }

  /**
   * The message shows the string as a fingerprint (a token shape, which passes as an identifier)
   * or not at all (dropped as no identifier), and is short and printable.
   */
  private static void assertShownSafely(Throwable e, String hostile, boolean tokenShape) {
    String message = e.getMessage();
    // booleans, not contains(): a failure must not print the hostile string
    assertThat(message.contains(hostile.substring(0, 12))).as("the string as sent").isFalse();
    assertThat(message.chars().allMatch(ch -> ch >= 0x20 && ch != 0x7f)).as("printable").isTrue();
    assertThat(message.length()).as("bounded").isLessThan(400);
    if (tokenShape) {
      assertThat(SHOWN.matcher(message).find()).as("shown as a fingerprint").isTrue();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"githubToken", "awsAccessKey", "controlChars", "long"})
  void resolve_hostileErrorCodeInBody_neverShownAsSent(String shape) {
    String code = hostile(shape);
    ObjectNode body = Specs.JSON.createObjectNode().put("__type", code).put("Message", code);
    fakes.fake.on("GetSecretValue", c -> new MockResponse.Builder().code(403)
        .setHeader("Content-Type", FakeSecretsManager.JSON_11).body(body.toString()).build());

    Throwable e = catchThrowable(() -> client.resolve("aws-sm://prod/db"));

    assertThat(e).isInstanceOf(SecretAccessDeniedException.class).hasMessageContaining("aws-sm://prod/db");
    assertShownSafely(e, code, isToken(shape));
    fakes.canaries.assertAbsent("exception", Leaks.render(e));
  }

  @ParameterizedTest
  @ValueSource(strings = {"githubToken", "awsAccessKey", "long"})
  void resolve_hostileRequestIdAndErrorTypeHeader_neverShownAsSent(String shape) {
    String value = hostile(shape);
    fakes.fake.on("GetSecretValue", c -> new MockResponse.Builder().code(400)
        .setHeader("Content-Type", FakeSecretsManager.JSON_11)
        .setHeader("x-amzn-RequestId", value).setHeader("X-Amzn-ErrorType", value)
        .body("{}").build());

    Throwable e = catchThrowable(() -> client.resolve("aws-sm://prod/db"));

    assertThat(e).isInstanceOf(SecretException.class);
    assertShownSafely(e, value, isToken(shape));
    fakes.canaries.assertAbsent("exception", Leaks.render(e));
  }

  @ParameterizedTest
  @ValueSource(strings = {"githubToken", "awsAccessKey", "controlChars", "long"})
  void warmUp_hostileBatchErrorCodes_neverShownAsSent(String shape) {
    String code = hostile(shape);
    fakes.fake.on("BatchGetSecretValue", c -> {
      ObjectNode answer = Specs.JSON.createObjectNode();
      answer.putArray("SecretValues");
      c.body().get("SecretIdList").forEach(id -> answer.withArray("Errors").addObject()
          .put("SecretId", id.asText()).put("ErrorCode", code).put("Message", code));
      return json(answer);
    });
    List<SecretRef> refs = List.of(SecretRef.parse("aws-sm://prod/a"), SecretRef.parse("aws-sm://prod/b"));

    Map<SecretRef, SecretException> failures = client.warmUp(refs);

    assertThat(failures).containsOnlyKeys(refs);
    failures.forEach((ref, e) -> {
      assertThat(e).hasMessageContaining(ref.toString());
      assertShownSafely(e, code, true);
      fakes.canaries.assertAbsent("exception", Leaks.render(e));
    });
  }
}
