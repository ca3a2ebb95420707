package io.secretsdk.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretConfigException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
final class GitHubActionsTokenSourceTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final String REQUEST_TOKEN = "CANARY-request-token-91be";

  private HttpServer server;
  private final List<String> seenQueries = new CopyOnWriteArrayList<>();
  private final List<String> seenAuth = new CopyOnWriteArrayList<>();
  private final AtomicReference<Responder> responder = new AtomicReference<>();

  interface Responder {
    void respond(HttpExchange ex) throws IOException;
  }

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/token", ex -> {
      seenQueries.add(ex.getRequestURI().getRawQuery());
      seenAuth.add(ex.getRequestHeaders().getFirst("Authorization"));
      responder.get().respond(ex);
      ex.close();
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/token?api-version=2.0";
  }

  private Map<String, String> env() {
    return Map.of(GitHubActionsTokenSource.REQUEST_URL_ENV, url(),
        GitHubActionsTokenSource.REQUEST_TOKEN_ENV, REQUEST_TOKEN);
  }

  private static void send(HttpExchange ex, int status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
    if (b.length > 0) {
      ex.getResponseBody().write(b);
    }
  }

  @Test
  void token_validEnvironment_sendsBearerAndAudienceAndCaches() {
    String jwt = TestJwts.jwt("repo:acme/runner:ref:refs/heads/main", T0.plusSeconds(600));
    responder.set(ex -> send(ex, 200, "{\"count\":1,\"value\":\"" + jwt + "\"}"));
    Map<String, String> env = env();
    try (GitHubActionsTokenSource source = GitHubActionsTokenSource.builder()
        .audience("https://vault.example.com").environment(env::get)
        .clock(new TestJwts.MutableClock(T0)).build()) {

      IdentityToken first = source.token();
      IdentityToken second = source.token();

      assertThat(first.reveal()).isEqualTo(jwt);
      assertThat(first.expiresAt()).contains(T0.plusSeconds(600));
      assertThat(second).isSameAs(first);
      assertThat(seenQueries).containsExactly("api-version=2.0&audience=https%3A%2F%2Fvault.example.com");
      assertThat(seenAuth).containsExactly("Bearer " + REQUEST_TOKEN);
      assertThat(source.toString()).doesNotContain(REQUEST_TOKEN).doesNotContain(jwt);
    }
  }

  @Test
  void token_nearExpiry_fetchesAgain() {
    TestJwts.MutableClock clock = new TestJwts.MutableClock(T0);
    AtomicReference<String> current = new AtomicReference<>(TestJwts.jwt("a", T0.plusSeconds(300)));
    responder.set(ex -> send(ex, 200, "{\"value\":\"" + current.get() + "\"}"));
    Map<String, String> env = env();
    try (GitHubActionsTokenSource source = GitHubActionsTokenSource.builder().audience("vault")
        .environment(env::get).clock(clock).refreshAhead(Duration.ofSeconds(60)).build()) {
      String first = source.token().reveal();
      current.set(TestJwts.jwt("b", T0.plusSeconds(900)));

      clock.advance(Duration.ofSeconds(200)); // 100 s left: not yet due
      assertThat(source.token().reveal()).isEqualTo(first);
      clock.advance(Duration.ofSeconds(50)); // 50 s left: due
      assertThat(source.token().reveal()).isEqualTo(current.get());
      assertThat(seenQueries).hasSize(2);
    }
  }

  @Test
  void token_concurrentCallers_shareOneRequest() throws Exception {
    String jwt = TestJwts.jwt("shared", T0.plusSeconds(600));
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    responder.set(ex -> {
      try {
        release.await(10, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      send(ex, 200, "{\"value\":\"" + jwt + "\"}");
    });
    Map<String, String> env = env();
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
    try (GitHubActionsTokenSource source = GitHubActionsTokenSource.builder().audience("vault")
        .environment(env::get).clock(new TestJwts.MutableClock(T0)).build()) {
      java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(8);
      List<java.util.concurrent.Future<String>> results = new java.util.ArrayList<>();
      for (int i = 0; i < 8; i++) {
        results.add(pool.submit(() -> {
          started.countDown();
          return source.token().reveal();
        }));
      }
      assertThat(started.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      release.countDown();
      for (java.util.concurrent.Future<String> f : results) {
        assertThat(f.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(jwt);
      }
      assertThat(seenQueries).hasSize(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void token_forbidden_throwsAccessDeniedWithoutRequestToken() {
    responder.set(ex -> send(ex, 403, "{\"message\":\"no id-token permission " + REQUEST_TOKEN + "\"}"));
    Map<String, String> env = env();
    try (GitHubActionsTokenSource source = GitHubActionsTokenSource.builder().environment(env::get).build()) {
      assertThatThrownBy(source::token)
          .isInstanceOf(SecretAccessDeniedException.class)
          .hasMessageContaining("403")
          .satisfies(e -> assertThat(e.toString()).doesNotContain(REQUEST_TOKEN));
    }
  }

  @Test
  void token_serverError_throwsUnavailableWithRetryAfter() {
    responder.set(ex -> {
      ex.getResponseHeaders().add("Retry-After", "7");
      send(ex, 503, "busy");
    });
    Map<String, String> env = env();
    try (GitHubActionsTokenSource source = GitHubActionsTokenSource.builder().environment(env::get).build()) {
      assertThatThrownBy(source::token)
          .isInstanceOfSatisfying(ProviderUnavailableException.class,
              e -> assertThat(e.retryAfter()).contains(Duration.ofSeconds(7)));
    }
  }

  @Test
  void token_malformedBody_throwsUnavailable() {
    responder.set(ex -> send(ex, 200, "{\"value\":\"" + REQUEST_TOKEN + "\"}"));
    Map<String, String> env = env();
    try (GitHubActionsTokenSource source = GitHubActionsTokenSource.builder().environment(env::get).build()) {
      assertThatThrownBy(source::token)
          .isInstanceOf(ProviderUnavailableException.class)
          .hasMessageContaining("no JWT")
          .satisfies(e -> assertThat(e.toString()).doesNotContain(REQUEST_TOKEN));
    }
  }

  @Test
  void token_redirect_notFollowed() throws IOException {
    HttpServer other = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    List<String> otherSaw = new CopyOnWriteArrayList<>();
    other.createContext("/", ex -> {
      otherSaw.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
      send(ex, 200, "{}");
      ex.close();
    });
    other.start();
    try {
      responder.set(ex -> {
        ex.getResponseHeaders().add("Location", "http://localhost:" + other.getAddress().getPort() + "/steal");
        send(ex, 302, "");
      });
      Map<String, String> env = env();
      try (GitHubActionsTokenSource source = GitHubActionsTokenSource.builder().environment(env::get).build()) {
        assertThatThrownBy(source::token).isInstanceOf(ProviderUnavailableException.class);
      }
      assertThat(otherSaw).isEmpty();
    } finally {
      other.stop(0);
    }
  }

  @Test
  void token_missingVariables_throwsConfigException() {
    try (GitHubActionsTokenSource source = GitHubActionsTokenSource.builder().environment(k -> null).build()) {
      assertThatThrownBy(source::token)
          .isInstanceOf(SecretConfigException.class)
          .hasMessageContaining(GitHubActionsTokenSource.REQUEST_URL_ENV)
          .hasMessageContaining("id-token: write");
    }
    assertThat(GitHubActionsTokenSource.isAvailable(k -> null)).isFalse();
    assertThat(GitHubActionsTokenSource.isAvailable(env()::get)).isTrue();
  }

  @Test
  void token_plainHttpToRemoteHost_refused() {
    Map<String, String> env = Map.of(GitHubActionsTokenSource.REQUEST_URL_ENV, "http://token.example.com/x",
        GitHubActionsTokenSource.REQUEST_TOKEN_ENV, REQUEST_TOKEN);
    try (GitHubActionsTokenSource source = GitHubActionsTokenSource.builder().environment(env::get).build()) {
      assertThatThrownBy(source::token)
          .isInstanceOf(SecretConfigException.class)
          .hasMessageContaining("https");
    }
  }
}
