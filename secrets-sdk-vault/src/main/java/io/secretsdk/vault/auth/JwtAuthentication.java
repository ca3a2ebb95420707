package io.secretsdk.vault.auth;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Logs in with a workload-identity JWT: {@code POST auth/<path>/login {role, jwt}}. The JWT comes
 * from an {@link io.secretsdk.identity.IdentityTokenSource}, e.g.
 * {@link io.secretsdk.identity.GitHubActionsTokenSource} in a GitHub Actions job.
 *
 * <p>Thread-safe.
 */
public final class JwtAuthentication implements ClientAuthentication {
  private final JwtAuthenticationOptions options;

  private JwtAuthentication(JwtAuthenticationOptions options) {
    this.options = Objects.requireNonNull(options, "options");
  }

  /** JWT authentication with the given options. */
  public static JwtAuthentication create(JwtAuthenticationOptions options) {
    return new JwtAuthentication(options);
  }

  /**
   * Obtains a JWT from the token source and logs in with it.
   *
   * @throws io.secretsdk.SecretAccessDeniedException if Vault refuses the JWT or role, or the token
   *     source is refused
   * @throws io.secretsdk.ProviderUnavailableException if Vault or the token source is unreachable
   * @throws io.secretsdk.SecretConfigException if the token source is not configured
   */
  @Override
  public VaultToken login(VaultLoginClient client) {
    Map<String, String> body = new LinkedHashMap<>();
    options.role().ifPresent(r -> body.put("role", r));
    body.put("jwt", options.tokenSource().token().reveal());
    return client.login("auth/" + options.path() + "/login", body);
  }

  /** The options. */
  public JwtAuthenticationOptions options() {
    return options;
  }

  @Override
  public String toString() {
    return "JwtAuthentication[" + options + "]";
  }
}
