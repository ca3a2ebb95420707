package io.secretsdk.vault.auth;

/**
 * Obtains a Vault token: from configuration ({@link TokenAuthentication}) or by logging in
 * ({@link AppRoleAuthentication}, {@link JwtAuthentication}, {@link KubernetesAuthentication}).
 *
 * <p>The provider's session manager calls {@link #login} once for all concurrent callers, looks up
 * a token whose lifetime is unknown, renews it ahead of expiry and calls {@link #login} again when
 * renewal is refused, the token nears its maximum TTL, Vault answers 403, or
 * {@link #credentialsChanged()} says so.
 *
 * <p>Implementations must be thread-safe and must never log or put into an exception the token or
 * any credential they send. The provider registers the token {@link #login} returns, and every
 * credential sent through the {@link VaultLoginClient}, with {@code RedactionIndex.global()} before
 * using it; a credential an implementation sends by other means it should register itself
 * ({@code RedactionIndex.global().registerCredential(kind, value)}).
 */
@FunctionalInterface
public interface ClientAuthentication {

  /**
   * Obtains a token.
   *
   * @param client makes the login calls
   * @return the token; with its TTL when the login returned one
   * @throws io.secretsdk.SecretAccessDeniedException if Vault refuses the credentials
   * @throws io.secretsdk.ProviderUnavailableException if Vault cannot be reached right now
   * @throws io.secretsdk.SecretConfigException if the credentials are not configured
   */
  VaultToken login(VaultLoginClient client);

  /**
   * Whether the credential source changed since the last {@link #login} (a token file rewritten by
   * Vault Agent), so the current token should be replaced. Called on every request; must be cheap.
   */
  default boolean credentialsChanged() {
    return false;
  }

  /**
   * Whether the provider should revoke the token ({@code auth/token/revoke-self}) on close: true for
   * tokens it obtained by logging in, false for tokens it was given.
   */
  default boolean revokeOnClose() {
    return true;
  }
}
