/**
 * The HTTP kit of the SDK's OkHttp providers (Vault, 1Password Connect, the platform Secrets API): the provider's
 * {@code OkHttpClient}, built from defaults or derived from a user's with the SDK's rules on top,
 * bounded body reading and scrubbed server text. It has no public API: its one package is exported
 * only to the provider modules that use it.
 */
module io.secretsdk.http {
  requires transitive io.secretsdk.core;
  requires transitive okhttp3;
  requires okio;

  exports io.secretsdk.http.internal to
      io.secretsdk.vault,
      io.secretsdk.onepassword,
      io.secretsdk.platform;
}
