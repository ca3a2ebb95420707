package io.secretsdk.aws;

import static org.assertj.core.api.Assertions.assertThat;

import mockwebserver3.MockWebServer;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * The fixture shared by the tests that run the provider against fake Secrets Manager and STS
 * servers with every logger up and the output redacted ({@link RedactedLogs}): on
 * {@link #close()}, the logs are put back, and neither fake saw a malformed request nor did any
 * canary reach the redacted output.
 */
final class RedactedFakes implements AutoCloseable {
  final FakeSecretsManager fake = new FakeSecretsManager();
  final FakeSts sts = new FakeSts();
  final Canaries canaries = new Canaries();
  final RedactedLogs logs;
  private final MockWebServer sm;

  RedactedFakes(MockWebServer sm, MockWebServer stsServer) {
    this.sm = sm;
    sm.setDispatcher(fake);
    stsServer.setDispatcher(sts);
    logs = new RedactedLogs();
  }

  /** Session credentials made of canaries. */
  StaticCredentialsProvider canaryCredentials() {
    return StaticCredentialsProvider.create(AwsSessionCredentials.create(
        canaries.upper("ASIA", 16), canaries.alnum("sk", 38), canaries.alnum("st", 120)));
  }

  /** Options pointing the provider at the fake Secrets Manager in us-east-1. */
  AwsSecretsManagerOptions.Builder options() {
    return AwsSecretsManagerOptions.builder().region("us-east-1").endpointOverride(sm.url("/").uri());
  }

  @Override
  public void close() {
    logs.close();
    assertThat(fake.problems).isEmpty();
    assertThat(sts.problems).isEmpty();
    canaries.assertAbsent("output through the RedactingEncoder", logs.text());
  }
}
