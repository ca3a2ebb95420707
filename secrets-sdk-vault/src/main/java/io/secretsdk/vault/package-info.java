/**
 * The HashiCorp Vault / OpenBao provider for {@code vault://} refs: {@link
 * io.secretsdk.vault.VaultSecretProvider}, its immutable {@link io.secretsdk.vault.VaultOptions}
 * and the {@link io.secretsdk.vault.VaultSecretProviderFactory} for configuration-driven set-up.
 */
package io.secretsdk.vault;
