package io.secretsdk.benchmarks.coldstart;

import com.amazonaws.secretsmanager.caching.SecretCache;
import java.net.URI;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * Cold-start variant (b): the AWS caching client ({@code aws-secretsmanager-caching-java}) over an
 * SDK client built the usual way (default HTTP client and credentials chain) reads one secret
 * string and exits.
 *
 * <p>Usage: {@code CachingClientColdStart <endpoint> <secret-id>}; prints the value's length.
 */
public final class CachingClientColdStart {
  private CachingClientColdStart() {}

  /** Reads one secret and prints its length. */
  public static void main(String[] args) {
    SecretsManagerClient sdk = SecretsManagerClient.builder()
        .region(Region.US_EAST_1)
        .endpointOverride(URI.create(args[0]))
        .build();
    try (SecretCache cache = new SecretCache(sdk)) {
      ColdStartOutput.valueInHand(cache.getSecretString(args[1]).length());
    }
  }
}
