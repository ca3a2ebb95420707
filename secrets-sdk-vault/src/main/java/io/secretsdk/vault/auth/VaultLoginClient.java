package io.secretsdk.vault.auth;

import java.util.Map;

/**
 * The calls a {@link ClientAuthentication} may make to Vault while logging in. The provider
 * supplies it; it sends {@code X-Vault-Request} and the namespace, never follows redirects, and maps
 * errors onto the core exceptions with response text scrubbed.
 *
 * <p>Thread-safe.
 */
public interface VaultLoginClient {

  /**
   * POSTs {@code body} to {@code path} without a token and returns the {@code auth} block.
   *
   * @param path a login path relative to {@code /v1/}, e.g. {@code auth/approle/login}
   * @param body the login parameters; values are sent, never logged, and (except {@code role} and
   *     {@code role_id}) registered with {@code RedactionIndex.global()} before they are sent, as is
   *     the {@code client_token} of the answer
   * @throws io.secretsdk.SecretAccessDeniedException if Vault refuses the credentials (400/401/403)
   * @throws io.secretsdk.ProviderUnavailableException on I/O errors, 429, 5xx or a malformed answer
   */
  VaultToken login(String path, Map<String, String> body);

  /**
   * Unwraps a response-wrapped secret and returns one string field of its {@code data}. The
   * wrapping token is first looked up ({@code sys/wrapping/lookup}, which does not use it up): it
   * is unwrapped ({@code sys/wrapping/unwrap}, the wrapping token in {@code X-Vault-Token}) only if
   * Vault says it was created by {@code expectedCreationPath} and has a TTL of at most 24 hours, so
   * a token someone else wrapped is never unwrapped. A wrapping token works once. The wrapping
   * token (before the first call) and the unwrapped string are registered with
   * {@code RedactionIndex.global()}.
   *
   * @param wrappingToken the response-wrapping token
   * @param field the field of the wrapped {@code data} to return, e.g. {@code secret_id}
   * @param expectedCreationPath the API path that must have created the token, e.g.
   *     {@code auth/approle/role/ci/secret-id}; a {@code *} segment stands for any one segment
   * @throws io.secretsdk.SecretAccessDeniedException if the wrapping token is invalid, expired or
   *     already used, was created by another path, or has no or too long a TTL
   * @throws io.secretsdk.ProviderUnavailableException on I/O errors, 429 or 5xx
   */
  String unwrap(String wrappingToken, String field, String expectedCreationPath);
}
