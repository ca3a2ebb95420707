package io.secretsdk.provider.archfixture;

import io.secretsdk.vault.VaultOptions;

/** Planted violation for SdkArchitectureTest: a core package depending on a provider module. */
public final class CoreUsesVault {
  VaultOptions options;
}
