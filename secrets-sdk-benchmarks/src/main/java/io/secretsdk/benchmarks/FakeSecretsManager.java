package io.secretsdk.benchmarks;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretRequest;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueRequest;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;

/**
 * An in-process {@link SecretsManagerClient} that answers {@code DescribeSecret} and
 * {@code GetSecretValue} with canned responses, so the AWS caching client can be measured without
 * a network. Each secret has one version ({@value #VERSION_ID}) staged {@code AWSCURRENT}; its
 * value is {@link CountingProvider#valueOf} of the secret id, so both engines cache the same bytes.
 *
 * <p>Thread-safe. Counts calls of each kind and can take a configurable time per call, as a real
 * Secrets Manager round trip does.
 */
public final class FakeSecretsManager implements SecretsManagerClient {
  /** The only version id of every secret. */
  public static final String VERSION_ID = "00000000-0000-0000-0000-000000000001";

  private final AtomicLong describeCalls = new AtomicLong();
  private final AtomicLong getValueCalls = new AtomicLong();
  private final AtomicLong phase = new AtomicLong();
  private volatile long delayNanos;

  /** Makes each later call take {@code delay} (parks the calling thread). */
  public FakeSecretsManager delay(Duration delay) {
    this.delayNanos = delay.toNanos();
    return this;
  }

  /** Bumped as each delayed call starts and ends: odd while one is in flight. */
  public long phase() {
    return phase.get();
  }

  /** {@code DescribeSecret} calls so far (the caching client's refresh call). */
  public long describeCalls() {
    return describeCalls.get();
  }

  /** {@code GetSecretValue} calls so far. */
  public long getValueCalls() {
    return getValueCalls.get();
  }

  @Override
  public DescribeSecretResponse describeSecret(DescribeSecretRequest request) {
    describeCalls.incrementAndGet();
    pause();
    return DescribeSecretResponse.builder()
        .name(request.secretId())
        .arn("arn:aws:secretsmanager:us-east-1:000000000000:secret:" + request.secretId())
        .versionIdsToStages(Map.of(VERSION_ID, List.of("AWSCURRENT")))
        .build();
  }

  @Override
  public GetSecretValueResponse getSecretValue(GetSecretValueRequest request) {
    getValueCalls.incrementAndGet();
    pause();
    return GetSecretValueResponse.builder()
        .name(request.secretId())
        .arn("arn:aws:secretsmanager:us-east-1:000000000000:secret:" + request.secretId())
        .versionId(VERSION_ID)
        .versionStages("AWSCURRENT")
        .secretString(new String(CountingProvider.valueOf(request.secretId()),
            StandardCharsets.US_ASCII))
        .createdDate(Instant.EPOCH)
        .build();
  }

  private void pause() {
    long delay = delayNanos;
    if (delay > 0) {
      phase.incrementAndGet();
      CountingProvider.sleepUninterruptibly(delay);
      phase.incrementAndGet();
    }
  }

  @Override
  public String serviceName() {
    return SERVICE_NAME;
  }

  @Override
  public void close() {}
}
