package io.secretsdk.vault.auth;

import io.secretsdk.identity.IdentityTokenSource;
import io.secretsdk.identity.KubernetesServiceAccountTokenSource;
import java.util.Objects;

/**
 * Settings for {@link KubernetesAuthentication}: mount path, role, and the service-account token
 * source (the pod's projected token by default).
 *
 * <p>Immutable and thread-safe.
 */
public final class KubernetesAuthenticationOptions {
  /** The default mount path of the Kubernetes method: {@value}. */
  public static final String DEFAULT_PATH = "kubernetes";

  private final String path;
  private final String role;
  private final IdentityTokenSource tokenSource;

  private KubernetesAuthenticationOptions(Builder b) {
    this.path = b.path;
    this.role = b.role;
    this.tokenSource = b.tokenSource != null ? b.tokenSource : KubernetesServiceAccountTokenSource.create();
  }

  /** Starts a builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** The mount path. */
  public String path() {
    return path;
  }

  /** The role. */
  public String role() {
    return role;
  }

  /** Where the service-account token comes from. */
  public IdentityTokenSource tokenSource() {
    return tokenSource;
  }

  @Override
  public String toString() {
    return "KubernetesAuthenticationOptions[path=" + path + ", role=" + role + ", source=" + tokenSource + "]";
  }

  /** Builds {@link KubernetesAuthenticationOptions}. Not thread-safe. */
  public static final class Builder {
    private String path = DEFAULT_PATH;
    private String role;
    private IdentityTokenSource tokenSource;

    private Builder() {}

    /**
     * The mount path of the Kubernetes method.
     *
     * @throws IllegalArgumentException if not a mount path
     */
    public Builder path(String path) {
      this.path = AuthChecks.mountPath(path, "path");
      return this;
    }

    /**
     * The role (required).
     *
     * @throws IllegalArgumentException if blank
     */
    public Builder role(String role) {
      this.role = AuthChecks.notBlank(role, "role");
      return this;
    }

    /** The service-account token source; the pod's default token file when not set. */
    public Builder tokenSource(IdentityTokenSource tokenSource) {
      this.tokenSource = Objects.requireNonNull(tokenSource, "tokenSource");
      return this;
    }

    /**
     * Builds the options.
     *
     * @throws IllegalStateException if the role is missing
     */
    public KubernetesAuthenticationOptions build() {
      if (role == null) {
        throw new IllegalStateException("role is required");
      }
      return new KubernetesAuthenticationOptions(this);
    }
  }
}
