package io.secretsdk.http.archfixture;

import io.secretsdk.vault.VaultOptions;

/** Planted violation for SdkArchitectureTest: the HTTP kit depending on a provider module. */
public final class KitUsesVault {
  VaultOptions options;
}
