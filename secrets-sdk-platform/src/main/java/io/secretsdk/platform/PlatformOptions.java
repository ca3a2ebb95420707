package io.secretsdk.platform;

import io.secretsdk.RunEnvironment;
import io.secretsdk.SecretConfigException;
import io.secretsdk.http.internal.LoopbackAddress;
import io.secretsdk.spi.Ticker;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import okhttp3.OkHttpClient;

/**
 * Settings of a {@link PlatformSecretProvider}: where the Secrets API is, how to authenticate, the
 * environments and scopes, placement defaults, time-outs and bounds.
 *
 * <p>Plain {@code http://} is accepted only to {@code localhost} or a loopback address literal
 * ({@code 127.0.0.0/8}, {@code [::1]}) unless {@link Builder#allowInsecureHttp(boolean)} is set.
 *
 * <p>Immutable and thread-safe; build with {@link #builder()}.
 */
public final class PlatformOptions {
  /** The environments the platform knows, by default. */
  public static final Set<String> DEFAULT_ENVIRONMENTS = Set.of("dev", "ci", "staging", "prod");
  /** The scope asked for reads and history: {@value}. */
  public static final String DEFAULT_READ_SCOPE = "read:secrets";
  /** The scope asked for placements and revocations: {@value} (the seed's example). */
  public static final String DEFAULT_WRITE_SCOPE = "write:secrets";
  /** The scope asked for the audit stream: {@value}. */
  public static final String DEFAULT_AUDIT_SCOPE = "read:audit";
  /** Time limit for opening a connection, by default. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
  /** Time limit between bytes read or written, by default. */
  public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(30);
  /** Time limit for one whole call, by default. */
  public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(60);
  /** Renew the access token this long before it expires (at most half its life), by default. */
  public static final Duration DEFAULT_TOKEN_RENEW_BEFORE = Duration.ofMinutes(5);
  /** Largest response body accepted, by default (1 MiB). */
  public static final long DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;
  /** Most audit events returned by one {@link PlatformSecretProvider#audit} call, by default. */
  public static final int DEFAULT_MAX_AUDIT_EVENTS = 1000;

  private static final Pattern ENVIRONMENT = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
  private static final Pattern SCOPE = Pattern.compile("[A-Za-z0-9:._*/-]{1,128}( [A-Za-z0-9:._*/-]{1,128}){0,15}");

  private final URI baseUrl;
  private final PlatformAuthentication authentication;
  private final Set<String> environments;
  private final String environment;
  private final String readScope;
  private final String writeScope;
  private final String auditScope;
  private final PlacementMetadata placement;
  private final Duration connectTimeout;
  private final Duration readTimeout;
  private final Duration callTimeout;
  private final Duration tokenRenewBefore;
  private final long maxResponseBytes;
  private final int maxAuditEvents;
  private final boolean allowInsecureHttp;
  private final OkHttpClient httpClient;
  private final Ticker ticker;
  private final Clock clock;

  private PlatformOptions(Builder b) {
    this.baseUrl = b.baseUrl;
    this.authentication = b.authentication;
    this.environments = Set.copyOf(b.environments);
    this.environment = b.environment;
    this.readScope = b.readScope;
    this.writeScope = b.writeScope;
    this.auditScope = b.auditScope;
    this.placement = b.placement;
    this.connectTimeout = b.connectTimeout;
    this.readTimeout = b.readTimeout;
    this.callTimeout = b.callTimeout;
    this.tokenRenewBefore = b.tokenRenewBefore;
    this.maxResponseBytes = b.maxResponseBytes;
    this.maxAuditEvents = b.maxAuditEvents;
    this.allowInsecureHttp = b.allowInsecureHttp;
    this.httpClient = b.httpClient;
    this.ticker = b.ticker;
    this.clock = b.clock;
  }

  /** Starts a builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** The Secrets API's base URL; the API's paths ({@code /secrets}, {@code /auth/...}) go under it. */
  public URI baseUrl() {
    return baseUrl;
  }

  /** How the access token is obtained. */
  public PlatformAuthentication authentication() {
    return authentication;
  }

  /** The environment names the platform knows; a ref's environment must be one of them. */
  public Set<String> environments() {
    return environments;
  }

  /**
   * The environment of refs that leave it out, when configured; otherwise the run environment's
   * ({@code dev} for local runs, {@code ci}, {@code prod}).
   */
  public Optional<String> environment() {
    return Optional.ofNullable(environment);
  }

  /** The platform environment a run environment maps to when {@link #environment()} is unset. */
  public String environmentFor(RunEnvironment run) {
    if (environment != null) {
      return environment;
    }
    switch (run) {
      case PROD:
        return "prod";
      case CI:
        return "ci";
      default:
        return "dev";
    }
  }

  /** The scope asked for reads and version history. */
  public String readScope() {
    return readScope;
  }

  /** The scope asked for placements and revocations. */
  public String writeScope() {
    return writeScope;
  }

  /** The scope asked for the audit stream. */
  public String auditScope() {
    return auditScope;
  }

  /** Placement metadata used by writes that do not give their own (possibly incomplete). */
  public PlacementMetadata placement() {
    return placement;
  }

  /** Time limit for opening a connection. */
  public Duration connectTimeout() {
    return connectTimeout;
  }

  /** Time limit between bytes read or written. */
  public Duration readTimeout() {
    return readTimeout;
  }

  /** Time limit for one whole call. */
  public Duration callTimeout() {
    return callTimeout;
  }

  /** How long before expiry the access token is renewed (at most half its lifetime). */
  public Duration tokenRenewBefore() {
    return tokenRenewBefore;
  }

  /** Largest response body accepted, in bytes. */
  public long maxResponseBytes() {
    return maxResponseBytes;
  }

  /** Most audit events one call returns. */
  public int maxAuditEvents() {
    return maxAuditEvents;
  }

  /** Whether plain {@code http://} is allowed to hosts other than loopback. */
  public boolean allowInsecureHttp() {
    return allowInsecureHttp;
  }

  /** The OkHttp client to derive the provider's client from, when given. */
  public Optional<OkHttpClient> httpClient() {
    return Optional.ofNullable(httpClient);
  }

  /** The ticker token lifetimes are measured with. */
  public Ticker ticker() {
    return ticker;
  }

  /** The clock wall times ({@code expires_at}, {@code Retry-After} dates) are read against. */
  public Clock clock() {
    return clock;
  }

  @Override
  public String toString() {
    return "PlatformOptions[baseUrl=" + baseUrl + ", authentication=" + authentication + ", environments="
        + environments + ", environment=" + environment + "]";
  }

  /** Builds {@link PlatformOptions}; every setter checks its argument. Not thread-safe. */
  public static final class Builder {
    private URI baseUrl;
    private PlatformAuthentication authentication;
    private final Set<String> environments = new LinkedHashSet<>(DEFAULT_ENVIRONMENTS);
    private String environment;
    private String readScope = DEFAULT_READ_SCOPE;
    private String writeScope = DEFAULT_WRITE_SCOPE;
    private String auditScope = DEFAULT_AUDIT_SCOPE;
    private PlacementMetadata placement = PlacementMetadata.none();
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private Duration readTimeout = DEFAULT_READ_TIMEOUT;
    private Duration callTimeout = DEFAULT_CALL_TIMEOUT;
    private Duration tokenRenewBefore = DEFAULT_TOKEN_RENEW_BEFORE;
    private long maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES;
    private int maxAuditEvents = DEFAULT_MAX_AUDIT_EVENTS;
    private boolean allowInsecureHttp;
    private OkHttpClient httpClient;
    private Ticker ticker = Ticker.system();
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /**
     * The base URL, e.g. {@code https://secrets.example.com} (a path prefix is allowed).
     *
     * @throws IllegalArgumentException if not an http(s) URL with a host, or with user-info, a
     *     query or a fragment
     */
    public Builder baseUrl(String baseUrl) {
      Objects.requireNonNull(baseUrl, "baseUrl");
      try {
        return baseUrl(URI.create(baseUrl.strip()));
      } catch (IllegalArgumentException e) {
        if (e.getMessage() != null && e.getMessage().startsWith("baseUrl")) {
          throw e;
        }
        throw new IllegalArgumentException("baseUrl is not a valid URL");
      }
    }

    /**
     * The base URL.
     *
     * @throws IllegalArgumentException see {@link #baseUrl(String)}
     */
    public Builder baseUrl(URI baseUrl) {
      Objects.requireNonNull(baseUrl, "baseUrl");
      String scheme = baseUrl.getScheme() == null ? "" : baseUrl.getScheme().toLowerCase(Locale.ROOT);
      if (!(scheme.equals("https") || scheme.equals("http")) || baseUrl.getHost() == null) {
        throw new IllegalArgumentException("baseUrl must be an http(s) URL with a host");
      }
      if (baseUrl.getRawUserInfo() != null || baseUrl.getRawQuery() != null || baseUrl.getRawFragment() != null) {
        throw new IllegalArgumentException("baseUrl must not have user-info, a query or a fragment");
      }
      this.baseUrl = baseUrl;
      return this;
    }

    /** How to obtain the access token (required). */
    public Builder authentication(PlatformAuthentication authentication) {
      this.authentication = Objects.requireNonNull(authentication, "authentication");
      return this;
    }

    /**
     * The environment names the platform knows (replacing {@link #DEFAULT_ENVIRONMENTS}).
     *
     * @throws IllegalArgumentException if empty or a name is not lower-case letters, digits,
     *     {@code .}, {@code _}, {@code -}
     */
    public Builder environments(Set<String> names) {
      Objects.requireNonNull(names, "environments");
      if (names.isEmpty()) {
        throw new IllegalArgumentException("environments must not be empty");
      }
      for (String n : names) {
        checkEnvironment(n, "environments");
      }
      environments.clear();
      environments.addAll(names);
      return this;
    }

    /**
     * The environment of refs that leave it out; {@code null} (the default) follows the run
     * environment.
     *
     * @throws IllegalArgumentException if not a valid environment name
     */
    public Builder environment(String environment) {
      this.environment = environment == null ? null : checkEnvironment(environment, "environment");
      return this;
    }

    /**
     * The scope asked for reads.
     *
     * @throws IllegalArgumentException if not space-separated scope tokens
     */
    public Builder readScope(String scope) {
      this.readScope = checkScope(scope, "readScope");
      return this;
    }

    /**
     * The scope asked for placements and revocations.
     *
     * @throws IllegalArgumentException if not space-separated scope tokens
     */
    public Builder writeScope(String scope) {
      this.writeScope = checkScope(scope, "writeScope");
      return this;
    }

    /**
     * The scope asked for the audit stream.
     *
     * @throws IllegalArgumentException if not space-separated scope tokens
     */
    public Builder auditScope(String scope) {
      this.auditScope = checkScope(scope, "auditScope");
      return this;
    }

    /** Placement metadata for writes that give none of their own. */
    public Builder placement(PlacementMetadata placement) {
      this.placement = Objects.requireNonNull(placement, "placement");
      return this;
    }

    /**
     * Time limit for opening a connection.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder connectTimeout(Duration d) {
      this.connectTimeout = positive(d, "connectTimeout");
      return this;
    }

    /**
     * Time limit between bytes.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder readTimeout(Duration d) {
      this.readTimeout = positive(d, "readTimeout");
      return this;
    }

    /**
     * Time limit for one whole call; also bounds how long a caller waits for a token exchange
     * another caller started.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder callTimeout(Duration d) {
      this.callTimeout = positive(d, "callTimeout");
      return this;
    }

    /**
     * Renew the access token this long before it expires (capped at half its lifetime).
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder tokenRenewBefore(Duration d) {
      if (d == null || d.isNegative()) {
        throw new IllegalArgumentException("tokenRenewBefore must not be negative");
      }
      this.tokenRenewBefore = d;
      return this;
    }

    /**
     * Largest response body accepted.
     *
     * @throws IllegalArgumentException if below 1 KiB
     */
    public Builder maxResponseBytes(long bytes) {
      if (bytes < 1024) {
        throw new IllegalArgumentException("maxResponseBytes must be at least 1024");
      }
      this.maxResponseBytes = bytes;
      return this;
    }

    /**
     * Most audit events one call returns.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder maxAuditEvents(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("maxAuditEvents must be positive");
      }
      this.maxAuditEvents = n;
      return this;
    }

    /** Allow plain {@code http://} to hosts other than loopback (never in production). */
    public Builder allowInsecureHttp(boolean allow) {
      this.allowInsecureHttp = allow;
      return this;
    }

    /**
     * An OkHttp client to derive the provider's from (its interceptors, proxy, TLS material);
     * the SDK's rules go on top: no redirects, the configured origin only, its own time-outs.
     */
    public Builder httpClient(OkHttpClient client) {
      this.httpClient = client;
      return this;
    }

    /** The ticker token lifetimes are measured with (tests inject a fake one). */
    public Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /** The clock wall times are read against. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Builds the options.
     *
     * @throws SecretConfigException if the base URL or the authentication is missing, plain http
     *     goes to a host other than loopback without {@link #allowInsecureHttp(boolean)}, or the
     *     configured environment is not among the environments
     */
    public PlatformOptions build() {
      if (baseUrl == null) {
        throw new SecretConfigException(null, 0, "baseUrl", "required: the Secrets API's URL");
      }
      if (authentication == null) {
        throw new SecretConfigException(null, 0, "authentication",
            "required: PlatformAuthentication.oidc(...) or PlatformAuthentication.serviceToken(...)");
      }
      if (baseUrl.getScheme().equalsIgnoreCase("http") && !allowInsecureHttp && !LoopbackAddress.is(baseUrl.getHost())) {
        throw new SecretConfigException(null, 0, "baseUrl", "plain http is refused to hosts other than localhost"
            + " and loopback addresses (127.0.0.0/8, [::1]); use https or allowInsecureHttp(true)");
      }
      if (environment != null && !environments.contains(environment)) {
        throw new SecretConfigException(null, 0, "environment", "'" + environment + "' is not among the environments "
            + environments);
      }
      return new PlatformOptions(this);
    }

    private static String checkEnvironment(String name, String field) {
      Objects.requireNonNull(name, field);
      if (!ENVIRONMENT.matcher(name).matches()) {
        throw new IllegalArgumentException(field + ": environment names are lower-case letters, digits, '.', '_', '-'");
      }
      return name;
    }

    private static String checkScope(String scope, String field) {
      Objects.requireNonNull(scope, field);
      if (!SCOPE.matcher(scope).matches()) {
        throw new IllegalArgumentException(field + " must be space-separated scope tokens like 'read:secrets'");
      }
      return scope;
    }

    private static Duration positive(Duration d, String name) {
      if (d == null || d.isZero() || d.isNegative()) {
        throw new IllegalArgumentException(name + " must be a positive duration");
      }
      return d;
    }
  }
}
