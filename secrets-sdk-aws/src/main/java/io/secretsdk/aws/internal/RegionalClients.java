package io.secretsdk.aws.internal;

import io.secretsdk.SecretConfigException;
import io.secretsdk.aws.AwsSecretsManagerOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleWithWebIdentityCredentialsProvider;
import software.amazon.awssdk.services.sts.model.AssumeRoleWithWebIdentityRequest;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * One {@link SecretsManagerClient} per region, created on first use and closed by {@link #close()},
 * all sharing one credentials provider, wrapped so that every credential set it hands the SDK is
 * registered for redaction ({@link AwsCredentialRegistration}).
 *
 * <p>Every SDK client is built with {@link AwsRetryStrategy#doNotRetry()}: the secrets client
 * retries {@code ProviderUnavailableException} with backoff and jitter, and SDK retries inside
 * each of those attempts would multiply them (3 × 3 = 9 calls under throttling, hiding the
 * {@code Retry-After} the engine honours). Each SDK client gets its own
 * {@link QuietApacheHttpClient} (no wire or header logging; a call that fails mid-response has its
 * connection shut down), closed by {@link #close()} after the SDK clients — unless the options give
 * the caller's own {@code SdkHttpClient}, which every SDK client then shares and nothing here closes.
 *
 * <p>Thread-safe: lookups are lock-free; creation and closing share one lock so that no client
 * created during {@link #close()} escapes it.
 */
public final class RegionalClients implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RegionalClients.class);

  private final AwsSecretsManagerOptions options;
  private final Map<String, SecretsManagerClient> clients = new ConcurrentHashMap<>();
  private final ReentrantLock lock = new ReentrantLock();
  private final AwsCredentialsProvider credentials;
  /** What we created and must close (never the caller's own credentials provider). */
  private final List<SdkAutoCloseable> owned = new ArrayList<>();
  private volatile String defaultRegion;
  private volatile boolean closed;

  /** Creates the pool and its credentials provider (no network call happens here). */
  public RegionalClients(AwsSecretsManagerOptions options) {
    this.options = options;
    // every credential set is registered for redaction before the SDK signs with it
    if (options.credentialsProvider().isPresent()) {
      this.credentials = AwsCredentialRegistration.wrap(options.credentialsProvider().get());
    } else if (options.webIdentityTokenSource().isPresent()) {
      StsClient sts = stsClient();
      owned.add(sts);
      StsAssumeRoleWithWebIdentityCredentialsProvider web =
          StsAssumeRoleWithWebIdentityCredentialsProvider.builder()
              .stsClient(sts)
              .asyncCredentialUpdateEnabled(false)
              .refreshRequest(this::webIdentityRequest)
              .build();
      owned.add(web);
      this.credentials = AwsCredentialRegistration.wrap(web);
    } else {
      DefaultCredentialsProvider chain = DefaultCredentialsProvider.builder().build();
      owned.add(chain);
      this.credentials = AwsCredentialRegistration.wrapDefaultChain(chain);
    }
  }

  /** Called by the SDK on each refresh: a fresh token from the source every time. */
  private AssumeRoleWithWebIdentityRequest webIdentityRequest() {
    AssumeRoleWithWebIdentityRequest.Builder b = AssumeRoleWithWebIdentityRequest.builder()
        .roleArn(options.roleArn().orElseThrow())
        .roleSessionName(options.roleSessionName())
        .webIdentityToken(options.webIdentityTokenSource().orElseThrow().token().reveal());
    options.sessionDuration().ifPresent(d -> b.durationSeconds((int) d.getSeconds()));
    return b.build();
  }

  private StsClient stsClient() {
    String region = options.region().orElseGet(() -> {
      try {
        return new DefaultAwsRegionProviderChain().getRegion().id();
      } catch (SdkClientException noRegion) {
        return "us-east-1"; // STS is served from every region; us-east-1 is the global endpoint
      }
    });
    var b = StsClient.builder()
        .region(Region.of(region))
        // AssumeRoleWithWebIdentity is unsigned; never let the STS client look for credentials
        .credentialsProvider(AnonymousCredentialsProvider.create())
        .httpClient(httpClient())
        .overrideConfiguration(overrides(ScrubErrorBodies.xml(),
            AwsCredentialRegistration.stsInterceptor()));
    options.stsEndpointOverride().ifPresent(b::endpointOverride);
    return b.build();
  }

  /**
   * An HTTP client for one SDK client: the caller's, used as given and never closed here, or one of
   * our own. The SDK closes no client it was given: {@link #close()} closes ours.
   */
  private SdkHttpClient httpClient() {
    if (options.httpClient().isPresent()) {
      return options.httpClient().get();
    }
    SdkHttpClient http = new QuietApacheHttpClient(options.connectTimeout(), options.readTimeout());
    owned.add(http);
    return http;
  }

  private ClientOverrideConfiguration overrides(ScrubErrorBodies scrubber,
      ExecutionInterceptor... more) {
    ClientOverrideConfiguration.Builder b = ClientOverrideConfiguration.builder()
        .retryStrategy(AwsRetryStrategy.doNotRetry())
        .addExecutionInterceptor(scrubber)
        .addExecutionInterceptor(BoundedResponses.ofDefault())
        .apiCallTimeout(options.apiCallTimeout());
    for (ExecutionInterceptor i : more) {
      b.addExecutionInterceptor(i);
    }
    return b.build();
  }

  /**
   * The client for {@code region}, or for the default region when {@code region} is null.
   *
   * @throws SecretConfigException if no region is given and none is configured
   * @throws IllegalStateException if closed
   */
  public SecretsManagerClient forRegion(String region) {
    String r = region != null ? region : defaultRegion();
    SecretsManagerClient c = clients.get(r);
    if (c != null && !closed) {
      return c;
    }
    lock.lock();
    try {
      if (closed) {
        throw new IllegalStateException("the AWS Secrets Manager provider is closed");
      }
      return clients.computeIfAbsent(r, this::newClient);
    } finally {
      lock.unlock();
    }
  }

  /**
   * The region used for refs that name none.
   *
   * @throws SecretConfigException if none is configured
   */
  public String defaultRegion() {
    String r = defaultRegion;
    if (r != null) {
      return r;
    }
    r = options.region().orElse(null);
    if (r == null) {
      try {
        r = new DefaultAwsRegionProviderChain().getRegion().id();
      } catch (SdkClientException noRegion) {
        throw new SecretConfigException(null, 0, "region", "no AWS region: add ?region= to the"
            + " ref, set AwsSecretsManagerOptions.region, or set AWS_REGION");
      }
    }
    defaultRegion = r;
    return r;
  }

  private SecretsManagerClient newClient(String region) {
    var b = SecretsManagerClient.builder()
        .region(Region.of(region))
        .credentialsProvider(credentials)
        .httpClient(httpClient())
        .overrideConfiguration(overrides(ScrubErrorBodies.json()));
    options.endpointOverride().ifPresent(b::endpointOverride);
    LOG.debug("created AWS Secrets Manager client for region {}", region);
    return b.build();
  }

  /** The regions with a client, for diagnostics. */
  public List<String> regions() {
    return List.copyOf(clients.keySet());
  }

  /** Closes every SDK client and the credentials providers this pool created. Idempotent. */
  @Override
  public void close() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      for (SecretsManagerClient c : clients.values()) {
        closeQuietly(c);
      }
      clients.clear();
      for (int i = owned.size() - 1; i >= 0; i--) {
        closeQuietly(owned.get(i));
      }
    } finally {
      lock.unlock();
    }
  }

  private static void closeQuietly(SdkAutoCloseable c) {
    try {
      c.close();
    } catch (RuntimeException e) {
      LOG.warn("closing an AWS SDK resource failed ({})", e.getClass().getName());
    }
  }
}
