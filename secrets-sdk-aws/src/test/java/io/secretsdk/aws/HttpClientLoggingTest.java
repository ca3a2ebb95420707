package io.secretsdk.aws;

import static io.secretsdk.aws.AwsSecretsManagerProviderTest.secretString;
import static io.secretsdk.aws.FakeSecretsManager.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import ch.qos.logback.classic.spi.ILoggingEvent;
import io.secretsdk.Secret;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretsClient;
import java.util.List;
import java.util.logging.Level;
import java.util.stream.Collectors;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * The HTTP client logs neither headers nor bodies, whatever the logging configuration: with every
 * logger up — Logback's root and {@code org.apache.http} at TRACE, java.util.logging (where Apache
 * HttpClient's commons-logging writes) at ALL, {@code org.apache.http.wire} and
 * {@code org.apache.http.headers} set to ALL by name — a value read, a denial whose body echoes
 * the session token, and a batch leave no value and no credential in any raw event of
 * {@code org.apache.http.*}, none in anything but the SDK signer's DEBUG events, and none in the
 * redacted output. Apache's own DEBUG lines do arrive, so the loggers were live.
 */
@Timeout(30)
final class HttpClientLoggingTest {
  private static final List<String> APACHE_CONTENT_LOGGERS = List.of("org.apache.http.wire", "org.apache.http.headers");

  @StartStop final MockWebServer server = new MockWebServer();
  @StartStop final MockWebServer stsServer = new MockWebServer();
  private RedactedFakes fakes;
  private LogCapture raw;
  private final List<java.util.logging.Logger> julLoggers = APACHE_CONTENT_LOGGERS.stream()
      .map(java.util.logging.Logger::getLogger).collect(Collectors.toList());
  private String sessionToken;

  @BeforeEach
  void setUp() {
    fakes = new RedactedFakes(server, stsServer);
    raw = new LogCapture();
    julLoggers.forEach(l -> l.setLevel(Level.ALL));
  }

  @AfterEach
  void tearDown() {
    julLoggers.forEach(l -> l.setLevel(null));
    raw.close();
    fakes.close();
  }

  @Test
  void resolveDenialAndBatch_everyLoggerUp_noValueNorCredentialInApacheLogs() {
    Canaries c = fakes.canaries;
    String value = c.alnum("val", 30);
    sessionToken = c.alnum("st", 120);
    fakes.fake.on("GetSecretValue", call -> json(secretString(call.body().get("SecretId").asText(), value)));
    fakes.fake.on("BatchGetSecretValue", call -> {
      var answer = Specs.JSON.createObjectNode();
      call.body().get("SecretIdList").forEach(id -> answer.withArray("SecretValues")
          .add(secretString(id.asText(), value)));
      answer.putArray("Errors");
      return json(answer);
    });
    try (SecretsClient client = SecretsClient.builder()
        .provider(AwsSecretsManagerProvider.create(fakes.options().credentialsProvider(
            StaticCredentialsProvider.create(AwsSessionCredentials.create(
                c.upper("ASIA", 16), c.alnum("sk", 38), sessionToken))).build()))
        .build()) {
      try (Secret s = client.resolve("aws-sm://prod/one")) {
        Canaries.assertSame("the value", s.reveal(), value);
      }
      assertThat(client.warmUp(List.of(SecretRef.parse("aws-sm://prod/a"), SecretRef.parse("aws-sm://prod/b"))))
          .isEmpty();
      fakes.fake.on("GetSecretValue", call -> new MockResponse.Builder().code(403)
          .setHeader("Content-Type", FakeSecretsManager.JSON_11)
          .body("{\"__type\":\"AccessDeniedException\",\"Message\":\"token " + sessionToken
              + " may not read " + value + "\"}").build());
      Throwable e = catchThrowable(() -> client.resolve("aws-sm://prod/denied"));
      assertThat(e).isInstanceOf(SecretAccessDeniedException.class);
      c.assertAbsent("exception", Leaks.render(e));
    }

    List<ILoggingEvent> events = raw.events();
    String apache = events.stream().filter(e -> e.getLoggerName().startsWith("org.apache.http"))
        .map(ILoggingEvent::getFormattedMessage).collect(Collectors.joining("\n"));
    assertThat(apache).as("Apache HttpClient's DEBUG lines arrived").isNotEmpty();
    c.assertAbsent("Apache HttpClient's raw log events", apache);
    assertThat(events).as("nothing logged as wire or headers")
        .noneMatch(e -> APACHE_CONTENT_LOGGERS.stream().anyMatch(e.getLoggerName()::startsWith));
    // the SDK signer logs the session token at DEBUG (masked by the encoder); nothing else may
    c.assertAbsent("raw log events but the SDK signer's", raw.textOutsideSdkSignerDebug());
  }
}
