package io.secretsdk.benchmarks.coldstart;

import io.secretsdk.Secret;
import io.secretsdk.SecretsClient;
import io.secretsdk.aws.AwsSecretsManagerOptions;
import io.secretsdk.aws.AwsSecretsManagerProvider;
import java.net.URI;

/**
 * Cold-start variant (a): a {@link SecretsClient} with the {@code aws-sm} provider resolves
 * {@code aws-sm://<secret-id>} once and exits. Credentials come from the SDK's default chain (the
 * script sets {@code AWS_ACCESS_KEY_ID} / {@code AWS_SECRET_ACCESS_KEY}), as in the other variants.
 *
 * <p>Usage: {@code SecretsSdkColdStart <endpoint> <secret-id>}; prints the value's length.
 */
public final class SecretsSdkColdStart {
  private SecretsSdkColdStart() {}

  /** Resolves one secret and prints its length. */
  public static void main(String[] args) {
    try (SecretsClient client = SecretsClient.builder()
            .provider(AwsSecretsManagerProvider.create(AwsSecretsManagerOptions.builder()
                .region("us-east-1")
                .endpointOverride(URI.create(args[0]))
                .build()))
            .build();
        Secret value = client.resolve("aws-sm://" + args[1])) {
      ColdStartOutput.valueInHand(value.useChars(chars -> chars.length));
    }
  }
}
