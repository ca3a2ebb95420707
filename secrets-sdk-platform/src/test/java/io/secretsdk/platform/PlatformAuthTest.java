package io.secretsdk.platform;

import static io.secretsdk.platform.Harness.prod;
import static io.secretsdk.platform.Harness.ref;
import static io.secretsdk.platform.Harness.secretPath;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.RunEnvironment;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretConfigException;
import io.secretsdk.redact.RedactionIndex;
import io.secretsdk.spi.FetchContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
final class PlatformAuthTest {
  private static final int THREADS = 32;
  private static final String PATH = secretPath("payments/prod/stripe/api-key");
  private static final String REF = "secret://payments/prod/stripe/api-key";

  @StartStop private final MockWebServer server = new MockWebServer();
  private Harness h;
  private Leaks leaks;

  @BeforeEach
  void setUp() {
    h = new Harness(server);
    leaks = new Leaks();
    leaks.watch("identity", h.identityToken);
    h.platform.on("GET", PATH, 200, "{\"value\":\"v\",\"version\":\"1\"}");
  }

  @AfterEach
  void tearDown() {
    h.close();
    h.platform.issued.forEach(t -> leaks.watch("token-" + t.hashCode(), t));
    leaks.assertLogsClean();
    leaks.close();
  }

  private String bearerOfLastRead() {
    List<RecordedRequest> reads = h.platform.to("GET", PATH);
    return reads.get(reads.size() - 1).getHeaders().get("Authorization").substring(7);
  }

  @Test
  void serviceToken_postsAccountKeyScopeAndEnvironment() throws Exception {
    String key = leaks.canary("service-key");
    PlatformSecretProvider p = h.provider(h.options()
        .authentication(PlatformAuthentication.serviceToken("svc-deploy", key)));

    p.fetch(ref(REF), prod());

    RecordedRequest issue = h.platform.to("POST", "/auth/service-token").get(0);
    assertThat(issue.getBody().utf8()).isEqualTo("{\"client_id\":\"svc-deploy\",\"client_secret\":\"" + key
        + "\",\"scope\":\"read:secrets\",\"environment\":\"prod\"}");
    assertThat(RedactionIndex.global().redact("k=" + key)).doesNotContain(key);
    assertThat(p.toString()).doesNotContain(key);
    assertThat(p.options().authentication().toString()).doesNotContain(key);
  }

  @Test
  void exchange_registersTheIdentityTokenAndTheAccessTokenForRedaction() {
    h.provider().fetch(ref(REF), prod());

    String token = bearerOfLastRead();
    String line = "sent " + h.identityToken + " got " + token;
    assertThat(RedactionIndex.global().redact(line)).doesNotContain(h.identityToken).doesNotContain(token);
  }

  @Test
  void renewal_startsBeforeExpiryAndTheNextCallUsesTheNewToken() {
    h.platform.expiresIn = 900; // renewal at 15 min - 5 min
    PlatformSecretProvider p = h.provider();
    p.fetch(ref(REF), prod());
    String first = bearerOfLastRead();

    h.ticker.advance(Duration.ofMinutes(9).plusSeconds(59));
    p.fetch(ref(REF), prod());
    assertThat(h.platform.exchanges.get()).isEqualTo(1);
    assertThat(bearerOfLastRead()).isEqualTo(first);

    h.ticker.advance(Duration.ofSeconds(2));
    p.fetch(ref(REF), prod());
    assertThat(h.platform.exchanges.get()).isEqualTo(2);
    assertThat(bearerOfLastRead()).isNotEqualTo(first);
  }

  @Test
  void renewal_shortLivedToken_renewsAtHalfItsLife() {
    h.platform.expiresIn = 120;
    PlatformSecretProvider p = h.provider();
    p.fetch(ref(REF), prod());

    h.ticker.advance(Duration.ofSeconds(59));
    p.fetch(ref(REF), prod());
    assertThat(h.platform.exchanges.get()).isEqualTo(1);
    h.ticker.advance(Duration.ofSeconds(2));
    p.fetch(ref(REF), prod());
    assertThat(h.platform.exchanges.get()).isEqualTo(2);
  }

  @Test
  void renewal_manyThreads_oneRenewsWhileTheOthersKeepUsingTheCurrentToken() throws Exception {
    PlatformSecretProvider p = h.provider();
    p.fetch(ref(REF), prod());
    String current = bearerOfLastRead();
    h.ticker.advance(Duration.ofMinutes(11)); // due for renewal, still valid
    CountDownLatch gate = new CountDownLatch(1);
    h.platform.exchangeGate = gate;
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<?>> all = new ArrayList<>();
      for (int i = 0; i < THREADS; i++) {
        all.add(pool.submit(() -> p.fetch(ref(REF), prod())));
      }
      // every caller but the renewing one finishes while the renewal is held at the server
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (all.stream().filter(Future::isDone).count() < THREADS - 1 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(all.stream().filter(Future::isDone).count()).isEqualTo(THREADS - 1);
      assertThat(h.platform.to("GET", PATH).stream().skip(1)
          .map(r -> r.getHeaders().get("Authorization").substring(7))).allMatch(current::equals);
      assertThat(h.platform.exchanges.get()).isEqualTo(2);
      gate.countDown();
      for (Future<?> f : all) {
        f.get(20, TimeUnit.SECONDS);
      }
    } finally {
      gate.countDown();
      pool.shutdownNow();
    }
    assertThat(h.platform.exchanges.get()).isEqualTo(2);
    p.fetch(ref(REF), prod());
    assertThat(bearerOfLastRead()).isNotEqualTo(current);
  }

  @Test
  void coldStart_manyThreads_shareOneExchange() throws Exception {
    PlatformSecretProvider p = h.provider();
    CountDownLatch gate = new CountDownLatch(1);
    h.platform.exchangeGate = gate;
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<?>> all = new ArrayList<>();
      for (int i = 0; i < THREADS; i++) {
        all.add(pool.submit(() -> p.fetch(ref(REF), prod())));
      }
      Thread.sleep(200); // let every caller reach the wait; the assertion below does not depend on it
      gate.countDown();
      for (Future<?> f : all) {
        f.get(20, TimeUnit.SECONDS);
      }
    } finally {
      gate.countDown();
      pool.shutdownNow();
    }
    assertThat(h.platform.exchanges.get()).isEqualTo(1);
    assertThat(h.identityCalls.get()).isEqualTo(1);
    assertThat(h.platform.to("GET", PATH)).hasSize(THREADS);
  }

  /**
   * Eight callers fetch at once while the server holds the token exchange; with {@code release}
   * the exchange is let go once they are waiting, without it only after every caller ended.
   * Returns what each caller threw (null for none).
   */
  private List<Throwable> fetchConcurrentlyWhileTheExchangeIsHeld(PlatformSecretProvider p, boolean release)
      throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    h.platform.exchangeGate = gate;
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Throwable> thrown = new ArrayList<>();
    try {
      List<Future<Throwable>> all = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        all.add(pool.submit(() -> catchThrowable(() -> p.fetch(ref(REF), prod()))));
      }
      if (release) {
        Thread.sleep(200); // let the callers reach the wait; the assertions do not depend on it
        gate.countDown();
      }
      for (Future<Throwable> f : all) {
        thrown.add(f.get(20, TimeUnit.SECONDS));
      }
    } finally {
      gate.countDown();
      pool.shutdownNow();
    }
    return thrown;
  }

  @Test
  void coldStart_failedExchange_eachWaiterGetsItsOwnTypedException() throws Exception {
    PlatformSecretProvider p = h.provider();
    h.platform.exchangeFailure = FakePlatform.json(403, "{\"error\":\"repo not in allowlist for token "
        + h.identityToken + "\"}");
    List<Throwable> thrown = fetchConcurrentlyWhileTheExchangeIsHeld(p, true);
    assertThat(thrown).allSatisfy(t -> {
      assertThat(t).isInstanceOf(SecretAccessDeniedException.class).hasMessageContaining("HTTP 403")
          .hasMessageContaining("allowlist");
      leaks.assertAbsent(t);
    });
    Set<Throwable> distinct = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    distinct.addAll(thrown);
    assertThat(distinct).hasSize(thrown.size());
    assertThat(h.platform.to("GET", PATH)).isEmpty();
  }

  @Test
  @Timeout(30)
  void hungExchange_everyWaitingCallerEndsWithATypedErrorWithinTheBound() throws Exception {
    PlatformSecretProvider p = h.provider(h.options().callTimeout(Duration.ofSeconds(1)));
    List<Throwable> thrown = fetchConcurrentlyWhileTheExchangeIsHeld(p, false); // the exchange never answers in time
    assertThat(thrown).allSatisfy(t -> assertThat(t).isInstanceOf(ProviderUnavailableException.class));
    assertThat(h.platform.to("GET", PATH)).isEmpty();
  }

  @Test
  void failedRenewal_currentTokenServesAndRenewalIsRetriedOnlyAfterAPause() {
    PlatformSecretProvider p = h.provider();
    p.fetch(ref(REF), prod());
    String current = bearerOfLastRead();
    h.ticker.advance(Duration.ofMinutes(11));
    h.platform.exchangeFailure = FakePlatform.json(503, null);

    p.fetch(ref(REF), prod());
    p.fetch(ref(REF), prod());
    assertThat(bearerOfLastRead()).isEqualTo(current);
    assertThat(h.platform.exchanges.get()).isEqualTo(2);

    h.ticker.advance(Duration.ofSeconds(AccessTokens.RENEW_RETRY_SECONDS + 1));
    h.platform.exchangeFailure = null;
    p.fetch(ref(REF), prod());
    assertThat(h.platform.exchanges.get()).isEqualTo(3);
    assertThat(bearerOfLastRead()).isNotEqualTo(current);
  }

  @Test
  void expiredToken_isNotUsedButExchangedAgain() {
    PlatformSecretProvider p = h.provider();
    p.fetch(ref(REF), prod());
    String old = bearerOfLastRead();
    h.ticker.advance(Duration.ofMinutes(16));
    h.platform.exchangeFailure = FakePlatform.json(503, null);

    assertThatThrownBy(() -> p.fetch(ref(REF), prod())).isInstanceOf(ProviderUnavailableException.class);
    assertThat(h.platform.to("GET", PATH)).hasSize(1);
    h.platform.exchangeFailure = null;
    p.fetch(ref(REF), prod());
    assertThat(bearerOfLastRead()).isNotEqualTo(old);
  }

  @Test
  void unauthorizedRead_dropsTheTokenAndRetriesOnceWithAFreshOne() {
    PlatformSecretProvider p = h.provider();
    p.fetch(ref(REF), prod());
    h.platform.issued.clear(); // the server forgets (revokes) every token

    p.fetch(ref(REF), prod());

    assertThat(h.platform.exchanges.get()).isEqualTo(2);
    List<RecordedRequest> reads = h.platform.to("GET", PATH);
    assertThat(reads).hasSize(3);
  }

  @Test
  void tokensArePerEnvironmentAndScope() throws Exception {
    h.platform.on("GET", secretPath("payments/ci/k"), 200, "{\"value\":\"v\"}");
    h.platform.on("POST", "/secrets", 201, "{\"version\":\"1\"}");
    PlatformSecretProvider p = h.provider(h.options().placement(PlacementMetadata.builder().owner("o").source("ci")
        .workflow("w").rotationDays(30).build()));

    p.fetch(ref(REF), prod());
    p.fetch(ref("secret://payments/ci/k"), FetchContext.of(RunEnvironment.CI));
    p.write(ref(REF), "x".getBytes(java.nio.charset.StandardCharsets.UTF_8), null);

    List<String> asked = new ArrayList<>();
    for (RecordedRequest r : h.platform.to("POST", "/auth/oidc/exchange")) {
      asked.add(FakePlatform.body(r).path("environment").asText() + " " + FakePlatform.body(r).path("scope").asText());
    }
    assertThat(asked).containsExactly("prod read:secrets", "ci read:secrets", "prod write:secrets");
  }

  @Test
  void malformedExchangeAnswers_nameTheField() {
    h.platform.exchangeFailure = FakePlatform.json(200, "{\"token_type\":\"Bearer\"}");
    PlatformSecretProvider p = h.provider();
    assertThatThrownBy(() -> p.fetch(ref(REF), prod())).isInstanceOf(ProviderUnavailableException.class)
        .hasMessageContaining("'access_token'");

    h.platform.exchangeFailure = FakePlatform.json(200, "{\"access_token\":\"" + FakePlatform.newToken()
        + "\",\"expires_in\":\"soon\"}");
    assertThatThrownBy(() -> p.fetch(ref(REF), prod())).hasMessageContaining("'expires_in'");

    h.platform.exchangeFailure = FakePlatform.json(200, "{\"access_token\":\"" + FakePlatform.newToken()
        + "\",\"token_type\":\"mac\"}");
    assertThatThrownBy(() -> p.fetch(ref(REF), prod())).hasMessageContaining("'token_type'");

    String withNewline = FakePlatform.newToken() + "\\r\\nX-Injected: 1";
    h.platform.exchangeFailure = FakePlatform.json(200, "{\"access_token\":\"" + withNewline + "\"}");
    Throwable t = catchThrowable(() -> p.fetch(ref(REF), prod()));
    assertThat(t).hasMessageContaining("'access_token'");
    assertThat(h.platform.to("GET", PATH)).isEmpty();
  }

  @Test
  void exchangeEndpointMissing_isAConfigurationError() {
    h.platform.exchangeFailure = FakePlatform.json(404, "{\"error\":\"not found\"}");

    assertThatThrownBy(() -> h.provider().fetch(ref(REF), prod())).isInstanceOf(SecretConfigException.class)
        .hasMessageContaining("base URL");
  }

  @Test
  void login_obtainsTheTokenUpFront() {
    h.provider().login();

    assertThat(h.platform.exchanges.get()).isEqualTo(1);
  }
}
