package io.secretsdk.vault.auth;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Logs in with AppRole: {@code POST auth/<path>/login {role_id, secret_id}}.
 *
 * <p>A response-wrapped secret id is unwrapped on the first login and kept in memory for later
 * logins, since a wrapping token works only once. Before unwrapping, the wrapping token is looked up
 * and must have been created by {@code auth/<path>/role/<role name>/secret-id} (any role when
 * {@link AppRoleAuthenticationOptions#roleName()} is not set) with a TTL of at most 24 hours.
 *
 * <p>Thread-safe.
 */
public final class AppRoleAuthentication implements ClientAuthentication {
  private final AppRoleAuthenticationOptions options;
  private final Object lock = new Object();
  private transient String unwrappedSecretId;

  private AppRoleAuthentication(AppRoleAuthenticationOptions options) {
    this.options = Objects.requireNonNull(options, "options");
  }

  /** AppRole authentication with the given options. */
  public static AppRoleAuthentication create(AppRoleAuthenticationOptions options) {
    return new AppRoleAuthentication(options);
  }

  /**
   * Logs in.
   *
   * @throws io.secretsdk.SecretAccessDeniedException if Vault refuses the role or secret id, or the
   *     wrapping token is invalid, already used, or was not made for this role's secret id
   * @throws io.secretsdk.ProviderUnavailableException if Vault cannot be reached right now
   */
  @Override
  public VaultToken login(VaultLoginClient client) {
    Map<String, String> body = new LinkedHashMap<>();
    body.put("role_id", options.roleId());
    String secretId = secretId(client);
    if (secretId != null) {
      body.put("secret_id", secretId);
    }
    return client.login("auth/" + options.path() + "/login", body);
  }

  private String secretId(VaultLoginClient client) {
    if (options.secretId().isPresent()) {
      return options.secretId().get();
    }
    if (options.wrappedSecretId().isEmpty()) {
      return null;
    }
    synchronized (lock) {
      if (unwrappedSecretId == null) {
        String creationPath = "auth/" + options.path() + "/role/" + options.roleName().orElse("*") + "/secret-id";
        unwrappedSecretId = client.unwrap(options.wrappedSecretId().get(), "secret_id", creationPath);
      }
      return unwrappedSecretId;
    }
  }

  /** The options. */
  public AppRoleAuthenticationOptions options() {
    return options;
  }

  @Override
  public String toString() {
    return "AppRoleAuthentication[" + options + "]";
  }
}
