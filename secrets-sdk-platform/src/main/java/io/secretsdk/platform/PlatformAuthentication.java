package io.secretsdk.platform;

import io.secretsdk.identity.GitHubActionsTokenSource;
import io.secretsdk.identity.IdentityTokenSource;
import io.secretsdk.identity.KubernetesServiceAccountTokenSource;
import io.secretsdk.redact.RedactionIndex;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How the provider obtains its short-lived access token from the Secrets API:
 * <ul>
 *   <li>{@linkplain #oidc workload identity}: an OIDC token from an {@link IdentityTokenSource}
 *       (GitHub Actions, a Kubernetes service account, a JWT file) exchanged with
 *       {@code POST /auth/oidc/exchange} for each environment and scope the provider needs;
 *   <li>{@linkplain #serviceToken a service account}: its id and key exchanged with
 *       {@code POST /auth/service-token}.
 * </ul>
 * Either way the token lives 15–60 minutes and is renewed before it expires (see
 * {@link PlatformSecretProvider}). {@link #toString()} never shows a credential.
 *
 * <p>Immutable and thread-safe.
 */
public final class PlatformAuthentication {
  /** The credential kind a service account key is registered under for redaction. */
  static final String SERVICE_KEY_KIND = "platform/service-key";
  private static final Pattern OIDC_PROVIDER = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
  private static final Pattern ACCOUNT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9@._:/-]{0,255}");

  /** The two ways of obtaining a token. */
  public enum Kind {
    /** {@code POST /auth/oidc/exchange} with a workload-identity token. */
    OIDC_EXCHANGE,
    /** {@code POST /auth/service-token} with a service account's id and key. */
    SERVICE_TOKEN
  }

  private final Kind kind;
  private final IdentityTokenSource tokenSource;
  private final String oidcProvider;
  private final boolean ownsSource;
  private final String serviceAccount;
  private final transient String serviceKey;

  private PlatformAuthentication(Kind kind, IdentityTokenSource tokenSource, String oidcProvider, boolean ownsSource,
      String serviceAccount, String serviceKey) {
    this.kind = kind;
    this.tokenSource = tokenSource;
    this.oidcProvider = oidcProvider;
    this.ownsSource = ownsSource;
    this.serviceAccount = serviceAccount;
    this.serviceKey = serviceKey;
  }

  /**
   * Exchanges tokens from {@code source} ({@code "provider": oidcProvider} in the exchange).
   *
   * @param source the workload-identity token source; a closeable one stays the caller's to close
   * @param oidcProvider the identity provider's name as the Secrets API knows it, e.g.
   *     {@code github} or {@code kubernetes}
   * @throws IllegalArgumentException if {@code oidcProvider} is not a short lower-case name
   */
  public static PlatformAuthentication oidc(IdentityTokenSource source, String oidcProvider) {
    return oidc(source, oidcProvider, false);
  }

  static PlatformAuthentication oidc(IdentityTokenSource source, String oidcProvider, boolean owned) {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(oidcProvider, "oidcProvider");
    if (!OIDC_PROVIDER.matcher(oidcProvider).matches()) {
      throw new IllegalArgumentException("oidcProvider must be a lower-case name like 'github' (at most 64 characters)");
    }
    return new PlatformAuthentication(Kind.OIDC_EXCHANGE, source, oidcProvider, owned, null, null);
  }

  /**
   * The GitHub Actions OIDC token of this job ({@code permissions: id-token: write}), exchanged as
   * provider {@code github}. The provider closes the source it creates here.
   *
   * @param audience the audience to ask GitHub for, or {@code null} for GitHub's default
   */
  public static PlatformAuthentication githubActions(String audience) {
    return oidc(GitHubActionsTokenSource.create(audience), "github", true);
  }

  /** The pod's Kubernetes service-account token, exchanged as provider {@code kubernetes}. */
  public static PlatformAuthentication kubernetes() {
    return oidc(KubernetesServiceAccountTokenSource.create(), "kubernetes", true);
  }

  /**
   * A service account's id and key, exchanged with {@code POST /auth/service-token}. The key is
   * registered with {@link RedactionIndex#global()} as a credential here, before anything uses it.
   *
   * @throws IllegalArgumentException if the id is not a plain identifier or the key is blank
   */
  public static PlatformAuthentication serviceToken(String serviceAccount, String serviceKey) {
    Objects.requireNonNull(serviceAccount, "serviceAccount");
    Objects.requireNonNull(serviceKey, "serviceKey");
    String key = serviceKey.strip();
    if (key.isEmpty() || key.length() > 8192) {
      throw new IllegalArgumentException("serviceKey must be non-blank and at most 8192 characters");
    }
    RedactionIndex.global().registerCredential(SERVICE_KEY_KIND, key);
    if (!ACCOUNT.matcher(serviceAccount).matches()) {
      throw new IllegalArgumentException("serviceAccount must be an identifier (letters, digits, @._:/-)");
    }
    return new PlatformAuthentication(Kind.SERVICE_TOKEN, null, null, false, serviceAccount, key);
  }

  /** Which exchange this is. */
  public Kind kind() {
    return kind;
  }

  /** The workload-identity source, for {@link Kind#OIDC_EXCHANGE}. */
  public Optional<IdentityTokenSource> tokenSource() {
    return Optional.ofNullable(tokenSource);
  }

  /** The identity provider's name sent in the exchange, for {@link Kind#OIDC_EXCHANGE}. */
  public Optional<String> oidcProvider() {
    return Optional.ofNullable(oidcProvider);
  }

  /** The service account id, for {@link Kind#SERVICE_TOKEN}. */
  public Optional<String> serviceAccount() {
    return Optional.ofNullable(serviceAccount);
  }

  /** Whether the provider closes the token source (one this class created). */
  boolean ownsSource() {
    return ownsSource;
  }

  /** The service account key; never logged. */
  String serviceKey() {
    return serviceKey;
  }

  @Override
  public String toString() {
    return kind == Kind.OIDC_EXCHANGE
        ? "PlatformAuthentication[oidc provider=" + oidcProvider + ", source=" + tokenSource + "]"
        : "PlatformAuthentication[service account=" + serviceAccount + ", key=****]";
  }
}
