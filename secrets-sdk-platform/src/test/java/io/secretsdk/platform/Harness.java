package io.secretsdk.platform;

import io.secretsdk.RunEnvironment;
import io.secretsdk.SecretRef;
import io.secretsdk.identity.IdentityToken;
import io.secretsdk.identity.IdentityTokenSource;
import io.secretsdk.spi.FetchContext;
import io.secretsdk.spi.FetchResult;
import io.secretsdk.testing.FakeTicker;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.MockWebServer;

/** Builds providers against a {@link FakePlatform}, with an identity source whose tokens are canaries. */
final class Harness implements AutoCloseable {
  final MockWebServer server;
  final FakePlatform platform = new FakePlatform();
  final FakeTicker ticker = new FakeTicker();
  final AtomicInteger identityCalls = new AtomicInteger();
  /** The identity token the source hands out (a fresh canary per harness). */
  final String identityToken = "oidc-canary-" + UUID.randomUUID();
  final IdentityTokenSource source = () -> {
    identityCalls.incrementAndGet();
    return IdentityToken.of(identityToken, null);
  };
  private PlatformSecretProvider provider;

  Harness(MockWebServer server) {
    this.server = server;
    server.setDispatcher(platform);
  }

  PlatformOptions.Builder options() {
    return PlatformOptions.builder()
        .baseUrl(server.url("/").toString())
        .authentication(PlatformAuthentication.oidc(source, "github"))
        .ticker(ticker);
  }

  PlatformSecretProvider provider() {
    return provider(options());
  }

  PlatformSecretProvider provider(PlatformOptions.Builder b) {
    provider = PlatformSecretProvider.create(b.build(), RunEnvironment.PROD);
    return provider;
  }

  static SecretRef ref(String s) {
    return SecretRef.parse(s);
  }

  static FetchContext prod() {
    return FetchContext.of(RunEnvironment.PROD);
  }

  static String text(FetchResult r) {
    return new String(r.value(), StandardCharsets.UTF_8);
  }

  /** {@code /secrets/<name with %2F>} for a platform name. */
  static String secretPath(String name, String... more) {
    StringBuilder sb = new StringBuilder("/secrets/").append(name.replace("/", "%2F"));
    for (String m : more) {
      sb.append('/').append(m);
    }
    return sb.toString();
  }

  @Override
  public void close() {
    if (provider != null) {
      provider.close();
    }
  }
}
