package io.secretsdk.aws.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.redact.RedactionIndex;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.identity.spi.ResolveIdentityRequest;

final class AwsCredentialRegistrationTest {
  private static final SecureRandom RANDOM = new SecureRandom();

  private static String random(String prefix) {
    byte[] b = new byte[20];
    RANDOM.nextBytes(b);
    return prefix + HexFormat.of().formatHex(b);
  }

  private static boolean masked(String credential, String kind) {
    return RedactionIndex.global().redact(credential).equals("[REDACTED:credential://" + kind + "]");
  }

  @Test
  void wrap_credentialsRotate_eachSetRegisteredBeforeItIsHandedOut() {
    AtomicReference<String[]> current = new AtomicReference<>(
        new String[] {random("akid"), random("sk"), random("st")});
    AtomicInteger calls = new AtomicInteger();
    // a new object per call, as the environment-variable provider builds one
    AwsCredentialsProvider rotating = () -> {
      calls.incrementAndGet();
      String[] c = current.get();
      return AwsSessionCredentials.create(c[0], c[1], c[2]);
    };
    AwsCredentialsProvider wrapped = AwsCredentialRegistration.wrap(rotating);

    String[] first = current.get();
    assertThat(masked(first[2], AwsCredentialRegistration.SESSION_TOKEN)).isFalse();
    wrapped.resolveCredentials();
    assertThat(masked(first[0], AwsCredentialRegistration.ACCESS_KEY_ID)).isTrue();
    assertThat(masked(first[1], AwsCredentialRegistration.SECRET_ACCESS_KEY)).isTrue();
    assertThat(masked(first[2], AwsCredentialRegistration.SESSION_TOKEN)).isTrue();

    String[] second = {random("akid"), random("sk"), random("st")};
    current.set(second);
    // the SDK resolves through resolveIdentity: that path registers too
    Object identity = wrapped.resolveIdentity(ResolveIdentityRequest.builder().build()).join();

    assertThat(identity).isInstanceOf(AwsSessionCredentials.class);
    assertThat(masked(second[2], AwsCredentialRegistration.SESSION_TOKEN)).isTrue();
    assertThat(masked(second[1], AwsCredentialRegistration.SECRET_ACCESS_KEY)).isTrue();
    assertThat(calls).hasValue(2);
  }

  @Test
  void registerDefaultChainTokens_tokenFilesNamedBySettings_registered(@TempDir Path dir)
      throws IOException {
    String webToken = random("wit");
    String containerToken = random("ct");
    Path web = Files.writeString(dir.resolve("web-identity-token"), webToken + "\n");
    Path container = Files.writeString(dir.resolve("container-token"), containerToken);
    Map<String, String> props = Map.of("aws.webIdentityTokenFile", web.toString(),
        "aws.containerAuthorizationTokenFile", container.toString());
    props.keySet().forEach(k -> assertThat(System.getProperty(k)).isNull());
    try {
      props.forEach(System::setProperty);

      AwsCredentialRegistration.registerDefaultChainTokens();

      assertThat(masked(webToken, AwsCredentialRegistration.WEB_IDENTITY_TOKEN)).isTrue();
      assertThat(masked(containerToken, AwsCredentialRegistration.CONTAINER_TOKEN)).isTrue();
    } finally {
      props.keySet().forEach(System::clearProperty);
    }
  }

  @Test
  void wrap_unchangedCredentials_skippedWithinAMinuteThenRegisteredAgainAheadOfOthersOfTheKind() {
    String akid = random("akid");
    String sk = random("sk");
    String token = random("st");
    AtomicLong nanos = new AtomicLong();
    // a new object per call with the same strings, as the environment-variable provider does
    AwsCredentialsProvider wrapped = AwsCredentialRegistration.wrap(
        () -> AwsSessionCredentials.create(akid, sk, token), nanos::get);
    RedactionIndex index = RedactionIndex.global();
    // the index keeps four values per credential kind and drops the least recently registered
    Runnable otherProvidersToken = () ->
        index.registerCredential(AwsCredentialRegistration.SESSION_TOKEN, random("other"));

    wrapped.resolveCredentials();
    for (int i = 0; i < 3; i++) {
      otherProvidersToken.run();
    }
    nanos.addAndGet(AwsCredentialRegistration.RETOUCH_NANOS - 1);
    wrapped.resolveCredentials(); // unchanged and recent: not registered again
    otherProvidersToken.run();
    assertThat(masked(token, AwsCredentialRegistration.SESSION_TOKEN))
        .as("the skipped call did not touch it, so the fifth token of the kind evicted it").isFalse();

    nanos.addAndGet(1);
    wrapped.resolveCredentials(); // a minute since it was registered: registered again
    for (int i = 0; i < 3; i++) {
      otherProvidersToken.run();
    }
    nanos.addAndGet(AwsCredentialRegistration.RETOUCH_NANOS);
    wrapped.resolveCredentials(); // touched: now the most recent of the four
    otherProvidersToken.run();

    assertThat(masked(token, AwsCredentialRegistration.SESSION_TOKEN)).isTrue();
  }

  @Test
  void same_equalStringsInNewObjects_sameElseNot() {
    AwsCredentials a = AwsSessionCredentials.create("akid-1", "secret-1", "token-1");

    assertThat(AwsCredentialRegistration.same(a,
        AwsSessionCredentials.create("akid-1", "secret-1", "token-1"))).isTrue();
    assertThat(AwsCredentialRegistration.same(a,
        AwsSessionCredentials.create("akid-1", "secret-1", "token-2"))).isFalse();
    assertThat(AwsCredentialRegistration.same(a,
        AwsBasicCredentials.create("akid-1", "secret-1"))).isFalse();
    assertThat(AwsCredentialRegistration.same(AwsBasicCredentials.create("akid-1", "secret-1"),
        AwsBasicCredentials.create("akid-1", "secret-2"))).isFalse();
  }

  @Test
  void wrap_toString_isTheDelegatesAndHoldsNoCredential() {
    String secret = random("sk");
    AwsCredentialsProvider p = new AwsCredentialsProvider() {
      @Override
      public AwsCredentials resolveCredentials() {
        return AwsBasicCredentials.create(random("akid"), secret);
      }

      @Override
      public String toString() {
        return "MyProvider";
      }
    };

    assertThat(AwsCredentialRegistration.wrap(p).toString()).isEqualTo("MyProvider");
  }
}
