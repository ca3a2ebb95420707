package io.secretsdk.vault.auth;

import io.secretsdk.identity.IdentityTokenSource;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings for {@link JwtAuthentication}: the mount path of the JWT/OIDC method, the role, and the
 * {@link IdentityTokenSource} that supplies the JWT (GitHub Actions, a Kubernetes projected token,
 * any JWT file).
 *
 * <p>Immutable and thread-safe.
 */
public final class JwtAuthenticationOptions {
  /** The default mount path of the JWT method: {@value}. */
  public static final String DEFAULT_PATH = "jwt";

  private final String path;
  private final String role;
  private final IdentityTokenSource tokenSource;

  private JwtAuthenticationOptions(Builder b) {
    this.path = b.path;
    this.role = b.role;
    this.tokenSource = b.tokenSource;
  }

  /** Starts a builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** The mount path, e.g. {@code jwt} or {@code github-actions}. */
  public String path() {
    return path;
  }

  /** The role; empty to use the method's {@code default_role}. */
  public Optional<String> role() {
    return Optional.ofNullable(role);
  }

  /** Where the JWT comes from. */
  public IdentityTokenSource tokenSource() {
    return tokenSource;
  }

  @Override
  public String toString() {
    return "JwtAuthenticationOptions[path=" + path + ", role=" + role + ", source=" + tokenSource + "]";
  }

  /** Builds {@link JwtAuthenticationOptions}. Not thread-safe. */
  public static final class Builder {
    private String path = DEFAULT_PATH;
    private String role;
    private IdentityTokenSource tokenSource;

    private Builder() {}

    /**
     * The mount path of the JWT method.
     *
     * @throws IllegalArgumentException if not a mount path
     */
    public Builder path(String path) {
      this.path = AuthChecks.mountPath(path, "path");
      return this;
    }

    /**
     * The role to log in with.
     *
     * @throws IllegalArgumentException if blank
     */
    public Builder role(String role) {
      this.role = AuthChecks.notBlank(role, "role");
      return this;
    }

    /** The source of the JWT (required). */
    public Builder tokenSource(IdentityTokenSource tokenSource) {
      this.tokenSource = Objects.requireNonNull(tokenSource, "tokenSource");
      return this;
    }

    /**
     * Builds the options.
     *
     * @throws IllegalStateException if the token source is missing
     */
    public JwtAuthenticationOptions build() {
      if (tokenSource == null) {
        throw new IllegalStateException("tokenSource is required");
      }
      return new JwtAuthenticationOptions(this);
    }
  }
}
