package io.secretsdk.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsdk.identity.IdentityToken;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

final class AwsSecretsManagerOptionsTest {

  @Test
  void ofDefaults_hasDocumentedDefaults() {
    AwsSecretsManagerOptions o = AwsSecretsManagerOptions.ofDefaults();

    assertThat(o.region()).isEmpty();
    assertThat(o.credentialsProvider()).isEmpty();
    assertThat(o.webIdentityTokenSource()).isEmpty();
    assertThat(o.connectTimeout()).isEqualTo(AwsSecretsManagerOptions.DEFAULT_CONNECT_TIMEOUT);
    assertThat(o.readTimeout()).isEqualTo(AwsSecretsManagerOptions.DEFAULT_READ_TIMEOUT);
    assertThat(o.apiCallTimeout()).isEqualTo(AwsSecretsManagerOptions.DEFAULT_API_CALL_TIMEOUT);
    assertThat(o.describeCacheTtl()).isEqualTo(Duration.ofMinutes(5));
    assertThat(o.roleSessionName()).isEqualTo("secrets-sdk");
    assertThat(o.toString()).contains("sdkDefaultChain");
  }

  @Test
  void builder_invalidValues_rejectedNamingField() {
    var b = AwsSecretsManagerOptions.builder();
    assertThatThrownBy(() -> b.region("US_EAST_1")).hasMessageStartingWith("region:");
    assertThatThrownBy(() -> b.endpointOverride(URI.create("http://10.0.0.5:4566")))
        .hasMessageStartingWith("endpointOverride:").hasMessageContaining("https");
    assertThatThrownBy(() -> b.endpointOverride(URI.create("https://h/?q=1")))
        .hasMessageStartingWith("endpointOverride:");
    assertThatThrownBy(() -> b.stsEndpointOverride(URI.create("ftp://h/")))
        .hasMessageStartingWith("stsEndpointOverride:");
    assertThatThrownBy(() -> b.readTimeout(Duration.ZERO)).hasMessageStartingWith("readTimeout:");
    assertThatThrownBy(() -> b.apiCallTimeout(Duration.ofHours(1)))
        .hasMessageStartingWith("apiCallTimeout:");
    assertThatThrownBy(() -> b.describeCacheTtl(Duration.ofSeconds(-1)))
        .hasMessageStartingWith("describeCacheTtl:");
    assertThatThrownBy(() -> b.webIdentity(() -> null, "arn:aws:iam::1:role/x"))
        .hasMessageStartingWith("roleArn:");
    assertThatThrownBy(() -> b.roleSessionName("has space")).hasMessageStartingWith("roleSessionName:");
    assertThatThrownBy(() -> b.sessionDuration(Duration.ofMinutes(5)))
        .hasMessageStartingWith("sessionDuration:");
    assertThat(b.endpointOverride(URI.create("http://127.0.0.1:4566")).build().endpointOverride())
        .contains(URI.create("http://127.0.0.1:4566"));
    assertThat(b.endpointOverride(URI.create("http://[::1]:4566")).build().endpointOverride())
        .isPresent();
  }

  @Test
  void build_credentialsAndWebIdentity_rejectedAsAlternatives() {
    var b = AwsSecretsManagerOptions.builder()
        .credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create(Leaks.CANARY_ACCESS_KEY, Leaks.CANARY_SECRET_KEY)))
        .webIdentity(() -> IdentityToken.of(Leaks.CANARY_TOKEN, null),
            "arn:aws:iam::123456789012:role/ci");

    assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("only one");
  }

  @Test
  void toString_customCredentials_showsTypeNeverKeys() {
    AwsSecretsManagerOptions o = AwsSecretsManagerOptions.builder()
        .region("eu-west-1")
        .credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create(Leaks.CANARY_ACCESS_KEY, Leaks.CANARY_SECRET_KEY)))
        .build();

    assertThat(o.toString()).contains("StaticCredentialsProvider", "eu-west-1");
    Leaks.assertNoCanary(o.toString());
    Leaks.assertNoCanary(AwsSecretsManagerProvider.create(o).toString());
  }
}
