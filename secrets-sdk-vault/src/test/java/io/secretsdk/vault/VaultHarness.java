package io.secretsdk.vault;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.RunEnvironment;
import io.secretsdk.SecretRef;
import io.secretsdk.spi.FetchContext;
import io.secretsdk.spi.Ticker;
import io.secretsdk.vault.auth.TokenAuthentication;
import io.secretsdk.vault.auth.TokenAuthenticationOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/**
 * One Vault under test: a MockWebServer with a {@link SpecDispatcher}, a fake ticker, log capture,
 * and the canaries that must never show up in any message, log line or {@code toString}.
 */
final class VaultHarness implements AutoCloseable {
  static final String CANARY_VALUE = "sk-canary-VALUE-0a1b2c3d4e5f6a7b8c9d0e1f";
  static final String CANARY_TOKEN = "hvs.CANARYtok3nAbCdEf0123456789xyz";
  static final String CANARY_TOKEN_2 = "hvs.CANARYtok3nSecondOne9876543210";
  static final String CANARY_SECRET_ID = "canary-secret-id-77f1c0de";
  static final List<String> CANARIES = List.of(CANARY_VALUE, CANARY_TOKEN, CANARY_TOKEN_2, CANARY_SECRET_ID,
      "CANARYtok3n", "0a1b2c3d4e5f6a7b8c9d");
  static final FetchContext CTX = FetchContext.of(RunEnvironment.CI);

  final MockWebServer server;
  final SpecDispatcher vault = new SpecDispatcher();
  final FakeTicker ticker = new FakeTicker();
  final LogCapture logs = new LogCapture();
  private final List<VaultSecretProvider> providers = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final List<Object> checked = new java.util.concurrent.CopyOnWriteArrayList<>();  // fetches run on many threads

  VaultHarness(MockWebServer server) {
    this.server = server;
    server.setDispatcher(vault);
    // close() revokes a token the provider logged in for
    vault.on("POST", "auth/token/revoke-self", "token-revoke-self", 204, null);
  }

  /** A monotonic ticker moved by hand. */
  static final class FakeTicker implements Ticker {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    @Override
    public long read() {
      return nanos.get();
    }

    void advance(Duration d) {
      nanos.addAndGet(d.toNanos());
    }
  }

  String address() {
    return server.url("/").toString();
  }

  /** Options for this server: literal canary token, fake ticker, {@code secret} as KV v2. */
  VaultOptions.Builder options() {
    return VaultOptions.builder()
        .address(address())
        .ticker(ticker)
        .authentication(TokenAuthentication.create(TokenAuthenticationOptions.builder().token(CANARY_TOKEN).build()))
        .mount("secret", MountKind.KV_V2);
  }

  VaultSecretProvider provider(VaultOptions options) {
    VaultSecretProvider p = VaultSecretProvider.create(options);
    providers.add(p);
    checked.add(p);
    return p;
  }

  VaultSecretProvider provider() {
    return provider(options().build());
  }

  /** Serves lookup-self for any token with the given TTL. */
  VaultHarness lookupSelf(long ttlSeconds, boolean renewable) {
    vault.on("GET", "auth/token/lookup-self", "token-look-up-self", 200,
        "{\"data\":{\"ttl\":" + ttlSeconds + ",\"renewable\":" + renewable + ",\"policies\":[\"default\"]}}");
    return this;
  }

  static SecretRef ref(String text) {
    return SecretRef.parse(text);
  }

  static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  static String header(RecordedRequest r, String name) {
    return r.getHeaders().get(name);
  }

  /** Remembers {@code o} to check its {@code toString} (and, for throwables, the whole trace) at close. */
  <T> T check(T o) {
    checked.add(o);
    return o;
  }

  /** Fetches through {@code vault}; any exception is checked for canaries, then rethrown. */
  io.secretsdk.spi.FetchResult fetch(VaultSecretProvider vault, SecretRef ref, FetchContext ctx) {
    try {
      return check(vault.fetch(ref, ctx));
    } catch (RuntimeException e) {
      assertNoCanary(e);
      throw e;
    }
  }

  /** Writes through {@code vault}; any exception is checked for canaries, then rethrown. */
  String write(VaultSecretProvider vault, SecretRef ref, byte[] value, String expectedVersion) {
    try {
      return vault.write(ref, value, expectedVersion);
    } catch (RuntimeException e) {
      assertNoCanary(e);
      throw e;
    }
  }

  /** Asserts that none of the canaries appears in {@code text}. */
  static void assertNoCanary(String what, String text) {
    for (String c : CANARIES) {
      assertThat(text).as(what + " must not contain a canary").doesNotContain(c);
    }
  }

  static void assertNoCanary(Throwable t) {
    StringWriter sw = new StringWriter();
    t.printStackTrace(new PrintWriter(sw));
    assertNoCanary("exception", sw.toString() + t);
  }

  @Override
  public void close() {
    for (VaultSecretProvider p : providers) {
      p.close();
      okhttp3.OkHttpClient http = p.transport().okHttp();
      assertThat(http.dispatcher().executorService().isShutdown()).as("OkHttp dispatcher shut down").isTrue();
      assertThat(http.connectionPool().connectionCount()).as("OkHttp connections left").isZero();
    }
    for (Object o : checked) {
      if (o instanceof Throwable) {
        assertNoCanary((Throwable) o);
      } else {
        assertNoCanary("toString of " + o.getClass().getSimpleName(), String.valueOf(o));
      }
    }
    logs.close();
    assertNoCanary("log lines", logs.all());
    assertThat(vault.violations()).as("requests that do not fit the Vault API description").isEmpty();
  }
}
