package io.secretsdk.vault.auth;

import java.util.Optional;

/**
 * Settings for {@link AppRoleAuthentication}: the mount path, the role id, the role name (optional),
 * and the secret id given literally or as a response-wrapping token (looked up, then unwrapped once
 * through {@code sys/wrapping/unwrap}).
 *
 * <p>Immutable and thread-safe. {@link #toString()} shows neither the secret id nor the wrapping
 * token.
 */
public final class AppRoleAuthenticationOptions {
  /** The default mount path of the AppRole method: {@value}. */
  public static final String DEFAULT_PATH = "approle";

  private final String path;
  private final String roleName;
  private final transient String roleId;
  private final transient String secretId;
  private final transient String wrappedSecretId;

  private AppRoleAuthenticationOptions(Builder b) {
    this.path = b.path;
    this.roleName = b.roleName;
    this.roleId = b.roleId;
    this.secretId = b.secretId;
    this.wrappedSecretId = b.wrappedSecretId;
  }

  /** Starts a builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** The mount path, e.g. {@code approle}. */
  public String path() {
    return path;
  }

  /**
   * The role's name, when set: a wrapped secret id must then have been created by
   * {@code auth/<path>/role/<name>/secret-id} exactly, not by any role's secret-id path.
   */
  public Optional<String> roleName() {
    return Optional.ofNullable(roleName);
  }

  String roleId() {
    return roleId;
  }

  Optional<String> secretId() {
    return Optional.ofNullable(secretId);
  }

  Optional<String> wrappedSecretId() {
    return Optional.ofNullable(wrappedSecretId);
  }

  /** Whether the secret id is response-wrapped. */
  public boolean secretIdWrapped() {
    return wrappedSecretId != null;
  }

  @Override
  public String toString() {
    return "AppRoleAuthenticationOptions[path=" + path + (roleName != null ? ", roleName=" + roleName : "") + ", secretId="
        + (secretId != null ? "****" : wrappedSecretId != null ? "wrapped" : "none") + "]";
  }

  /** Builds {@link AppRoleAuthenticationOptions}. Not thread-safe. */
  public static final class Builder {
    private String path = DEFAULT_PATH;
    private String roleName;
    private String roleId;
    private String secretId;
    private String wrappedSecretId;

    private Builder() {}

    /**
     * The mount path of the AppRole method.
     *
     * @throws IllegalArgumentException if not a mount path
     */
    public Builder path(String path) {
      this.path = AuthChecks.mountPath(path, "path");
      return this;
    }

    /**
     * The role's name (as in {@code auth/approle/role/<name>}): a wrapped secret id must have been
     * created for this role.
     *
     * @throws IllegalArgumentException if not a role name (letters, digits, {@code _ . @ -})
     */
    public Builder roleName(String roleName) {
      this.roleName = AuthChecks.roleName(roleName, "roleName");
      return this;
    }

    /**
     * The role id (required).
     *
     * @throws IllegalArgumentException if blank
     */
    public Builder roleId(String roleId) {
      this.roleId = AuthChecks.notBlank(roleId, "roleId");
      return this;
    }

    /**
     * The secret id, literally.
     *
     * @throws IllegalArgumentException if blank
     */
    public Builder secretId(String secretId) {
      this.secretId = AuthChecks.notBlank(secretId, "secretId");
      return this;
    }

    /**
     * A response-wrapping token whose {@code data.secret_id} is the secret id (as written by
     * {@code vault write -wrap-ttl=... -f auth/approle/role/NAME/secret-id}).
     *
     * @throws IllegalArgumentException if blank
     */
    public Builder wrappedSecretId(String wrappingToken) {
      this.wrappedSecretId = AuthChecks.notBlank(wrappingToken, "wrappedSecretId");
      return this;
    }

    /**
     * Builds the options. Without a secret id the role must have {@code bind_secret_id=false}.
     *
     * @throws IllegalStateException if the role id is missing, or both a secret id and a wrapped one
     *     are set
     */
    public AppRoleAuthenticationOptions build() {
      if (roleId == null) {
        throw new IllegalStateException("roleId is required");
      }
      if (secretId != null && wrappedSecretId != null) {
        throw new IllegalStateException("set secretId or wrappedSecretId, not both");
      }
      return new AppRoleAuthenticationOptions(this);
    }
  }
}
