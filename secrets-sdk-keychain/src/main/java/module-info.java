/**
 * The OS keychain provider ({@code keychain://<service>/<account>}): the Linux Secret Service
 * through {@code secret-tool}, the macOS Keychain through {@code security}. Exports the provider,
 * its options, the reference and the locked-keychain exception; {@code io.secretsdk.keychain.internal}
 * (the tool runner and the two backends) is not exported.
 */
module io.secretsdk.keychain {
  requires transitive io.secretsdk.core;
  requires org.slf4j;

  exports io.secretsdk.keychain;

  provides io.secretsdk.spi.SecretProviderFactory with
      io.secretsdk.keychain.KeychainProviderFactory;
}
