package io.secretsdk.vault.auth;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Where {@link TokenAuthentication} reads its token: a literal, an environment variable, or a file
 * (a Vault Agent sink, {@code ~/.vault-token}) that is read again when it changes.
 *
 * <p>Immutable and thread-safe. {@link #toString()} never shows a literal token.
 */
public final class TokenAuthenticationOptions {
  /** The variable the {@code vault} CLI reads: {@value}. */
  public static final String DEFAULT_ENV_VARIABLE = "VAULT_TOKEN";

  private final transient String token;
  private final String envVariable;
  private final Function<String, String> environment;
  private final Path tokenFile;

  private TokenAuthenticationOptions(Builder b) {
    this.token = b.token;
    this.envVariable = b.envVariable;
    this.environment = b.environment;
    this.tokenFile = b.tokenFile;
  }

  /** Reads the token from {@code VAULT_TOKEN} in the process environment. */
  public static TokenAuthenticationOptions ofDefaults() {
    return builder().environmentVariable(DEFAULT_ENV_VARIABLE).build();
  }

  /** Starts a builder; set exactly one of token, environment variable or file. */
  public static Builder builder() {
    return new Builder();
  }

  /** The literal token, when configured that way. */
  Optional<String> token() {
    return Optional.ofNullable(token);
  }

  /** The environment variable, when configured that way. */
  public Optional<String> environmentVariable() {
    return Optional.ofNullable(envVariable);
  }

  /** The environment lookup used with {@link #environmentVariable()}. */
  public Function<String, String> environment() {
    return environment;
  }

  /** The token file, when configured that way. */
  public Optional<Path> tokenFile() {
    return Optional.ofNullable(tokenFile);
  }

  @Override
  public String toString() {
    String source = token != null ? "literal" : envVariable != null ? "env:" + envVariable : "file:" + tokenFile;
    return "TokenAuthenticationOptions[source=" + source + "]";
  }

  /** Builds {@link TokenAuthenticationOptions}. Not thread-safe. */
  public static final class Builder {
    private String token;
    private String envVariable;
    private Function<String, String> environment = System::getenv;
    private Path tokenFile;

    private Builder() {}

    /**
     * A literal token. Prefer a variable or file: a literal lives as long as the options.
     *
     * @throws IllegalArgumentException if blank
     */
    public Builder token(String token) {
      this.token = AuthChecks.notBlank(token, "token");
      return this;
    }

    /**
     * Read the token from this environment variable at each login.
     *
     * @throws IllegalArgumentException if blank
     */
    public Builder environmentVariable(String name) {
      this.envVariable = AuthChecks.notBlank(name, "environmentVariable");
      return this;
    }

    /** The environment lookup (tests inject a map); the process environment by default. */
    public Builder environment(Function<String, String> environment) {
      this.environment = Objects.requireNonNull(environment, "environment");
      return this;
    }

    /** Read the token from this file, again whenever it changes. */
    public Builder tokenFile(Path file) {
      this.tokenFile = Objects.requireNonNull(file, "tokenFile");
      return this;
    }

    /**
     * Builds the options.
     *
     * @throws IllegalStateException unless exactly one source is set
     */
    public TokenAuthenticationOptions build() {
      int sources = (token != null ? 1 : 0) + (envVariable != null ? 1 : 0) + (tokenFile != null ? 1 : 0);
      if (sources != 1) {
        throw new IllegalStateException("set exactly one of token, environmentVariable or tokenFile");
      }
      return new TokenAuthenticationOptions(this);
    }
  }
}
