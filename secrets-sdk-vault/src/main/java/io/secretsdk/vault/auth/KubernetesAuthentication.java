package io.secretsdk.vault.auth;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Logs in with the Kubernetes auth method: {@code POST auth/<path>/login {role, jwt}} with the pod's
 * service-account token.
 *
 * <p>Thread-safe.
 */
public final class KubernetesAuthentication implements ClientAuthentication {
  private final KubernetesAuthenticationOptions options;

  private KubernetesAuthentication(KubernetesAuthenticationOptions options) {
    this.options = Objects.requireNonNull(options, "options");
  }

  /** Kubernetes authentication with the given options. */
  public static KubernetesAuthentication create(KubernetesAuthenticationOptions options) {
    return new KubernetesAuthentication(options);
  }

  /**
   * Reads the service-account token and logs in with it.
   *
   * @throws io.secretsdk.SecretAccessDeniedException if Vault refuses the token or role
   * @throws io.secretsdk.ProviderUnavailableException if Vault is unreachable
   * @throws io.secretsdk.SecretConfigException if the token file is missing
   */
  @Override
  public VaultToken login(VaultLoginClient client) {
    Map<String, String> body = new LinkedHashMap<>();
    body.put("role", options.role());
    body.put("jwt", options.tokenSource().token().reveal());
    return client.login("auth/" + options.path() + "/login", body);
  }

  /** The options. */
  public KubernetesAuthenticationOptions options() {
    return options;
  }

  @Override
  public String toString() {
    return "KubernetesAuthentication[" + options + "]";
  }
}
