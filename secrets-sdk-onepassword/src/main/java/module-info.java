/**
 * The 1Password provider ({@code op://}, Connect server or the {@code op} CLI). Exports the
 * provider, its options and the reference type; {@code io.secretsdk.onepassword.internal} (the two
 * backends, field selection, TOTP) is not exported.
 */
module io.secretsdk.onepassword {
  requires transitive io.secretsdk.core;
  requires io.secretsdk.http;
  // the options take an OkHttpClient
  requires transitive okhttp3;
  requires okio;
  requires com.fasterxml.jackson.databind;
  requires com.github.benmanes.caffeine;
  requires org.slf4j;

  exports io.secretsdk.onepassword;

  provides io.secretsdk.spi.SecretProviderFactory with
      io.secretsdk.onepassword.OnePasswordProviderFactory;
}
