package io.secretsdk.identity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretConfigException;
import io.secretsdk.redact.RedactionIndex;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Function;

/**
 * Fetches the GitHub Actions OIDC token for this workflow job, for a given audience.
 *
 * <p>The job must have {@code permissions: id-token: write}; the runner then sets
 * {@code ACTIONS_ID_TOKEN_REQUEST_URL} and {@code ACTIONS_ID_TOKEN_REQUEST_TOKEN}. The token is
 * requested from that URL with {@code &audience=...} and the request token as a bearer token, and is
 * cached until it is within {@link Builder#refreshAhead(Duration) refreshAhead} of its
 * {@code exp} claim (read with nimbus-jose-jwt). Redirects are never followed, so the request token
 * is sent only to the host the runner named; plain {@code http} is refused except to loopback.
 *
 * <p>Uses the JDK {@link HttpClient} (core has no OkHttp). On Java 21 and later {@link #close()}
 * closes it; on Java 17 its selector thread ends once the source is unreachable.
 *
 * <p>Both credentials are registered with {@link RedactionIndex#global()} the moment this source
 * holds them: the request token ({@code credential://identity/github-actions-request}) before it
 * is sent, and each new OIDC token ({@code credential://identity/github-actions}) before it is
 * parsed or returned, so any log line written through the redacting encoder masks them.
 *
 * <p>Thread-safe: concurrent callers share one request.
 */
public final class GitHubActionsTokenSource implements IdentityTokenSource, AutoCloseable {
  /** The variable holding the token request URL. */
  public static final String REQUEST_URL_ENV = "ACTIONS_ID_TOKEN_REQUEST_URL";
  /** The variable holding the bearer token for the request. */
  public static final String REQUEST_TOKEN_ENV = "ACTIONS_ID_TOKEN_REQUEST_TOKEN";
  /** Refresh the cached token when it expires within this window, by default. */
  public static final Duration DEFAULT_REFRESH_AHEAD = Duration.ofMinutes(1);
  /** Time limit for one token request, by default. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  private static final ObjectMapper JSON = new ObjectMapper();
  static final String TOKEN_KIND = "identity/github-actions";
  static final String REQUEST_TOKEN_KIND = "identity/github-actions-request";

  private final String audience;
  private final Function<String, String> environment;
  private final Clock clock;
  private final Duration refreshAhead;
  private final Duration timeout;
  private final HttpClient http;
  private final Object lock = new Object();
  private volatile IdentityToken cached;
  /** The request token last registered (guarded by {@code lock}): an unchanged one is not registered again. */
  private String registeredBearer;

  private GitHubActionsTokenSource(Builder b) {
    this.audience = b.audience;
    this.environment = b.environment;
    this.clock = b.clock;
    this.refreshAhead = b.refreshAhead;
    this.timeout = b.timeout;
    this.http = HttpClient.newBuilder()
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(b.timeout)
        .build();
  }

  /**
   * A source for {@code audience} reading the real process environment.
   *
   * @param audience the {@code aud} claim to ask for (Vault JWT roles bind it with
   *     {@code bound_audiences}); {@code null} for GitHub's default audience
   */
  public static GitHubActionsTokenSource create(String audience) {
    return builder().audience(audience).build();
  }

  /** Starts a builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Whether the given environment can issue tokens (both variables set). */
  public static boolean isAvailable(Function<String, String> environment) {
    return notBlank(environment.apply(REQUEST_URL_ENV)) && notBlank(environment.apply(REQUEST_TOKEN_ENV));
  }

  /**
   * The current token, fetched from GitHub when none is cached or the cached one nears expiry.
   *
   * @throws SecretConfigException if the variables are not set (the job lacks
   *     {@code permissions: id-token: write}, or this is not GitHub Actions) or the URL is unusable
   * @throws SecretAccessDeniedException if GitHub refuses to issue a token (401/403)
   * @throws ProviderUnavailableException on I/O errors, time-outs, 5xx/429 or a malformed answer
   */
  @Override
  public IdentityToken token() {
    IdentityToken t = cached;
    if (t != null && !JwtSupport.dueForRefresh(t.expiresAt().orElse(null), clock.instant(), refreshAhead)) {
      return t;
    }
    synchronized (lock) {
      t = cached;
      if (t == null || JwtSupport.dueForRefresh(t.expiresAt().orElse(null), clock.instant(), refreshAhead)) {
        t = fetch();
        cached = t;
      }
      return t;
    }
  }

  private IdentityToken fetch() {
    String url = environment.apply(REQUEST_URL_ENV);
    String bearer = environment.apply(REQUEST_TOKEN_ENV);
    if (!notBlank(url)) {
      throw new SecretConfigException(null, 0, REQUEST_URL_ENV,
          "not set: the workflow job needs 'permissions: id-token: write'");
    }
    if (!notBlank(bearer)) {
      throw new SecretConfigException(null, 0, REQUEST_TOKEN_ENV,
          "not set: the workflow job needs 'permissions: id-token: write'");
    }
    bearer = bearer.strip();
    if (!bearer.equals(registeredBearer)) {
      RedactionIndex.global().registerCredential(REQUEST_TOKEN_KIND, bearer);
      registeredBearer = bearer;
    }
    URI uri = requestUri(url.strip());
    HttpRequest request = HttpRequest.newBuilder(uri)
        .timeout(timeout)
        .header("Authorization", "Bearer " + bearer)
        .header("Accept", "application/json; api-version=2.0")
        .header("User-Agent", "secrets-sdk")
        .GET()
        .build();
    HttpResponse<InputStream> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw new ProviderUnavailableException(null,
          "GitHub Actions OIDC token request to " + uri.getHost() + " failed: " + e.getClass().getSimpleName(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ProviderUnavailableException(null, "interrupted while requesting the GitHub Actions OIDC token", null);
    }
    byte[] body;
    try (InputStream in = response.body()) {
      body = in.readNBytes(JwtSupport.MAX_TOKEN_BYTES + 1);
    } catch (IOException e) {
      throw new ProviderUnavailableException(null,
          "reading the GitHub Actions OIDC token response failed: " + e.getClass().getSimpleName(), e);
    }
    int status = response.statusCode();
    if (status == 401 || status == 403) {
      throw new SecretAccessDeniedException(null, "GitHub Actions refused to issue an OIDC token (HTTP " + status + ")");
    }
    if (status == 429 || status >= 500) {
      throw new ProviderUnavailableException(null, "GitHub Actions OIDC token endpoint answered HTTP " + status,
          null, retryAfter(response));
    }
    if (status != 200) {
      throw new ProviderUnavailableException(null, "GitHub Actions OIDC token endpoint answered HTTP " + status);
    }
    if (body.length > JwtSupport.MAX_TOKEN_BYTES) {
      throw new ProviderUnavailableException(null, "GitHub Actions OIDC token response is too large");
    }
    String value;
    try {
      JsonNode node = JSON.readTree(body);
      JsonNode v = node == null ? null : node.get("value");
      if (v == null || !v.isTextual() || v.asText().isBlank()) {
        throw new ProviderUnavailableException(null, "GitHub Actions OIDC token response has no 'value'");
      }
      value = v.asText();
      RedactionIndex.global().registerCredential(TOKEN_KIND, value);
    } catch (IOException e) {
      throw new ProviderUnavailableException(null, "GitHub Actions OIDC token response is not JSON", null);
    } finally {
      java.util.Arrays.fill(body, (byte) 0);
    }
    Instant exp;
    try {
      exp = JwtSupport.expiry(value);
    } catch (IllegalArgumentException e) {
      throw new ProviderUnavailableException(null, "GitHub Actions OIDC token response holds no JWT");
    }
    return IdentityToken.of(value, exp);
  }

  private URI requestUri(String url) {
    URI base;
    try {
      base = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw new SecretConfigException(null, 0, REQUEST_URL_ENV, "is not a valid URL");
    }
    String scheme = base.getScheme();
    if (base.getHost() == null || scheme == null
        || !(scheme.equals("https") || (scheme.equals("http") && isLoopback(base.getHost())))) {
      throw new SecretConfigException(null, 0, REQUEST_URL_ENV, "must be an https URL (http only to loopback)");
    }
    if (audience == null) {
      return base;
    }
    String sep = base.getRawQuery() == null ? "?" : "&";
    return URI.create(url + sep + "audience=" + URLEncoder.encode(audience, StandardCharsets.UTF_8));
  }

  private static boolean isLoopback(String host) {
    if (host.equals("localhost")) {
      return true;
    }
    try {
      // literal addresses only: no DNS lookup for names
      if (host.matches("[0-9.]+") || host.startsWith("[")) {
        return InetAddress.getByName(host.replace("[", "").replace("]", "")).isLoopbackAddress();
      }
    } catch (IOException e) {
      return false;
    }
    return false;
  }

  private static Duration retryAfter(HttpResponse<?> response) {
    return response.headers().firstValue("Retry-After").map(v -> {
      try {
        long s = Long.parseLong(v.trim());
        return s >= 0 ? Duration.ofSeconds(s) : null;
      } catch (NumberFormatException e) {
        return null;
      }
    }).orElse(null);
  }

  private static boolean notBlank(String s) {
    return s != null && !s.isBlank();
  }

  /** Closes the HTTP client on Java 21 and later; a no-op on Java 17. Idempotent. */
  @Override
  public void close() {
    cached = null;
    Object client = http;
    if (client instanceof AutoCloseable) {
      try {
        ((AutoCloseable) client).close();
      } catch (Exception e) {
        // nothing to report: closing is best effort
      }
    }
  }

  @Override
  public String toString() {
    return "GitHubActionsTokenSource[audience=" + audience + "]";
  }

  /** Builds a {@link GitHubActionsTokenSource}. Not thread-safe. */
  public static final class Builder {
    private String audience;
    private Function<String, String> environment = System::getenv;
    private Clock clock = Clock.systemUTC();
    private Duration refreshAhead = DEFAULT_REFRESH_AHEAD;
    private Duration timeout = DEFAULT_TIMEOUT;

    private Builder() {}

    /** The audience to request; {@code null} (the default) leaves GitHub's default. */
    public Builder audience(String audience) {
      if (audience != null && (audience.isBlank() || audience.length() > 512)) {
        throw new IllegalArgumentException("audience must be non-blank and at most 512 characters");
      }
      this.audience = audience;
      return this;
    }

    /** Where to read the two variables (tests inject a map); the process environment by default. */
    public Builder environment(Function<String, String> environment) {
      this.environment = Objects.requireNonNull(environment, "environment");
      return this;
    }

    /** The clock that decides whether the cached token nears expiry. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Fetch a new token when the cached one expires within this window.
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder refreshAhead(Duration refreshAhead) {
      this.refreshAhead = JwtSupport.requireNonNegative(refreshAhead, "refreshAhead");
      return this;
    }

    /**
     * Time limit for connecting and for the whole request.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder timeout(Duration timeout) {
      if (timeout == null || timeout.isZero() || timeout.isNegative()) {
        throw new IllegalArgumentException("timeout must be positive");
      }
      this.timeout = timeout;
      return this;
    }

    /** Builds the source; nothing is requested until {@link #token()}. */
    public GitHubActionsTokenSource build() {
      return new GitHubActionsTokenSource(this);
    }
  }
}
