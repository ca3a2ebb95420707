package io.secretsdk.vault;

import io.secretsdk.SecretConfigException;
import io.secretsdk.spi.Ticker;
import io.secretsdk.vault.auth.ClientAuthentication;
import io.secretsdk.vault.auth.TokenAuthentication;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Everything a {@link VaultSecretProvider} needs: address, namespace, authentication, TLS material,
 * timeouts, mounts and lifecycle settings.
 *
 * <p>Build with {@link #builder()}, take {@link #ofDefaults()} (the {@code vault} CLI's defaults:
 * {@code https://127.0.0.1:8200} and {@code VAULT_TOKEN}), or read the CLI's environment variables
 * through {@link VaultSecretProviderFactory}. Every time is a {@link Duration}.
 *
 * <p>Plain {@code http://} is accepted only to {@code localhost} or a loopback address literal
 * ({@code 127.0.0.0/8}, {@code [::1]}) unless {@link Builder#allowInsecureHttp(boolean)} is set.
 * Refs to Vault's own top-level paths ({@code auth/}, {@code sys/}, {@code identity/},
 * {@code cubbyhole/}, {@code token/}, {@code audit/}) are refused unless
 * {@link Builder#allowMount(String)} names them.
 *
 * <p>Immutable and thread-safe.
 */
public final class VaultOptions {
  /** The {@code vault} CLI's default address. */
  public static final URI DEFAULT_ADDRESS = URI.create("https://127.0.0.1:8200");
  /** Time limit for opening a connection, by default. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
  /** Time limit between bytes read, by default. */
  public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(30);
  /** Time limit for a whole call, by default. */
  public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(60);
  /** Renew (or replace) the token when it expires within this window, by default. */
  public static final Duration DEFAULT_TOKEN_RENEW_AHEAD = Duration.ofMinutes(1);
  /** A lease whose remaining or renewed TTL is below this is replaced by a new one, by default. */
  public static final Duration DEFAULT_MIN_LEASE_TTL = Duration.ofSeconds(30);
  /** Largest response body accepted, by default (1 MiB). */
  public static final long DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;

  private static final Pattern IPV4_LITERAL =
      Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
  private static final Pattern IPV6_LITERAL = Pattern.compile("[0-9a-f:.]*:[0-9a-f:.]*");

  private final URI address;
  private final String namespace;
  private final ClientAuthentication authentication;
  private final Path caCertificate;
  private final Path clientCertificate;
  private final Path clientKey;
  private final boolean allowInsecureHttp;
  private final Duration connectTimeout;
  private final Duration readTimeout;
  private final Duration callTimeout;
  private final Duration tokenRenewAhead;
  private final Duration minLeaseTtl;
  private final long maxResponseBytes;
  private final Map<String, MountKind> mounts;
  private final boolean detectMounts;
  private final MountKind defaultMountKind;
  private final boolean revokeOnClose;
  private final Set<String> allowedMounts;
  private final Ticker ticker;
  private final Clock clock;
  private final okhttp3.OkHttpClient httpClient;

  private VaultOptions(Builder b) {
    this.address = b.address;
    this.namespace = b.namespace;
    this.authentication = b.authentication != null ? b.authentication : TokenAuthentication.fromEnvironment();
    this.caCertificate = b.caCertificate;
    this.clientCertificate = b.clientCertificate;
    this.clientKey = b.clientKey;
    this.allowInsecureHttp = b.allowInsecureHttp;
    this.connectTimeout = b.connectTimeout;
    this.readTimeout = b.readTimeout;
    this.callTimeout = b.callTimeout;
    this.tokenRenewAhead = b.tokenRenewAhead;
    this.minLeaseTtl = b.minLeaseTtl;
    this.maxResponseBytes = b.maxResponseBytes;
    this.mounts = Map.copyOf(b.mounts);
    this.detectMounts = b.detectMounts;
    this.defaultMountKind = b.defaultMountKind;
    this.revokeOnClose = b.revokeOnClose;
    this.allowedMounts = Set.copyOf(b.allowedMounts);
    this.ticker = b.ticker;
    this.clock = b.clock;
    this.httpClient = b.httpClient;
  }

  /** The CLI's defaults: {@code https://127.0.0.1:8200}, token from {@code VAULT_TOKEN}. */
  public static VaultOptions ofDefaults() {
    return builder().build();
  }

  /** Starts a builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** The OkHttp client the provider's is derived from, if one was given. */
  public java.util.Optional<okhttp3.OkHttpClient> httpClient() {
    return java.util.Optional.ofNullable(httpClient);
  }

  /** A builder holding these options, to derive changed options. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.address = address;
    b.namespace = namespace;
    b.authentication = authentication;
    b.caCertificate = caCertificate;
    b.clientCertificate = clientCertificate;
    b.clientKey = clientKey;
    b.allowInsecureHttp = allowInsecureHttp;
    b.connectTimeout = connectTimeout;
    b.readTimeout = readTimeout;
    b.callTimeout = callTimeout;
    b.tokenRenewAhead = tokenRenewAhead;
    b.minLeaseTtl = minLeaseTtl;
    b.maxResponseBytes = maxResponseBytes;
    b.mounts.putAll(mounts);
    b.detectMounts = detectMounts;
    b.defaultMountKind = defaultMountKind;
    b.httpClient = httpClient;
    b.revokeOnClose = revokeOnClose;
    b.allowedMounts.addAll(allowedMounts);
    b.ticker = ticker;
    b.clock = clock;
    return b;
  }

  /** The server's base address, e.g. {@code https://vault.example.com:8200}. */
  public URI address() {
    return address;
  }

  /** The namespace sent as {@code X-Vault-Namespace}, when set. */
  public Optional<String> namespace() {
    return Optional.ofNullable(namespace);
  }

  /** How the provider obtains its token. */
  public ClientAuthentication authentication() {
    return authentication;
  }

  /**
   * PEM file of CA certificates (or a directory of {@code *.pem}, {@code *.crt}, {@code *.cer}
   * files) to trust instead of the system trust store, when set.
   */
  public Optional<Path> caCertificate() {
    return Optional.ofNullable(caCertificate);
  }

  /** PEM file of the client certificate chain for mutual TLS, when set. */
  public Optional<Path> clientCertificate() {
    return Optional.ofNullable(clientCertificate);
  }

  /** PEM file of the client's private key (PKCS#8 or PKCS#1 RSA, unencrypted), when set. */
  public Optional<Path> clientKey() {
    return Optional.ofNullable(clientKey);
  }

  /** Whether plain {@code http://} is allowed to hosts other than {@code localhost} and loopback literals. */
  public boolean allowInsecureHttp() {
    return allowInsecureHttp;
  }

  /** Time limit for opening a connection. */
  public Duration connectTimeout() {
    return connectTimeout;
  }

  /** Time limit between bytes read. */
  public Duration readTimeout() {
    return readTimeout;
  }

  /** Time limit for a whole call, redirects included. */
  public Duration callTimeout() {
    return callTimeout;
  }

  /** Renew or replace the token when it expires within this window. */
  public Duration tokenRenewAhead() {
    return tokenRenewAhead;
  }

  /** A lease whose remaining or renewed TTL is below this is replaced by a new lease. */
  public Duration minLeaseTtl() {
    return minLeaseTtl;
  }

  /** Largest response body accepted, in bytes. */
  public long maxResponseBytes() {
    return maxResponseBytes;
  }

  /** Mounts configured by hand (path without slashes at either end → kind); override detection. */
  public Map<String, MountKind> mounts() {
    return mounts;
  }

  /** Whether mount paths and KV versions are detected through {@code sys/internal/ui/mounts}. */
  public boolean detectMounts() {
    return detectMounts;
  }

  /** The kind of a mount neither configured nor detected (first path segment as mount). */
  public MountKind defaultMountKind() {
    return defaultMountKind;
  }

  /** Whether {@code close()} revokes held leases and a token the provider logged in for. */
  public boolean revokeOnClose() {
    return revokeOnClose;
  }

  /**
   * Vault's own top-level paths (e.g. {@code cubbyhole}, {@code auth/token}) that refs may address
   * all the same; empty by default, so such refs are refused.
   */
  public Set<String> allowedMounts() {
    return allowedMounts;
  }

  /** The monotonic time source for token and lease expiry. */
  public Ticker ticker() {
    return ticker;
  }

  /** The wall clock that server timestamps (a KV v2 {@code deletion_time}) are compared with. */
  public Clock clock() {
    return clock;
  }

  @Override
  public String toString() {
    return "VaultOptions[address=" + address + ", namespace=" + namespace
        + ", authentication=" + authentication + ", mounts=" + mounts
        + (allowedMounts.isEmpty() ? "" : ", allowedMounts=" + allowedMounts) + "]";
  }

  /** Builds {@link VaultOptions}; each setter checks its argument. Not thread-safe. */
  public static final class Builder {
    private URI address = DEFAULT_ADDRESS;
    private String namespace;
    private ClientAuthentication authentication;
    private Path caCertificate;
    private Path clientCertificate;
    private Path clientKey;
    private boolean allowInsecureHttp;
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private Duration readTimeout = DEFAULT_READ_TIMEOUT;
    private Duration callTimeout = DEFAULT_CALL_TIMEOUT;
    private Duration tokenRenewAhead = DEFAULT_TOKEN_RENEW_AHEAD;
    private Duration minLeaseTtl = DEFAULT_MIN_LEASE_TTL;
    private long maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES;
    private final Map<String, MountKind> mounts = new LinkedHashMap<>();
    private boolean detectMounts = true;
    private MountKind defaultMountKind = MountKind.KV_V2;
    private boolean revokeOnClose = true;
    private final Set<String> allowedMounts = new LinkedHashSet<>();
    private Ticker ticker = Ticker.system();
    private Clock clock = Clock.systemUTC();
    private okhttp3.OkHttpClient httpClient;

    private Builder() {}

    /**
     * The server address: scheme, host and optional port (a path prefix is allowed for proxies).
     *
     * @throws IllegalArgumentException if not an {@code http}/{@code https} URL with a host, or if it
     *     has user-info, a query or a fragment
     */
    public Builder address(String address) {
      Objects.requireNonNull(address, "address");
      URI uri;
      try {
        uri = URI.create(address.strip());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("address is not a valid URL");
      }
      return address(uri);
    }

    /**
     * The server address.
     *
     * @throws IllegalArgumentException see {@link #address(String)}
     */
    public Builder address(URI address) {
      Objects.requireNonNull(address, "address");
      String scheme = address.getScheme() == null ? "" : address.getScheme().toLowerCase(Locale.ROOT);
      if (!(scheme.equals("https") || scheme.equals("http")) || address.getHost() == null) {
        throw new IllegalArgumentException("address must be an http(s) URL with a host");
      }
      if (address.getRawUserInfo() != null || address.getRawQuery() != null || address.getRawFragment() != null) {
        throw new IllegalArgumentException("address must not have user-info, a query or a fragment");
      }
      this.address = address;
      return this;
    }

    /**
     * The namespace ({@code X-Vault-Namespace}), e.g. {@code team/ci}; {@code null} for none.
     *
     * @throws IllegalArgumentException if it has characters a namespace path cannot have
     */
    public Builder namespace(String namespace) {
      if (namespace != null) {
        String ns = namespace.strip();
        if (!ns.matches("[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*/?") || ns.length() > 256) {
          throw new IllegalArgumentException("namespace must be a path like 'team' or 'org/team'");
        }
        namespace = ns;
      }
      this.namespace = namespace;
      return this;
    }

    /** How to obtain a token; {@link TokenAuthentication#fromEnvironment()} by default. */
    public Builder authentication(ClientAuthentication authentication) {
      this.authentication = Objects.requireNonNull(authentication, "authentication");
      return this;
    }

    /**
     * PEM file of CA certificates to trust (like {@code VAULT_CACERT}), or a directory of them (like
     * {@code VAULT_CAPATH}); {@code null} for the system trust store.
     */
    public Builder caCertificate(Path pem) {
      this.caCertificate = pem;
      return this;
    }

    /**
     * Client certificate chain and private key (PEM) for mutual TLS, like {@code VAULT_CLIENT_CERT}
     * and {@code VAULT_CLIENT_KEY}.
     *
     * @throws IllegalArgumentException if only one of the two is given
     */
    public Builder clientCertificate(Path certificatePem, Path privateKeyPem) {
      if ((certificatePem == null) != (privateKeyPem == null)) {
        throw new IllegalArgumentException("clientCertificate needs both the certificate and the key");
      }
      this.clientCertificate = certificatePem;
      this.clientKey = privateKeyPem;
      return this;
    }

    /**
     * Allow plain {@code http://} to hosts other than {@code localhost} and loopback address literals
     * (never do this in production).
     */
    public Builder allowInsecureHttp(boolean allow) {
      this.allowInsecureHttp = allow;
      return this;
    }

    /**
     * Time limit for opening a connection.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = positive(timeout, "connectTimeout");
      return this;
    }

    /**
     * Time limit between bytes read.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder readTimeout(Duration timeout) {
      this.readTimeout = positive(timeout, "readTimeout");
      return this;
    }

    /**
     * Time limit for a whole call.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder callTimeout(Duration timeout) {
      this.callTimeout = positive(timeout, "callTimeout");
      return this;
    }

    /**
     * Renew or replace the token when it expires within this window.
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder tokenRenewAhead(Duration window) {
      this.tokenRenewAhead = nonNegative(window, "tokenRenewAhead");
      return this;
    }

    /**
     * Replace a lease whose remaining or renewed TTL is below this.
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder minLeaseTtl(Duration ttl) {
      this.minLeaseTtl = nonNegative(ttl, "minLeaseTtl");
      return this;
    }

    /**
     * Largest response body accepted.
     *
     * @throws IllegalArgumentException if below 1 KiB or above 64 MiB
     */
    public Builder maxResponseBytes(long bytes) {
      if (bytes < 1024 || bytes > 64L * 1024 * 1024) {
        throw new IllegalArgumentException("maxResponseBytes must be between 1 KiB and 64 MiB");
      }
      this.maxResponseBytes = bytes;
      return this;
    }

    /**
     * Declares a mount, so the provider neither detects it nor guesses.
     *
     * @param path the mount path, e.g. {@code secret} or {@code team/kv}
     * @throws IllegalArgumentException if {@code path} is not a mount path
     */
    public Builder mount(String path, MountKind kind) {
      Objects.requireNonNull(kind, "kind");
      mounts.put(mountPath(path, "mount path"), kind);
      return this;
    }

    /**
     * Lets refs address one of Vault's own top-level paths, which are refused by default because
     * they are not secrets engines: {@code auth/}, {@code sys/}, {@code identity/},
     * {@code cubbyhole/}, {@code token/}, {@code audit/}. E.g. {@code allowMount("cubbyhole")} for
     * {@code vault://cubbyhole/app#k}; {@code allowMount("auth/token")} would let a ref read the
     * provider's own token ({@code vault://auth/token/lookup-self#id}), so think twice.
     *
     * @param path the path allowed, with everything under it, e.g. {@code cubbyhole}
     * @throws IllegalArgumentException if {@code path} is not a path like {@code cubbyhole} or
     *     {@code auth/token}
     */
    public Builder allowMount(String path) {
      allowedMounts.add(mountPath(path, "allowMount path"));
      return this;
    }

    private static String mountPath(String path, String what) {
      String p = Objects.requireNonNull(path, what).replaceAll("^/+|/+$", "");
      if (!p.matches("[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*") || p.matches("(.*/)?\\.{1,2}(/.*)?")) {
        throw new IllegalArgumentException(what + " must be like 'secret' or 'team/kv'");
      }
      return p;
    }

    /** Whether to detect mounts through {@code sys/internal/ui/mounts} (default true). */
    public Builder detectMounts(boolean detect) {
      this.detectMounts = detect;
      return this;
    }

    /** The kind assumed for a mount neither configured nor detected (default {@link MountKind#KV_V2}). */
    public Builder defaultMountKind(MountKind kind) {
      this.defaultMountKind = Objects.requireNonNull(kind, "defaultMountKind");
      return this;
    }

    /** Whether {@code close()} revokes held leases and a logged-in token (default true). */
    public Builder revokeOnClose(boolean revoke) {
      this.revokeOnClose = revoke;
      return this;
    }

    /** The monotonic time source (tests inject a fake one). */
    public Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /** The wall clock for server timestamps ({@link Clock#systemUTC()} by default; tests inject a fixed one). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * An OkHttp client to derive the provider's from (its proxy, proxy authenticator, connection
     * pool, interceptors, socket factory and trust material), for corporate proxies, shared pools
     * and tracing. The SDK's own rules still apply on top: redirects are not followed, every
     * request must go to the configured address (checked after the client's interceptors), the
     * timeouts and CA/client certificates of these options win, and a client whose hostname
     * verifier is not OkHttp's is refused. Interceptors see the {@code X-Vault-Token} header: the
     * token is registered for redaction, so their log lines are masked only when they go through
     * the {@code RedactingEncoder}. The provider's {@code close()} leaves the client you gave (its
     * pool and threads) running; only the provider's own calls are cancelled.
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
     * @throws SecretConfigException if the address is plain {@code http} to a host other than
     *     {@code localhost} or a loopback address literal and {@link #allowInsecureHttp(boolean)} is
     *     not set
     */
    public VaultOptions build() {
      if (address.getScheme().equalsIgnoreCase("http") && !allowInsecureHttp && !isLoopback(address.getHost())) {
        throw new SecretConfigException(null, 0, "address", "plain http is refused to hosts other than localhost"
            + " and loopback addresses (127.0.0.0/8, [::1]); use https or allowInsecureHttp(true)");
      }
      return new VaultOptions(this);
    }

    /**
     * Whether {@code host} is exactly {@code localhost} or a loopback address literal. The literal is
     * parsed, never looked up: {@code 127.attacker.example} is a name, so it is not loopback.
     */
    private static boolean isLoopback(String host) {
      String h = host.toLowerCase(Locale.ROOT);
      if (h.equals("localhost")) {
        return true;
      }
      String literal;
      if (IPV4_LITERAL.matcher(h).matches()) {
        literal = h;
      } else if (h.startsWith("[") && h.endsWith("]") && IPV6_LITERAL.matcher(h.substring(1, h.length() - 1)).matches()) {
        literal = h.substring(1, h.length() - 1);
      } else {
        return false;
      }
      try {
        // a dotted quad or a text with ':' is parsed as an address, without any name lookup
        return InetAddress.getByName(literal).isLoopbackAddress();
      } catch (UnknownHostException e) {
        return false;
      }
    }

    private static Duration positive(Duration d, String name) {
      if (d == null || d.isZero() || d.isNegative()) {
        throw new IllegalArgumentException(name + " must be a positive duration");
      }
      return d;
    }

    private static Duration nonNegative(Duration d, String name) {
      if (d == null || d.isNegative()) {
        throw new IllegalArgumentException(name + " must not be negative");
      }
      return d;
    }
  }
}
