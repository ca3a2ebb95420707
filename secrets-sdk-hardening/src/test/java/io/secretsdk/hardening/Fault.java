package io.secretsdk.hardening;

import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import okhttp3.HttpUrl;

/** One kind of misbehaving server, injected into the request that reads the secret. */
enum Fault {
  CONNECTION_REFUSED("connection refused", Expect.TRANSIENT),
  RESET_MID_BODY("connection reset mid-body", Expect.TRANSIENT),
  SLOW_BODY("body slower than the read timeout", Expect.TRANSIENT),
  TRUNCATED_JSON("200 with truncated JSON", Expect.REJECTED),
  HTML_ECHOES_TOKEN("502 HTML page echoing the request's headers (token)", Expect.TRANSIENT),
  WRONG_CONTENT_TYPE("200, right JSON, `Content-Type: text/plain`", Expect.ANY_TYPED),
  CAPTIVE_PORTAL("200 HTML page (captive portal)", Expect.REJECTED),
  BURST_5XX("503, 503, then healthy", Expect.RECOVERS),
  STORM_5XX("500 on every attempt", Expect.TRANSIENT),
  STORM_429("429 on every attempt, `Retry-After: 0`", Expect.TRANSIENT),
  RETRY_AFTER_BEYOND_BUDGET("429 with `Retry-After: 600` (beyond the retry budget)", Expect.NOT_RETRIED),
  REDIRECT_OTHER_HOST("307 to another host", Expect.REJECTED),
  HUGE_BODY("4 MiB body (limits: 256 KiB Vault and 1Password here, 3 MiB AWS)", Expect.REJECTED),
  UNAUTHORIZED_EMPTY("401 with an empty body (no error code)", Expect.DENIED),
  FORBIDDEN_PROXY_PAGE("403 HTML page from a proxy (no error code)", Expect.DENIED);

  /** What the design says must happen on a cold resolve. */
  enum Expect {
    /** {@code ProviderUnavailableException} after every attempt; a cached value is served stale. */
    TRANSIENT,
    /** {@code ProviderUnavailableException} after one attempt; a cached value is served stale. */
    NOT_RETRIED,
    /** The value, after the failed attempts were retried. */
    RECOVERS,
    /** A typed {@code SecretException}, never a value. */
    REJECTED,
    /** {@code SecretAccessDeniedException}; a cached value is not served past its TTL. */
    DENIED,
    /** Either the value or a typed exception (the table records which). */
    ANY_TYPED
  }

  static final int HUGE_BYTES = 4 << 20;

  private final String label;
  private final Expect expect;

  Fault(String label, Expect expect) {
    this.label = label;
    this.expect = expect;
  }

  String label() {
    return label;
  }

  Expect expect() {
    return expect;
  }

  /** The answer to the {@code attempt}-th (1-based) secret request while the fault is on. */
  MockResponse respond(HttpProviderKind kind, RecordedRequest request, int attempt, HttpUrl otherHost) {
    String healthy = kind.secretBody(Canaries.VALUE);
    switch (this) {
      case CONNECTION_REFUSED:
        throw new IllegalStateException("the server is closed for this fault");
      case RESET_MID_BODY:
        return new MockResponse.Builder().code(200).setHeader("Content-Type", kind.contentType())
            .body(healthy).onResponseBody(new SocketEffect.CloseSocket()).build();
      case SLOW_BODY:
        return new MockResponse.Builder().code(200).setHeader("Content-Type", kind.contentType())
            .body(healthy).throttleBody(8, 1, TimeUnit.SECONDS).build();
      case TRUNCATED_JSON:
        return kind.json(200, healthy.substring(0, healthy.indexOf(Canaries.VALUE) + 6));
      case HTML_ECHOES_TOKEN:
        return new MockResponse.Builder().code(502).setHeader("Content-Type", "text/html")
            .body("<html><body><h1>502 Bad Gateway</h1><pre>" + request.getRequestLine() + "\n"
                + request.getHeaders() + "</pre><p>" + Canaries.VALUE + "</p></body></html>").build();
      case WRONG_CONTENT_TYPE:
        return new MockResponse.Builder().code(200).setHeader("Content-Type", "text/plain").body(healthy).build();
      case CAPTIVE_PORTAL:
        return new MockResponse.Builder().code(200).setHeader("Content-Type", "text/html")
            .body("<html><body>Sign in to the hotel Wi-Fi<form><input name=token value=\""
                + request.getHeaders() + "\"></form></body></html>").build();
      case BURST_5XX:
        return attempt <= 2 ? kind.json(503, kind.errorBody(503)) : kind.secret(Canaries.VALUE);
      case STORM_5XX:
        return kind.json(500, kind.errorBody(500));
      case STORM_429:
        return new MockResponse.Builder(kind.json(429, kind.errorBody(429))).setHeader("Retry-After", "0").build();
      case RETRY_AFTER_BEYOND_BUDGET:
        return new MockResponse.Builder(kind.json(429, kind.errorBody(429))).setHeader("Retry-After", "600").build();
      case REDIRECT_OTHER_HOST:
        return new MockResponse.Builder().code(307)
            .setHeader("Location", otherHost.newBuilder().encodedPath(request.getUrl().encodedPath()).build())
            .build();
      case HUGE_BODY:
        return kind.json(200, kind.secretBody(Canaries.VALUE + "x".repeat(HUGE_BYTES)));
      case UNAUTHORIZED_EMPTY:
        return new MockResponse.Builder().code(401).build();
      case FORBIDDEN_PROXY_PAGE:
        return new MockResponse.Builder().code(403).setHeader("Content-Type", "text/html")
            .body("<html><body><h1>Access denied by policy</h1></body></html>").build();
      default:
        throw new AssertionError(this);
    }
  }
}
