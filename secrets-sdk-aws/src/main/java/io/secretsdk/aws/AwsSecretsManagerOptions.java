package io.secretsdk.aws;

import io.secretsdk.aws.internal.AwsRef;
import io.secretsdk.identity.IdentityTokenSource;
import io.secretsdk.spi.Ticker;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;

/**
 * Immutable settings of an {@link AwsSecretsManagerProvider}: region, credentials, timeouts and
 * (for tests and VPC endpoints) endpoint overrides.
 *
 * <p>Credentials come from exactly one of: a caller-supplied {@link AwsCredentialsProvider}
 * ({@link Builder#credentialsProvider}); a workload-identity token exchanged through STS
 * {@code AssumeRoleWithWebIdentity} ({@link Builder#webIdentity}); or, when neither is set, the AWS
 * SDK's default chain (environment, system properties, web-identity token file, profiles and SSO,
 * container and instance roles).
 *
 * <p>The region of a fetch comes from the ref ({@code ?region=} or its ARN), else
 * {@link Builder#region}, else the SDK's default region chain ({@code AWS_REGION}, the config
 * file, instance metadata).
 *
 * <p>Instances are immutable and thread-safe; {@link #toString()} names the credentials source but
 * never shows credentials.
 */
public final class AwsSecretsManagerOptions {
  /** Default TCP connect timeout: 2 seconds. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
  /** Default socket read timeout: 5 seconds. */
  public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(5);
  /** Default bound on one whole SDK call, credentials included: 10 seconds. */
  public static final Duration DEFAULT_API_CALL_TIMEOUT = Duration.ofSeconds(10);
  /** Default time a {@code DescribeSecret} answer (tags, description) is reused: 5 minutes. */
  public static final Duration DEFAULT_DESCRIBE_CACHE_TTL = Duration.ofMinutes(5);
  /** Default STS role session name for web identity: {@code secrets-sdk}. */
  public static final String DEFAULT_ROLE_SESSION_NAME = "secrets-sdk";

  private static final Duration MAX_TIMEOUT = Duration.ofMinutes(10);
  private static final Pattern ROLE_ARN =
      Pattern.compile("arn:aws[a-z-]*:iam::\\d{12}:role/[\\w+=,.@/-]{1,512}");
  private static final Pattern SESSION_NAME = Pattern.compile("[\\w+=,.@-]{2,64}");

  private static final AwsSecretsManagerOptions DEFAULTS = builder().build();

  private final String region;
  private final URI endpointOverride;
  private final URI stsEndpointOverride;
  private final AwsCredentialsProvider credentialsProvider;
  private final IdentityTokenSource webIdentityTokenSource;
  private final String roleArn;
  private final String roleSessionName;
  private final Duration sessionDuration;
  private final Duration connectTimeout;
  private final Duration readTimeout;
  private final Duration apiCallTimeout;
  private final Duration describeCacheTtl;
  private final Ticker ticker;
  private final URI agentAddress;
  private final java.util.function.Function<String, String> agentEnvironment;
  private final SdkHttpClient httpClient;

  private AwsSecretsManagerOptions(Builder b) {
    this.region = b.region;
    this.endpointOverride = b.endpointOverride;
    this.stsEndpointOverride = b.stsEndpointOverride;
    this.credentialsProvider = b.credentialsProvider;
    this.webIdentityTokenSource = b.webIdentityTokenSource;
    this.roleArn = b.roleArn;
    this.roleSessionName = b.roleSessionName;
    this.sessionDuration = b.sessionDuration;
    this.connectTimeout = b.connectTimeout;
    this.readTimeout = b.readTimeout;
    this.apiCallTimeout = b.apiCallTimeout;
    this.describeCacheTtl = b.describeCacheTtl;
    this.ticker = b.ticker;
    this.agentAddress = b.agentAddress;
    this.agentEnvironment = b.agentEnvironment;
    this.httpClient = b.httpClient;
  }

  /** Options with every default: SDK default region and credentials chains, default timeouts. */
  public static AwsSecretsManagerOptions ofDefaults() {
    return DEFAULTS;
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** The default region, when set; else the SDK's default region chain applies. */
  public Optional<String> region() {
    return Optional.ofNullable(region);
  }

  /** The Secrets Manager endpoint to use instead of the regional one, when set. */
  public Optional<URI> endpointOverride() {
    return Optional.ofNullable(endpointOverride);
  }

  /** The STS endpoint to use instead of the regional one, when set. */
  public Optional<URI> stsEndpointOverride() {
    return Optional.ofNullable(stsEndpointOverride);
  }

  /** The caller-supplied credentials provider, when set. The provider never closes it. */
  public Optional<AwsCredentialsProvider> credentialsProvider() {
    return Optional.ofNullable(credentialsProvider);
  }

  /** The workload-identity token source for STS {@code AssumeRoleWithWebIdentity}, when set. */
  public Optional<IdentityTokenSource> webIdentityTokenSource() {
    return Optional.ofNullable(webIdentityTokenSource);
  }

  /** The role assumed with the web identity token, when set. */
  public Optional<String> roleArn() {
    return Optional.ofNullable(roleArn);
  }

  /** The STS role session name (shows in CloudTrail). */
  public String roleSessionName() {
    return roleSessionName;
  }

  /** The requested STS session duration, when set; else the role's default (one hour). */
  public Optional<Duration> sessionDuration() {
    return Optional.ofNullable(sessionDuration);
  }

  /** TCP connect timeout. */
  public Duration connectTimeout() {
    return connectTimeout;
  }

  /** Socket read timeout. */
  public Duration readTimeout() {
    return readTimeout;
  }

  /** Bound on one whole SDK call, including credential resolution. */
  public Duration apiCallTimeout() {
    return apiCallTimeout;
  }

  /** How long a {@code DescribeSecret} answer is reused for required-metadata checks. */
  public Duration describeCacheTtl() {
    return describeCacheTtl;
  }

  /** The ticker timing the {@code DescribeSecret} cache. */
  public Ticker ticker() {
    return ticker;
  }

  /** The Secrets Manager Agent's address in agent mode; empty when Secrets Manager is called. */
  public java.util.Optional<URI> agentAddress() {
    return java.util.Optional.ofNullable(agentAddress);
  }

  /** Where agent mode looks up its token variables. */
  public java.util.function.Function<String, String> agentEnvironment() {
    return agentEnvironment;
  }

  /**
   * The caller's HTTP client for Secrets Manager and STS calls, when given; else the provider makes
   * its own (see {@link Builder#httpClient(SdkHttpClient)}).
   */
  public Optional<SdkHttpClient> httpClient() {
    return Optional.ofNullable(httpClient);
  }

  @Override
  public String toString() {
    String credentials = credentialsProvider != null
        ? "custom(" + credentialsProvider.getClass().getSimpleName() + ")"
        : webIdentityTokenSource != null ? "webIdentity(" + roleArn + ")" : "sdkDefaultChain";
    return "AwsSecretsManagerOptions[region=" + region + ", endpointOverride=" + endpointOverride
        + ", stsEndpointOverride=" + stsEndpointOverride + ", credentials=" + credentials
        + ", connectTimeout=" + connectTimeout + ", readTimeout=" + readTimeout
        + ", apiCallTimeout=" + apiCallTimeout + ", describeCacheTtl=" + describeCacheTtl
        + (httpClient != null ? ", httpClient=custom(" + httpClient.getClass().getSimpleName() + ")" : "")
        + (agentAddress != null ? ", agent=" + agentAddress : "") + "]";
  }

  /**
   * Builds {@link AwsSecretsManagerOptions}. Each setter checks its argument at once and names the
   * field it rejects. Not thread-safe.
   */
  public static final class Builder {
    private String region;
    private URI endpointOverride;
    private URI stsEndpointOverride;
    private AwsCredentialsProvider credentialsProvider;
    private IdentityTokenSource webIdentityTokenSource;
    private String roleArn;
    private String roleSessionName = DEFAULT_ROLE_SESSION_NAME;
    private Duration sessionDuration;
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private Duration readTimeout = DEFAULT_READ_TIMEOUT;
    private Duration apiCallTimeout = DEFAULT_API_CALL_TIMEOUT;
    private Duration describeCacheTtl = DEFAULT_DESCRIBE_CACHE_TTL;
    private Ticker ticker = Ticker.system();
    private URI agentAddress;
    private java.util.function.Function<String, String> agentEnvironment = System::getenv;
    private SdkHttpClient httpClient;

    private Builder() {}

    /**
     * The region for refs that name none, e.g. {@code eu-west-1}.
     *
     * @throws IllegalArgumentException if {@code region} is not shaped like an AWS region name
     */
    public Builder region(String region) {
      Objects.requireNonNull(region, "region");
      if (!AwsRef.REGION.matcher(region).matches()) {
        throw new IllegalArgumentException("region: not an AWS region name such as us-east-1");
      }
      this.region = region;
      return this;
    }

    /**
     * Sends Secrets Manager calls to {@code endpoint} (a VPC endpoint, LocalStack, a test server).
     * Plain {@code http} is accepted only for loopback addresses, so secret values never cross a
     * network unencrypted.
     *
     * @throws IllegalArgumentException if the URI is not an absolute https URI (or http on
     *     loopback) without user-info, query or fragment
     */
    public Builder endpointOverride(URI endpoint) {
      this.endpointOverride = checkEndpoint("endpointOverride", endpoint);
      return this;
    }

    /**
     * Sends STS calls (web identity) to {@code endpoint}; same rules as
     * {@link #endpointOverride(URI)}.
     *
     * @throws IllegalArgumentException if the URI is not acceptable
     */
    public Builder stsEndpointOverride(URI endpoint) {
      this.stsEndpointOverride = checkEndpoint("stsEndpointOverride", endpoint);
      return this;
    }

    /**
     * Uses {@code provider} for credentials instead of the SDK default chain. The caller keeps
     * ownership: closing the secrets provider does not close it.
     *
     * @throws NullPointerException if {@code provider} is null
     */
    public Builder credentialsProvider(AwsCredentialsProvider provider) {
      this.credentialsProvider = Objects.requireNonNull(provider, "credentialsProvider");
      return this;
    }

    /**
     * Exchanges tokens from {@code source} (GitHub Actions OIDC, a Kubernetes service-account
     * token, …) for temporary credentials of {@code roleArn} through STS
     * {@code AssumeRoleWithWebIdentity}. The AWS SDK refreshes the credentials before they expire
     * (five minutes ahead, in the calling thread) and asks {@code source} for a token each time.
     *
     * @throws IllegalArgumentException if {@code roleArn} is not an IAM role ARN
     * @throws NullPointerException if an argument is null
     */
    public Builder webIdentity(IdentityTokenSource source, String roleArn) {
      Objects.requireNonNull(source, "webIdentityTokenSource");
      Objects.requireNonNull(roleArn, "roleArn");
      if (!ROLE_ARN.matcher(roleArn).matches()) {
        throw new IllegalArgumentException(
            "roleArn: not an IAM role ARN (arn:aws:iam::<account>:role/<name>)");
      }
      this.webIdentityTokenSource = source;
      this.roleArn = roleArn;
      return this;
    }

    /**
     * The STS role session name for web identity.
     *
     * @throws IllegalArgumentException if it is not 2 to 64 of {@code [\w+=,.@-]}
     */
    public Builder roleSessionName(String name) {
      Objects.requireNonNull(name, "roleSessionName");
      if (!SESSION_NAME.matcher(name).matches()) {
        throw new IllegalArgumentException(
            "roleSessionName: use 2 to 64 letters, digits or the characters _+=,.@-");
      }
      this.roleSessionName = name;
      return this;
    }

    /**
     * The STS session duration for web identity, 15 minutes to 12 hours.
     *
     * @throws IllegalArgumentException if out of range
     */
    public Builder sessionDuration(Duration duration) {
      Objects.requireNonNull(duration, "sessionDuration");
      if (duration.compareTo(Duration.ofMinutes(15)) < 0
          || duration.compareTo(Duration.ofHours(12)) > 0) {
        throw new IllegalArgumentException("sessionDuration: must be 15 minutes to 12 hours");
      }
      this.sessionDuration = duration;
      return this;
    }

    /**
     * TCP connect timeout.
     *
     * @throws IllegalArgumentException if not positive or above 10 minutes
     */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = checkTimeout("connectTimeout", timeout);
      return this;
    }

    /**
     * Socket read timeout.
     *
     * @throws IllegalArgumentException if not positive or above 10 minutes
     */
    public Builder readTimeout(Duration timeout) {
      this.readTimeout = checkTimeout("readTimeout", timeout);
      return this;
    }

    /**
     * Bound on one whole SDK call, including credential resolution.
     *
     * @throws IllegalArgumentException if not positive or above 10 minutes
     */
    public Builder apiCallTimeout(Duration timeout) {
      this.apiCallTimeout = checkTimeout("apiCallTimeout", timeout);
      return this;
    }

    /**
     * How long a {@code DescribeSecret} answer is reused; zero disables reuse.
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder describeCacheTtl(Duration ttl) {
      Objects.requireNonNull(ttl, "describeCacheTtl");
      if (ttl.isNegative()) {
        throw new IllegalArgumentException("describeCacheTtl: must not be negative");
      }
      this.describeCacheTtl = ttl;
      return this;
    }

    /**
     * The ticker timing the {@code DescribeSecret} cache (tests inject a fake one).
     *
     * @throws NullPointerException if {@code ticker} is null
     */
    public Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /**
     * Agent mode: read through the AWS Secrets Manager Agent at {@code address} (e.g.
     * {@code http://localhost:2773}) instead of calling Secrets Manager, so the runners of a node
     * share the agent's cache and credentials and hold none themselves. Each read is
     * {@code GET /secretsmanager/get?secretId=…} (with {@code versionId} / {@code versionStage} for
     * pinned refs) carrying the SSRF token in {@code X-Aws-Parameters-Secrets-Token}, looked up as
     * the agent does: {@code AWS_TOKEN} (the token, or {@code file://<path>}), else
     * {@code AWS_SESSION_TOKEN}, else {@code AWS_CONTAINER_AUTHORIZATION_TOKEN}, else
     * {@code /var/run/awssmatoken}. The token is registered for redaction. Regions, endpoints and
     * credentials of these options are not used in agent mode.
     *
     * @throws io.secretsdk.SecretConfigException if the address is not http(s) on localhost or a
     *     loopback address literal, with a port
     */
    public Builder agent(URI address) {
      this.agentAddress = io.secretsdk.aws.internal.AgentClient.checkLoopback(
          Objects.requireNonNull(address, "address"));
      return this;
    }

    /** Where agent mode looks up its token variables ({@code System::getenv} by default). */
    public Builder agentEnvironment(java.util.function.Function<String, String> environment) {
      this.agentEnvironment = Objects.requireNonNull(environment, "environment");
      return this;
    }

    /**
     * Sends Secrets Manager and STS calls through {@code client} (a proxy, your own trust material,
     * a shared pool) instead of the provider's own HTTP client. The client is used as given: the
     * provider never closes it (close it yourself after the provider), and {@link #connectTimeout}
     * and {@link #readTimeout} do not apply to it ({@link #apiCallTimeout} still bounds each call).
     * What the SDK still does on top of it: one attempt per call, error bodies scrubbed and
     * responses bounded before the AWS SDK parses them, credentials registered for redaction,
     * endpoint overrides restricted to {@code https} (or {@code http} on loopback). What it cannot
     * do: the provider's own client writes nothing to Apache's wire and header loggers; a client
     * of yours may log headers (the session token) and bodies (secret values) at DEBUG — the SDK
     * cannot guarantee otherwise, so keep its wire logging off or log through the
     * {@code RedactingEncoder}. Agent mode does not use it.
     *
     * @throws NullPointerException if {@code client} is null
     */
    public Builder httpClient(SdkHttpClient client) {
      this.httpClient = Objects.requireNonNull(client, "httpClient");
      return this;
    }

    /**
     * Builds the options.
     *
     * @throws IllegalStateException if both a credentials provider and web identity are set
     */
    public AwsSecretsManagerOptions build() {
      if (credentialsProvider != null && webIdentityTokenSource != null) {
        throw new IllegalStateException(
            "credentialsProvider and webIdentity are alternatives; set only one");
      }
      return new AwsSecretsManagerOptions(this);
    }

    private static Duration checkTimeout(String field, Duration d) {
      Objects.requireNonNull(d, field);
      if (d.isNegative() || d.isZero() || d.compareTo(MAX_TIMEOUT) > 0) {
        throw new IllegalArgumentException(field + ": must be positive and at most 10 minutes");
      }
      return d;
    }

    private static URI checkEndpoint(String field, URI uri) {
      Objects.requireNonNull(uri, field);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!uri.isAbsolute() || uri.getHost() == null || uri.getRawUserInfo() != null
          || uri.getRawQuery() != null || uri.getRawFragment() != null) {
        throw new IllegalArgumentException(field
            + ": must be an absolute URI with a host and no user-info, query or fragment");
      }
      if (scheme.equals("https")) {
        return uri;
      }
      if (scheme.equals("http") && isLoopback(uri.getHost())) {
        return uri;
      }
      throw new IllegalArgumentException(field
          + ": must use https (plain http is accepted only for loopback test servers)");
    }

    private static boolean isLoopback(String host) {
      String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
      if (h.equalsIgnoreCase("localhost")) {
        return true;
      }
      if (!h.matches("[0-9.]+|[0-9a-fA-F:]+")) {
        return false; // a name: no DNS lookup at configuration time
      }
      try {
        return InetAddress.getByName(h).isLoopbackAddress();
      } catch (UnknownHostException e) {
        return false;
      }
    }
  }
}
