/**
 * The provider for the platform's own Secrets API ({@code secret://<service>/<env>/<name>}).
 * Exports the provider, its options, authentication and value types; {@code
 * io.secretsdk.platform.internal} (transport, token sessions, JSON reading) is not exported.
 */
module io.secretsdk.platform {
  requires transitive io.secretsdk.core;
  requires io.secretsdk.http;
  // the options take an OkHttpClient
  requires transitive okhttp3;
  requires okio;
  requires com.fasterxml.jackson.databind;
  requires org.slf4j;

  exports io.secretsdk.platform;

  provides io.secretsdk.spi.SecretProviderFactory with io.secretsdk.platform.PlatformSecretProviderFactory;
}
