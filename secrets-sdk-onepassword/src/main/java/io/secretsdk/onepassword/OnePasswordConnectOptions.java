package io.secretsdk.onepassword;

import io.secretsdk.spi.Ticker;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Immutable settings for reaching a 1Password Connect server: its URL ({@code OP_CONNECT_HOST}),
 * the access token ({@code OP_CONNECT_TOKEN}), timeouts, response limits and the name → id cache.
 *
 * <p>The token is sent only to the configured host: redirects are never followed. Plain
 * {@code http} is accepted for loopback hosts (a Connect server beside the runner); for any other
 * host it needs {@link Builder#allowPlainHttp(boolean)}, since the bearer token would cross the
 * network unencrypted. {@link #toString()} never shows the token.
 *
 * <p>Thread-safe (immutable).
 */
public final class OnePasswordConnectOptions {
  /** Default connect timeout: 10 seconds. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
  /** Default whole-call timeout: 30 seconds. */
  public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(30);
  /** Default lifetime of a cached vault or item name → id lookup: 5 minutes. */
  public static final Duration DEFAULT_NAME_CACHE_TTL = Duration.ofMinutes(5);
  /** Default number of cached name → id lookups. */
  public static final int DEFAULT_NAME_CACHE_SIZE = 1_000;
  /** Default largest JSON response accepted: 1 MiB. */
  public static final long DEFAULT_MAX_RESPONSE_BYTES = 1L << 20;
  /** Default largest file attachment accepted: 10 MiB. */
  public static final long DEFAULT_MAX_FILE_BYTES = 10L << 20;

  private final URI host;
  private final String token;
  private final Duration connectTimeout;
  private final Duration callTimeout;
  private final Duration nameCacheTtl;
  private final int nameCacheSize;
  private final long maxResponseBytes;
  private final long maxFileBytes;
  private final boolean allowPlainHttp;
  private final Clock clock;
  private final Ticker ticker;
  private final okhttp3.OkHttpClient httpClient;

  private OnePasswordConnectOptions(Builder b) {
    this.host = b.host;
    this.token = b.token;
    this.connectTimeout = b.connectTimeout;
    this.callTimeout = b.callTimeout;
    this.nameCacheTtl = b.nameCacheTtl;
    this.nameCacheSize = b.nameCacheSize;
    this.maxResponseBytes = b.maxResponseBytes;
    this.maxFileBytes = b.maxFileBytes;
    this.allowPlainHttp = b.allowPlainHttp;
    this.clock = b.clock;
    this.ticker = b.ticker;
    this.httpClient = b.httpClient;
  }

  /** Starts a builder; {@link Builder#host} and {@link Builder#token} are required. */
  public static Builder builder() {
    return new Builder();
  }

  /** The Connect server's base URL, e.g. {@code http://localhost:8080}. */
  public URI host() {
    return host;
  }

  /** The Connect access token. Do not log it. */
  public String token() {
    return token;
  }

  /** TCP connect timeout. */
  public Duration connectTimeout() {
    return connectTimeout;
  }

  /** Timeout for one whole HTTP call, including reading the body. */
  public Duration callTimeout() {
    return callTimeout;
  }

  /** How long a vault or item name → id lookup stays cached; zero disables the cache. */
  public Duration nameCacheTtl() {
    return nameCacheTtl;
  }

  /** How many name → id lookups are cached at most. */
  public int nameCacheSize() {
    return nameCacheSize;
  }

  /** Largest JSON response body accepted, in bytes. */
  public long maxResponseBytes() {
    return maxResponseBytes;
  }

  /** Largest file attachment accepted, in bytes. */
  public long maxFileBytes() {
    return maxFileBytes;
  }

  /** Whether plain {@code http} is accepted for a host that is not loopback. */
  public boolean allowPlainHttp() {
    return allowPlainHttp;
  }

  /** The wall clock one-time passwords are computed from. */
  public Clock clock() {
    return clock;
  }

  /** The monotonic time source of the name → id cache. */
  public Ticker ticker() {
    return ticker;
  }

  /** The OkHttp client the provider's is derived from, if one was given. */
  public java.util.Optional<okhttp3.OkHttpClient> httpClient() {
    return java.util.Optional.ofNullable(httpClient);
  }

  /** Settings without the token. */
  @Override
  public String toString() {
    return "OnePasswordConnectOptions[host=" + host + ", token=****, connectTimeout="
        + connectTimeout + ", callTimeout=" + callTimeout + ", nameCacheTtl=" + nameCacheTtl
        + ", nameCacheSize=" + nameCacheSize + ", maxResponseBytes=" + maxResponseBytes
        + ", maxFileBytes=" + maxFileBytes + ", allowPlainHttp=" + allowPlainHttp + "]";
  }

  /** Builds {@link OnePasswordConnectOptions}. Not thread-safe; every setter checks its input. */
  public static final class Builder {
    private URI host;
    private String token;
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private Duration callTimeout = DEFAULT_CALL_TIMEOUT;
    private Duration nameCacheTtl = DEFAULT_NAME_CACHE_TTL;
    private int nameCacheSize = DEFAULT_NAME_CACHE_SIZE;
    private long maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES;
    private long maxFileBytes = DEFAULT_MAX_FILE_BYTES;
    private boolean allowPlainHttp;
    private Clock clock = Clock.systemUTC();
    private Ticker ticker = Ticker.system();
    private okhttp3.OkHttpClient httpClient;

    private Builder() {}

    /**
     * The Connect server's URL ({@code OP_CONNECT_HOST}), {@code http} or {@code https}, with an
     * optional path prefix; a bare {@code host:port} is read as {@code http://host:port}.
     *
     * @throws IllegalArgumentException if it is not such a URL, or carries user-info, a query or
     *     a fragment
     * @throws NullPointerException if {@code host} is null
     */
    public Builder host(String host) {
      Objects.requireNonNull(host, "host");
      String h = host.strip();
      if (!h.contains("://")) {
        h = "http://" + h;
      }
      try {
        return host(new URI(h));
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException("host: not a valid URL");
      }
    }

    /**
     * The Connect server's URL.
     *
     * @throws IllegalArgumentException if it is not an {@code http}/{@code https} URL with a host,
     *     or carries user-info, a query or a fragment
     */
    public Builder host(URI host) {
      Objects.requireNonNull(host, "host");
      String scheme = host.getScheme() == null ? "" : host.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https")) {
        throw new IllegalArgumentException("host: scheme must be http or https");
      }
      if (host.getHost() == null || host.getHost().isEmpty()) {
        throw new IllegalArgumentException("host: URL has no host name");
      }
      if (host.getRawUserInfo() != null) {
        throw new IllegalArgumentException("host: user-info is not allowed in the URL");
      }
      if (host.getRawQuery() != null || host.getRawFragment() != null) {
        throw new IllegalArgumentException("host: the URL must not have a query or fragment");
      }
      this.host = host;
      return this;
    }

    /**
     * The Connect access token ({@code OP_CONNECT_TOKEN}).
     *
     * @throws IllegalArgumentException if it is blank or holds whitespace or control characters
     */
    public Builder token(String token) {
      Objects.requireNonNull(token, "token");
      if (token.isBlank()) {
        throw new IllegalArgumentException("token: must not be blank");
      }
      for (int i = 0; i < token.length(); i++) {
        char c = token.charAt(i);
        if (c <= ' ' || c >= 0x7F) {
          throw new IllegalArgumentException(
              "token: must be printable ASCII without spaces (position " + i + ")");
        }
      }
      this.token = token;
      return this;
    }

    /** TCP connect timeout; positive. */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = positive(timeout, "connectTimeout");
      return this;
    }

    /** Whole-call timeout; positive. */
    public Builder callTimeout(Duration timeout) {
      this.callTimeout = positive(timeout, "callTimeout");
      return this;
    }

    /** Lifetime of cached name → id lookups; zero disables the cache; not negative. */
    public Builder nameCacheTtl(Duration ttl) {
      Objects.requireNonNull(ttl, "nameCacheTtl");
      if (ttl.isNegative()) {
        throw new IllegalArgumentException("nameCacheTtl: must not be negative");
      }
      this.nameCacheTtl = ttl;
      return this;
    }

    /** Most cached name → id lookups; at least 1. */
    public Builder nameCacheSize(int size) {
      if (size < 1) {
        throw new IllegalArgumentException("nameCacheSize: must be at least 1");
      }
      this.nameCacheSize = size;
      return this;
    }

    /** Largest JSON response accepted, in bytes; at least 1 KiB. */
    public Builder maxResponseBytes(long bytes) {
      if (bytes < 1024) {
        throw new IllegalArgumentException("maxResponseBytes: must be at least 1024");
      }
      this.maxResponseBytes = bytes;
      return this;
    }

    /** Largest file attachment accepted, in bytes; at least 1. */
    public Builder maxFileBytes(long bytes) {
      if (bytes < 1 || bytes > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException("maxFileBytes: must be between 1 and 2 GiB");
      }
      this.maxFileBytes = bytes;
      return this;
    }

    /**
     * Accept plain {@code http} for a host that is not loopback. Off by default: the bearer
     * token would cross the network unencrypted.
     */
    public Builder allowPlainHttp(boolean allow) {
      this.allowPlainHttp = allow;
      return this;
    }

    /** The wall clock for one-time passwords (tests inject a fixed clock). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The monotonic time source of the name → id cache (tests inject a fake one). */
    public Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /**
     * An OkHttp client to derive the provider's from (its proxy, connection pool, interceptors,
     * socket factory and trust material). The SDK's own rules still apply on top: redirects are not
     * followed, the token is sent to the configured host only (checked after the client's
     * application interceptors, which therefore never see it; its network interceptors do, and the
     * token is registered for redaction), these options' timeouts win, and a client whose
     * hostname verifier is not OkHttp's is refused when the provider is made. The provider's
     * {@code close()} cancels its own calls and leaves the client you gave running.
     *
     * @throws NullPointerException if {@code client} is null
     */
    public Builder httpClient(okhttp3.OkHttpClient client) {
      this.httpClient = Objects.requireNonNull(client, "client");
      return this;
    }

    /**
     * Builds the options.
     *
     * @throws IllegalStateException if the host or the token is missing, or the host is plain
     *     {@code http}, not loopback, and {@link #allowPlainHttp(boolean)} is off
     */
    public OnePasswordConnectOptions build() {
      if (host == null) {
        throw new IllegalStateException("host is required (OP_CONNECT_HOST)");
      }
      if (token == null) {
        throw new IllegalStateException("token is required (OP_CONNECT_TOKEN)");
      }
      if (host.getScheme().equalsIgnoreCase("http") && !allowPlainHttp && !isLoopback(host.getHost())) {
        throw new IllegalStateException("host uses plain http and is not a loopback address: the"
            + " token would cross the network unencrypted; use https, or allowPlainHttp(true)"
            + " (OP_CONNECT_ALLOW_HTTP=true) for a trusted network");
      }
      return new OnePasswordConnectOptions(this);
    }

    private static boolean isLoopback(String hostName) {
      String h = hostName.startsWith("[") ? hostName.substring(1, hostName.length() - 1) : hostName;
      if (h.equalsIgnoreCase("localhost")) {
        return true;
      }
      // literal addresses only: never resolve names here
      if (h.matches("[0-9.]+") || h.contains(":")) {
        try {
          return InetAddress.getByName(h).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
          return false;
        }
      }
      return false;
    }

    private static Duration positive(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + ": must be positive");
      }
      return d;
    }
  }
}
