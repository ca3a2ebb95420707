package io.secretsdk.vault.auth;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A Vault token and what Vault said about its lifetime. {@link #toString()} never shows the token.
 *
 * <p>Immutable and thread-safe.
 */
public final class VaultToken {
  private final transient String token;
  private final Duration ttl;
  private final boolean renewable;

  private VaultToken(String token, Duration ttl, boolean renewable) {
    Objects.requireNonNull(token, "token");
    if (token.isBlank()) {
      throw new IllegalArgumentException("token must not be blank");
    }
    if (ttl != null && ttl.isNegative()) {
      throw new IllegalArgumentException("ttl must not be negative");
    }
    this.token = token;
    this.ttl = ttl;
    this.renewable = renewable;
  }

  /**
   * A token whose lifetime is not known yet; the session manager looks it up
   * ({@code auth/token/lookup-self}) before use.
   *
   * @throws IllegalArgumentException if {@code token} is blank
   */
  public static VaultToken of(String token) {
    return new VaultToken(token, null, false);
  }

  /**
   * A token with a known lifetime, as a login returns it.
   *
   * @param ttl the lease duration; {@link Duration#ZERO} for a token that never expires
   * @param renewable whether {@code auth/token/renew-self} may extend it
   * @throws IllegalArgumentException if {@code token} is blank or {@code ttl} negative
   */
  public static VaultToken of(String token, Duration ttl, boolean renewable) {
    return new VaultToken(token, Objects.requireNonNull(ttl, "ttl"), renewable);
  }

  /** The token text, for the {@code X-Vault-Token} header. Never log it. */
  public String reveal() {
    return token;
  }

  /** The lease duration when known; zero means the token does not expire. */
  public Optional<Duration> ttl() {
    return Optional.ofNullable(ttl);
  }

  /** Whether Vault allows renewing the token. */
  public boolean renewable() {
    return renewable;
  }

  @Override
  public String toString() {
    return "VaultToken[ttl=" + ttl + ", renewable=" + renewable + ", token=****]";
  }
}
