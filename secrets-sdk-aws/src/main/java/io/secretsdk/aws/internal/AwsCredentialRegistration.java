package io.secretsdk.aws.internal;

import io.secretsdk.redact.RedactionIndex;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.SdkSystemSetting;
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
 * they are parsed; {@link #wrapDefaultChain} also registers the tokens the default chain sends on
 * its own (container credentials endpoint, web identity token file). Masks read
 * {@code [REDACTED:credential://aws/<kind>]}.
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
  /** Credential kind of the token the default chain sends to a container credentials endpoint. */
  public static final String CONTAINER_TOKEN = "aws/container-authorization-token";
  /** Token files are small; a larger file is not read. */
  private static final int MAX_TOKEN_FILE = 16 * 1024;
  /**
   * How often credentials in use are registered again although unchanged. The index keeps a few
   * values per credential kind, dropping the least recently registered first; registering the
   * ones in use again keeps them ahead of replaced ones when several providers (or refreshes)
   * share the kind.
   */
  static final long RETOUCH_NANOS = TimeUnit.MINUTES.toNanos(1);

  private AwsCredentialRegistration() {}

  /** {@code provider}, registering each new credential set it returns before returning it. */
  public static AwsCredentialsProvider wrap(AwsCredentialsProvider provider) {
    return wrap(provider, System::nanoTime);
  }

  /** {@link #wrap(AwsCredentialsProvider)} timed by {@code nanoClock} (tests). */
  static AwsCredentialsProvider wrap(AwsCredentialsProvider provider, LongSupplier nanoClock) {
    return new Registering(Objects.requireNonNull(provider, "provider"), () -> { }, nanoClock);
  }

  /**
   * The SDK default chain, wrapped like {@link #wrap}; the tokens the chain sends on its own are
   * registered now and again whenever its credentials are
   * ({@link #registerDefaultChainTokens()}).
   */
  public static AwsCredentialsProvider wrapDefaultChain(AwsCredentialsProvider chain) {
    registerDefaultChainTokens();
    return new Registering(Objects.requireNonNull(chain, "chain"),
        AwsCredentialRegistration::registerDefaultChainTokens, System::nanoTime);
  }

  /**
   * Registers the tokens the default chain reads from its settings (system property, else
   * environment variable): the container credentials endpoint's authorization token
   * ({@code AWS_CONTAINER_AUTHORIZATION_TOKEN}, or the content of
   * {@code AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE}), which the JDK's header dump would show, and
   * the web identity token in {@code AWS_WEB_IDENTITY_TOKEN_FILE}. A file the SDK rotates is
   * registered as it reads when this runs, which is when the provider is built and whenever the
   * chain's credentials are registered (new ones, or the periodic re-registration): a new token
   * may be sent once before it is registered (on EKS both tokens are JWTs, which the JWT detector
   * masks anyway).
   */
  static void registerDefaultChainTokens() {
    RedactionIndex index = RedactionIndex.global();
    registerIfPresent(index, CONTAINER_TOKEN,
        SdkSystemSetting.AWS_CONTAINER_AUTHORIZATION_TOKEN.getStringValue().orElse(null));
    registerIfPresent(index, CONTAINER_TOKEN, readTokenFile(
        SdkSystemSetting.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE.getStringValue().orElse(null)));
    registerIfPresent(index, WEB_IDENTITY_TOKEN, readTokenFile(
        SdkSystemSetting.AWS_WEB_IDENTITY_TOKEN_FILE.getStringValue().orElse(null)));
  }

  private static String readTokenFile(String file) {
    if (file == null || file.isBlank()) {
      return null;
    }
    try (InputStream in = Files.newInputStream(Path.of(file.trim()))) {
      byte[] bytes = in.readNBytes(MAX_TOKEN_FILE + 1);
      try {
        return bytes.length > MAX_TOKEN_FILE ? null
            : new String(bytes, StandardCharsets.UTF_8).trim();
      } finally {
        Arrays.fill(bytes, (byte) 0);
      }
    } catch (IOException | RuntimeException unreadable) {
      return null; // the SDK reports an unreadable file when it needs it
    }
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
   * cost a reference (or three string) comparisons and a clock read, not a registration; an
   * unchanged set is registered again once every {@link #RETOUCH_NANOS}. Thread-safe: two
   * threads seeing a new set at once both register it, which is harmless.
   */
  private static final class Registering implements AwsCredentialsProvider {
    private final AwsCredentialsProvider delegate;
    private final Runnable onRegister;
    private final LongSupplier nanoClock;
    private volatile AwsCredentialsIdentity last;
    private volatile long registeredAt;

    Registering(AwsCredentialsProvider delegate, Runnable onRegister, LongSupplier nanoClock) {
      this.delegate = delegate;
      this.onRegister = onRegister;
      this.nanoClock = nanoClock;
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
      if (c == null) {
        return;
      }
      AwsCredentialsIdentity prev = last;
      long now = nanoClock.getAsLong();
      if ((c == prev || (prev != null && same(prev, c))) && now - registeredAt < RETOUCH_NANOS) {
        return;
      }
      register(c.accessKeyId(), c.secretAccessKey(), sessionToken(c));
      onRegister.run();
      registeredAt = now;
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
