package io.secretsdk.benchmarks.coldstart;

import java.net.URI;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * Cold-start variant (c), the baseline: one bare AWS SDK v2 {@code GetSecretValue} on a client
 * built the usual way (default HTTP client and credentials chain), then exit.
 *
 * <p>Usage: {@code BareSdkColdStart <endpoint> <secret-id>}; prints the value's length.
 */
public final class BareSdkColdStart {
  private BareSdkColdStart() {}

  /** Reads one secret and prints its length. */
  public static void main(String[] args) {
    try (SecretsManagerClient sdk = SecretsManagerClient.builder()
            .region(Region.US_EAST_1)
            .endpointOverride(URI.create(args[0]))
            .build()) {
      ColdStartOutput.valueInHand(
          sdk.getSecretValue(r -> r.secretId(args[1])).secretString().length());
    }
  }
}
