package io.secretsdk.aws;

import static io.secretsdk.aws.AwsSecretsManagerProviderTest.CONTEXT;
import static io.secretsdk.aws.AwsSecretsManagerProviderTest.secretString;
import static io.secretsdk.aws.FakeSecretsManager.json;
import static io.secretsdk.aws.Leaks.CANARY_TOKEN;
import static io.secretsdk.aws.Leaks.CANARY_VALUE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretException;
import io.secretsdk.SecretRef;
import io.secretsdk.identity.IdentityToken;
import io.secretsdk.identity.IdentityTokenSource;
import io.secretsdk.redact.RedactionIndex;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
final class WebIdentityTest {
  static final String ROLE = "arn:aws:iam::123456789012:role/ci-secrets";

  @StartStop final MockWebServer sm = new MockWebServer();
  @StartStop final MockWebServer stsServer = new MockWebServer();
  final FakeSecretsManager fake = new FakeSecretsManager();
  final FakeSts sts = new FakeSts();
  final LogCapture logs = new LogCapture();
  final AtomicInteger tokensIssued = new AtomicInteger();
  volatile IdentityTokenSource source = () -> IdentityToken.of(
      CANARY_TOKEN + "-" + tokensIssued.incrementAndGet(), Instant.now().plusSeconds(300));
  AwsSecretsManagerProvider provider;

  @BeforeEach
  void setUp() {
    sm.setDispatcher(fake);
    stsServer.setDispatcher(sts);
    fake.on("GetSecretValue", c -> json(secretString("db", CANARY_VALUE)));
    provider = AwsSecretsManagerProvider.create(AwsSecretsManagerOptions.builder()
        .region("us-east-1")
        .endpointOverride(sm.url("/").uri())
        .stsEndpointOverride(stsServer.url("/").uri())
        .webIdentity(() -> source.token(), ROLE)
        .roleSessionName("ci-run-42")
        .build());
  }

  @AfterEach
  void tearDown() {
    provider.close();
    logs.close();
    assertThat(fake.problems).isEmpty();
    assertThat(sts.problems).isEmpty();
    Leaks.assertNoCanary(logs.textOutsideSdkSignerDebug());
  }

  @Test
  void sdkSignerDebugLog_showsSessionToken_registeredSoTheRedactorMasksIt() {
    provider.fetch(SecretRef.parse("aws-sm://db"), CONTEXT);

    // the SDK's signer logs the token raw at DEBUG; the provider registered it before signing,
    // so redaction (what the RedactingEncoder applies) masks it
    String raw = logs.text();
    assertThat(raw.contains("x-amz-security-token:" + FakeSts.sessionToken(1))).isTrue();
    String redacted = RedactionIndex.global().redact(raw);
    assertThat(redacted.contains(FakeSts.sessionToken(1))).isFalse();
    assertThat(redacted.contains("x-amz-security-token:[REDACTED:credential://aws/session-token]"))
        .isTrue();
    assertThat(logs.textOutsideSdkSignerDebug().contains(FakeSts.sessionToken(1))).isFalse();
  }

  @Test
  void fetch_webIdentity_exchangesTokenOnceAndSignsWithSessionCredentials() {
    provider.fetch(SecretRef.parse("aws-sm://db"), CONTEXT);
    provider.fetch(SecretRef.parse("aws-sm://db"), CONTEXT);

    assertThat(sts.calls).hasSize(1);
    assertThat(sts.calls.get(0)).containsEntry("RoleArn", ROLE)
        .containsEntry("RoleSessionName", "ci-run-42")
        .containsEntry("WebIdentityToken", CANARY_TOKEN + "-1");
    assertThat(fake.calls).hasSize(2).allSatisfy(c -> {
      assertThat(c.accessKeyId()).isEqualTo(FakeSts.accessKey(1));
      assertThat(c.headers().get("X-Amz-Security-Token")).isEqualTo(FakeSts.sessionToken(1));
    });
    assertThat(provider.options().toString()).contains(ROLE).doesNotContain(CANARY_TOKEN);
  }

  @Test
  void fetch_credentialsNearExpiry_refreshedBeforeExpiryWithFreshToken() {
    // 90 s left: inside the SDK's 5-minute prefetch window, outside its 1-minute stale window
    sts.expiry = n -> Instant.now().plusSeconds(90);

    provider.fetch(SecretRef.parse("aws-sm://db"), CONTEXT);
    provider.fetch(SecretRef.parse("aws-sm://db"), CONTEXT);

    assertThat(sts.calls).hasSize(2);
    assertThat(sts.calls.get(1)).containsEntry("WebIdentityToken", CANARY_TOKEN + "-2");
    assertThat(fake.calls.get(0).accessKeyId()).isEqualTo(FakeSts.accessKey(1));
    assertThat(fake.calls.get(1).accessKeyId()).isEqualTo(FakeSts.accessKey(2));
    assertThat(fake.calls.get(1).headers().get("X-Amz-Security-Token"))
        .isEqualTo(FakeSts.sessionToken(2));
  }

  @Test
  void fetch_stsRejectsToken_accessDeniedWithoutTokenOrMessage() {
    sts.override = form -> FakeSts.error(400, "InvalidIdentityToken",
        "Token " + form.get("WebIdentityToken") + " is invalid");

    SecretAccessDeniedException e = catchThrowableOfType(SecretAccessDeniedException.class,
        () -> provider.fetch(SecretRef.parse("aws-sm://db"), CONTEXT));

    assertThat(e).hasMessageContaining("InvalidIdentityToken");
    Leaks.assertNoCanary(e);
    assertThat(fake.calls).isEmpty();
  }

  @Test
  void fetch_stsUnavailable_providerUnavailable() {
    sts.override = form -> FakeSts.error(503, "ServiceUnavailable", "later");

    SecretException e = catchThrowableOfType(SecretException.class,
        () -> provider.fetch(SecretRef.parse("aws-sm://db"), CONTEXT));

    assertThat(e).isInstanceOf(ProviderUnavailableException.class);
    Leaks.assertNoCanary(e);
    assertThat(sts.calls).hasSize(1);
  }

  @Test
  void fetch_tokenSourceFails_itsTypedExceptionPassesThrough() {
    source = () -> {
      throw new ProviderUnavailableException(null, "OIDC endpoint unreachable");
    };

    ProviderUnavailableException e = catchThrowableOfType(ProviderUnavailableException.class,
        () -> provider.fetch(SecretRef.parse("aws-sm://db"), CONTEXT));

    assertThat(e).hasMessageContaining("OIDC endpoint unreachable");
    assertThat(sts.calls).isEmpty();
  }
}
