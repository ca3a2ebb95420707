package io.secretsdk.identity;

/**
 * Supplies a workload-identity token (an OIDC JWT from GitHub Actions, a Kubernetes projected
 * service-account token, any JWT file) that a provider exchanges for backend credentials: Vault
 * JWT/Kubernetes login, AWS STS {@code AssumeRoleWithWebIdentity}.
 *
 * <p>Implementations cache the token while it is valid and fetch or re-read it when it is about to
 * expire. They must be thread-safe, and must never log the token or put it in an exception.
 */
@FunctionalInterface
public interface IdentityTokenSource {

  /**
   * The current token.
   *
   * @throws io.secretsdk.SecretAccessDeniedException if the environment refuses to issue one
   * @throws io.secretsdk.ProviderUnavailableException if the token cannot be obtained right now
   * @throws io.secretsdk.SecretConfigException if the source is not configured (missing variable
   *     or file)
   */
  IdentityToken token();
}
