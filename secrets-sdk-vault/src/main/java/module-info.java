/**
 * The HashiCorp Vault provider ({@code vault://}). Exports the provider and its options and the
 * authentication methods; {@code io.secretsdk.vault.internal} (transport, sessions, leases) is not
 * exported.
 */
module io.secretsdk.vault {
  requires transitive io.secretsdk.core;
  requires io.secretsdk.http;
  // the options take an OkHttpClient
  requires transitive okhttp3;
  requires okio;
  requires com.fasterxml.jackson.databind;
  requires org.slf4j;

  exports io.secretsdk.vault;
  exports io.secretsdk.vault.auth;

  provides io.secretsdk.spi.SecretProviderFactory with io.secretsdk.vault.VaultSecretProviderFactory;
}
