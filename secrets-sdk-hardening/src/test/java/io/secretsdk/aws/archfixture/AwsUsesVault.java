package io.secretsdk.aws.archfixture;

import io.secretsdk.vault.VaultOptions;
import io.secretsdk.vault.internal.Op;

/** Planted violation for SdkArchitectureTest: the AWS module reaching into the Vault module. */
public final class AwsUsesVault {
  VaultOptions options;
  Op op;
}
