package io.secretsdk.aws;

import static io.secretsdk.aws.AwsSecretsManagerProviderTest.CONTEXT;
import static io.secretsdk.aws.FakeSecretsManager.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretRef;
import io.secretsdk.identity.IdentityToken;
import io.secretsdk.redact.RedactionIndex;
import io.secretsdk.spi.FetchResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * Every AWS credential the provider uses is registered before the SDK signs with it: with every
 * logger at TRACE (the SDK's SigV4 signer logs its canonical request, {@code x-amz-security-token}
 * included) and java.util.logging bridged (Apache HttpClient logs through it; the JDK's
 * {@code HttpURLConnection}, which the default chain uses for the container endpoint, dumps the
 * request headers), the output written through the {@code RedactingEncoder} holds masks where
 * the credentials were and no credential in any form.
 */
@Timeout(30)
final class CredentialRedactionTest {
  static final String SESSION_MASK = "[REDACTED:credential://aws/session-token]";
  static final String ACCESS_KEY_MASK = "[REDACTED:credential://aws/access-key-id]";

  @StartStop final MockWebServer sm = new MockWebServer();
  @StartStop final MockWebServer stsServer = new MockWebServer();
  @StartStop final MockWebServer container = new MockWebServer();
  RedactedFakes fakes;
  FakeSecretsManager fake;
  FakeSts sts;
  Canaries canaries;
  RedactedLogs logs;
  String value;
  LogCapture raw;
  AwsSecretsManagerProvider provider;

  @BeforeEach
  void setUp() {
    fakes = new RedactedFakes(sm, stsServer);
    fake = fakes.fake;
    sts = fakes.sts;
    canaries = fakes.canaries;
    logs = fakes.logs;
    value = canaries.alnum("val", 24);
    ObjectNode answer = SpecShapes.getSecretValue();
    answer.put("SecretString", value);
    fake.on("GetSecretValue", c -> json(answer));
    raw = new LogCapture();
  }

  @AfterEach
  void tearDown() {
    if (provider != null) {
      provider.close();
    }
    raw.close();
    fakes.close();
  }

  private AwsSecretsManagerOptions.Builder options() {
    return fakes.options();
  }

  private void fetchOnce() {
    FetchResult r = provider.fetch(SecretRef.parse("aws-sm://MyTestDatabaseSecret"), CONTEXT);
    Canaries.assertSame("the value fetched", AwsSecretsManagerProviderTest.utf8(r), value);
  }

  /**
   * The mask follows the header name in the signer's canonical request; the HTTP client dumps no
   * request header at all (its connections hold no logger), with Apache's loggers at DEBUG.
   */
  static void assertSessionTokenMaskedInSignerAndNoHeaderDump(String out) {
    // booleans, not contains(): a failure must not print the output it searched
    assertThat(out.contains("x-amz-security-token:" + SESSION_MASK))
        .as("the signer's canonical request shows the session token's mask").isTrue();
    assertThat(Pattern.compile("(?i)X-Amz-Security-Token: ").matcher(out).find())
        .as("no HTTP client dumps the request headers").isFalse();
    assertThat(out.contains("DEBUG org.apache.http.")).as("Apache's loggers were captured").isTrue();
  }

  @Test
  void staticSessionCredentials_sdkAndJdkLogAtDebug_redactedOutputHoldsMasksOnly() {
    String accessKeyId = canaries.upper("ASIA", 16);
    String secretKey = canaries.base64(30);
    String sessionToken = canaries.base64(300);
    provider = AwsSecretsManagerProvider.create(options().credentialsProvider(
        StaticCredentialsProvider.create(
            AwsSessionCredentials.create(accessKeyId, secretKey, sessionToken))).build());

    fetchOnce();
    fake.on("GetSecretValue", c -> FakeSecretsManager.error(400, "AccessDeniedException", "no"));
    SecretAccessDeniedException e = catchThrowableOfType(SecretAccessDeniedException.class,
        () -> provider.fetch(SecretRef.parse("aws-sm://MyTestDatabaseSecret"), CONTEXT));

    canaries.assertAbsent("exception", Leaks.render(e));
    // the SDK really does log the session token: the masks below are what stops it
    assertThat(raw.text().contains(sessionToken)).as("the SDK logs the raw session token").isTrue();
    String out = logs.text();
    assertSessionTokenMaskedInSignerAndNoHeaderDump(out);
    assertThat(out.contains("DEBUG " + LogCapture.SDK_SIGNER)).as("the signer was captured").isTrue();
    // the secret key is only ever an HMAC key, so it never shows; it is registered all the same
    Canaries.assertSame("the secret key's mask", RedactionIndex.global().redact("k=" + secretKey),
        "k=[REDACTED:credential://aws/secret-access-key]");
  }

  @Test
  void webIdentity_credentialsRefreshed_everySetAndEveryTokenMasked() {
    List<String> tokens = new CopyOnWriteArrayList<>();
    List<String[]> issued = new CopyOnWriteArrayList<>();
    sts.credentials = n -> {
      String[] c = {canaries.upper("ASIA", 16), canaries.base64(30), canaries.base64(300)};
      issued.add(c);
      return c;
    };
    // 90 s left: inside the SDK's 5-minute prefetch window, so the second fetch refreshes
    sts.expiry = n -> Instant.now().plusSeconds(90);
    provider = AwsSecretsManagerProvider.create(options()
        .stsEndpointOverride(stsServer.url("/").uri())
        .webIdentity(() -> {
          String t = canaries.alnum("wit", 60);
          tokens.add(t);
          return IdentityToken.of(t, Instant.now().plusSeconds(300));
        }, "arn:aws:iam::123456789012:role/ci-secrets")
        .build());

    fetchOnce();
    fetchOnce();

    assertThat(sts.calls).hasSize(2);
    assertThat(issued).hasSize(2);
    Canaries.assertSame("the refreshed session token is sent",
        fake.calls.get(1).headers().get("X-Amz-Security-Token"), issued.get(1)[2]);
    assertThat(raw.text().contains(issued.get(1)[2])).as("the SDK logs the refreshed token").isTrue();
    String out = logs.text();
    assertSessionTokenMaskedInSignerAndNoHeaderDump(out);
    for (String[] c : issued) {
      Canaries.assertSame("STS credentials registered", RedactionIndex.global().redact(c[1] + " "
          + c[2]), "[REDACTED:credential://aws/secret-access-key] " + SESSION_MASK);
    }
    assertThat(tokens).hasSize(2);
    for (String t : tokens) {
      Canaries.assertSame("web identity token registered", RedactionIndex.global().redact(t),
          "[REDACTED:credential://aws/web-identity-token]");
    }
  }

  /** Runs {@code body} with the system properties set, then puts the old values back. */
  private static void withSystemProperties(Map<String, String> props, Runnable body) {
    Map<String, String> before = new HashMap<>();
    props.forEach((k, v) -> before.put(k, System.setProperty(k, v)));
    try {
      body.run();
    } finally {
      before.forEach((k, v) -> {
        if (v == null) {
          System.clearProperty(k);
        } else {
          System.setProperty(k, v);
        }
      });
    }
  }

  @Test
  void defaultChain_systemPropertyCredentials_registeredBeforeSigning() {
    String accessKeyId = canaries.upper("ASIA", 16);
    String secretKey = canaries.base64(30);
    String sessionToken = canaries.base64(300);
    withSystemProperties(Map.of("aws.accessKeyId", accessKeyId,
        "aws.secretAccessKey", secretKey, "aws.sessionToken", sessionToken), () -> {
          provider = AwsSecretsManagerProvider.create(options().build()); // no credentials: the chain

          fetchOnce();

          Canaries.assertSame("signed with the chain's key", fake.calls.get(0).accessKeyId(),
              accessKeyId);
          assertSessionTokenMaskedInSignerAndNoHeaderDump(logs.text());
        });
  }

  @Test
  void defaultChain_containerCredentialsEndpoint_itsTokenAndItsCredentialsMasked() {
    // the chain reaches the container provider only when nothing earlier in it has credentials
    assumeTrue(System.getenv("AWS_ACCESS_KEY_ID") == null && System.getenv("AWS_PROFILE") == null
        && System.getenv("AWS_WEB_IDENTITY_TOKEN_FILE") == null
        && !Files.exists(Path.of(System.getProperty("user.home"), ".aws")),
        "AWS credentials configured in this environment would be used before the container's");
    String authToken = canaries.base64(48);
    String accessKeyId = canaries.upper("ASIA", 16);
    String sessionToken = canaries.base64(300);
    ObjectNode creds = Specs.JSON.createObjectNode().put("AccessKeyId", accessKeyId)
        .put("SecretAccessKey", canaries.base64(30)).put("Token", sessionToken)
        .put("Expiration", Instant.now().plusSeconds(3600).toString());
    List<String> authorizations = new CopyOnWriteArrayList<>();
    container.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        authorizations.add(String.valueOf(request.getHeaders().get("Authorization")));
        return new MockResponse.Builder().code(200).setHeader("Content-Type", "application/json")
            .body(creds.toString()).build();
      }
    });
    withSystemProperties(Map.of(
        "aws.containerCredentialsFullUri", container.url("/creds").toString(),
        "aws.containerAuthorizationToken", authToken), () -> {
          provider = AwsSecretsManagerProvider.create(options().build());

          fetchOnce();

          assertThat(authorizations).hasSize(1);
          Canaries.assertSame("the chain sent the token", authorizations.get(0), authToken);
          Canaries.assertSame("signed with the container's key", fake.calls.get(0).accessKeyId(),
              accessKeyId);
          String out = logs.text();
          assertThat(out.contains("Authorization: [REDACTED:credential://aws/container-authorization-token]"))
              .as("the JDK's dump of the container request shows the token's mask").isTrue();
          assertSessionTokenMaskedInSignerAndNoHeaderDump(out);
        });
  }
}
