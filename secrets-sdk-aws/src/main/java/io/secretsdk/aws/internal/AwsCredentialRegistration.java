package io.secretsdk.aws.internal;

import io.secretsdk.redact.RedactionIndex;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;
import software.amazon.awssdk.identity.spi.ResolveIdentityRequest;
import software.amazon.awssdk.services.sts.model.AssumeRoleWithWebIdentityRequest;
import software.amazon.awssdk.services.sts.model.AssumeRoleWithWebIdentityResponse;
import software.amazon.awssdk.services.sts.model.Credentials;

/**
 * Registers every AWS credential the provider uses with {@link RedactionIndex#global()}, so that
 * any log line written through the {@code RedactingEncoder} masks it: the SDK's SigV4 signer logs
 * the canonical request ({@code x-amz-security-token:} included) at DEBUG, and the JDK's
 * {@code HttpURLConnection} dumps request headers at {@code FINE}.
 *
 * <p>Two places see credentials before the SDK uses them: {@link #wrap} decorates the credentials
 * provider the Secrets Manager clients sign with (static, default chain, web identity, or the
 * caller's own), and registers each credential set it hands out before the signer sees it,
 * refreshed ones included; {@link #stsInterceptor()} registers the web identity token before the
 * {@code AssumeRoleWithWebIdentity} request is sent and the credentials in its answer as soon as
 * they are parsed. Masks read {@code [REDACTED:credential://aws/<kind>]}.
 */
public final class AwsCredentialRegistration {
  /** Credential kind of access key ids. */
  public static final String ACCESS_KEY_ID = "aws/access-key-id";
  /** Credential kind of secret access keys. */
  public static final String SECRET_ACCESS_KEY = "aws/secret-access-key";
  /** Credential kind of session tokens. */
  public static final String SESSION_TOKEN = "aws/session-token";
  /** Credential kind of web identity tokens sent to STS. */
  public static final String WEB_IDENTITY_TOKEN = "aws/web-identity-token";

  private AwsCredentialRegistration() {}

  /** {@code provider}, registering each new credential set it returns before returning it. */
  public static AwsCredentialsProvider wrap(AwsCredentialsProvider provider) {
    return new Registering(Objects.requireNonNull(provider, "provider"));
  }

  /** An interceptor for an STS client: registers the web identity token and the credentials. */
  public static ExecutionInterceptor stsInterceptor() {
    return new StsInterceptor();
  }

  /** Registers the non-empty ones of the three parts of an AWS credential set. */
  static void register(String accessKeyId, String secretAccessKey, String sessionToken) {
    RedactionIndex index = RedactionIndex.global();
    registerIfPresent(index, ACCESS_KEY_ID, accessKeyId);
    registerIfPresent(index, SECRET_ACCESS_KEY, secretAccessKey);
    registerIfPresent(index, SESSION_TOKEN, sessionToken);
  }

  private static void registerIfPresent(RedactionIndex index, String kind, String value) {
    if (value != null && !value.isEmpty()) {
      index.registerCredential(kind, value);
    }
  }

  private static String sessionToken(AwsCredentialsIdentity c) {
    return c instanceof AwsSessionCredentialsIdentity
        ? ((AwsSessionCredentialsIdentity) c).sessionToken() : null;
  }

  /**
   * Whether two credential sets hold the same strings (a provider may build a new object per
   * call, e.g. from environment variables).
   */
  static boolean same(AwsCredentialsIdentity a, AwsCredentialsIdentity b) {
    return Objects.equals(a.accessKeyId(), b.accessKeyId())
        && Objects.equals(a.secretAccessKey(), b.secretAccessKey())
        && Objects.equals(sessionToken(a), sessionToken(b));
  }

  /**
   * The decorator. The last set seen is remembered, so repeated calls with unchanged credentials
   * cost a reference (or three string) comparisons, not a registration. Thread-safe: two threads
   * seeing a new set at once both register it, which is harmless.
   */
  private static final class Registering implements AwsCredentialsProvider {
    private final AwsCredentialsProvider delegate;
    private volatile AwsCredentialsIdentity last;

    Registering(AwsCredentialsProvider delegate) {
      this.delegate = delegate;
    }

    @Override
    public AwsCredentials resolveCredentials() {
      AwsCredentials c = delegate.resolveCredentials();
      seen(c);
      return c;
    }

    @Override
    public CompletableFuture<AwsCredentialsIdentity> resolveIdentity(ResolveIdentityRequest request) {
      // the SDK resolves identities through here; a completed future runs seen() in this thread,
      // before the signer gets the identity
      return delegate.resolveIdentity(request).thenApply(c -> {
        seen(c);
        return (AwsCredentialsIdentity) c;
      });
    }

    private void seen(AwsCredentialsIdentity c) {
      AwsCredentialsIdentity prev = last;
      if (c == null || c == prev || (prev != null && same(prev, c))) {
        return;
      }
      register(c.accessKeyId(), c.secretAccessKey(), sessionToken(c));
      last = c;
    }

    @Override
    public String toString() {
      return delegate.toString();
    }
  }

  /** Registers what passes through STS {@code AssumeRoleWithWebIdentity}. Thread-safe. */
  private static final class StsInterceptor implements ExecutionInterceptor {
    private volatile String lastToken;
    private volatile Credentials lastCredentials;

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
      if (context.request() instanceof AssumeRoleWithWebIdentityRequest) {
        String token = ((AssumeRoleWithWebIdentityRequest) context.request()).webIdentityToken();
        if (token != null && !token.isEmpty() && !token.equals(lastToken)) {
          RedactionIndex.global().registerCredential(WEB_IDENTITY_TOKEN, token);
          lastToken = token;
        }
      }
    }

    @Override
    public void afterUnmarshalling(Context.AfterUnmarshalling context,
        ExecutionAttributes attributes) {
      if (context.response() instanceof AssumeRoleWithWebIdentityResponse) {
        Credentials c = ((AssumeRoleWithWebIdentityResponse) context.response()).credentials();
        if (c != null && !c.equals(lastCredentials)) {
          register(c.accessKeyId(), c.secretAccessKey(), c.sessionToken());
          lastCredentials = c;
        }
      }
    }
  }
}
