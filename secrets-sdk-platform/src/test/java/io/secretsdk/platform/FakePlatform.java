package io.secretsdk.platform;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;

/**
 * A Secrets API on MockWebServer: the two auth endpoints issue fresh random tokens (each a canary
 * the test can look for), every other route is declared by the test and is served only to a
 * request whose bearer token was issued (else 401). Records every request.
 */
final class FakePlatform extends Dispatcher {
  static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, Function<RecordedRequest, MockResponse>> routes = new ConcurrentHashMap<>();
  final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
  final Set<String> issued = ConcurrentHashMap.newKeySet();
  final AtomicInteger exchanges = new AtomicInteger();
  volatile long expiresIn = 900;
  /** When set, each exchange waits for it (to hold callers while one exchange is in flight). */
  volatile CountDownLatch exchangeGate;
  /** When set, the next exchanges answer this instead of a token. */
  volatile MockResponse exchangeFailure;

  /** Serves {@code method encodedPath} (query excluded) with {@code handler}. */
  FakePlatform on(String method, String encodedPath, Function<RecordedRequest, MockResponse> handler) {
    routes.put(method + " " + encodedPath, handler);
    return this;
  }

  FakePlatform on(String method, String encodedPath, int status, String json) {
    return on(method, encodedPath, r -> json(status, json));
  }

  static MockResponse json(int status, String body) {
    MockResponse.Builder b = new MockResponse.Builder().code(status);
    if (body != null) {
      b.addHeader("Content-Type", "application/json").body(body);
    }
    return b.build();
  }

  static String newToken() {
    return "at-" + UUID.randomUUID().toString().replace("-", "") + "Q7";
  }

  /** The requests to {@code encodedPath}. */
  List<RecordedRequest> to(String method, String encodedPath) {
    return requests.stream().filter(r -> r.getMethod().equals(method) && r.getUrl().encodedPath().equals(encodedPath))
        .toList();
  }

  static JsonNode body(RecordedRequest r) throws IOException {
    return JSON.readTree(r.getBody().toByteArray());
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    requests.add(request);
    String path = request.getUrl().encodedPath();
    if (request.getMethod().equals("POST") && (path.equals("/auth/oidc/exchange") || path.equals("/auth/service-token"))) {
      exchanges.incrementAndGet();
      CountDownLatch gate = exchangeGate;
      if (gate != null) {
        try {
          gate.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      MockResponse failure = exchangeFailure;
      if (failure != null) {
        return failure;
      }
      String token = newToken();
      issued.add(token);
      return json(200, "{\"access_token\":\"" + token + "\",\"token_type\":\"Bearer\",\"expires_in\":" + expiresIn + "}");
    }
    String auth = request.getHeaders().get("Authorization");
    if (auth == null || !auth.startsWith("Bearer ") || !issued.contains(auth.substring(7))) {
      return json(401, "{\"error\":\"invalid or expired token\"}");
    }
    Function<RecordedRequest, MockResponse> h = routes.get(request.getMethod() + " " + path);
    return h == null ? json(404, "{\"error\":\"no such route\"}") : h.apply(request);
  }
}
