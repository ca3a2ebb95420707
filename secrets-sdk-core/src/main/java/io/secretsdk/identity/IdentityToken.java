package io.secretsdk.identity;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A workload-identity token and when it expires. {@link #toString()} never shows the token.
 *
 * <p>Immutable and thread-safe.
 */
public final class IdentityToken {
  private final transient String value;
  private final Instant expiresAt;

  private IdentityToken(String value, Instant expiresAt) {
    this.value = Objects.requireNonNull(value, "value");
    this.expiresAt = expiresAt;
  }

  /**
   * Creates a token.
   *
   * @param value the token text
   * @param expiresAt when it expires, or {@code null} when unknown
   */
  public static IdentityToken of(String value, Instant expiresAt) {
    return new IdentityToken(value, expiresAt);
  }

  /** The token text, to send to the backend that exchanges it. Never log it. */
  public String reveal() {
    return value;
  }

  /** When the token expires, when known. */
  public Optional<Instant> expiresAt() {
    return Optional.ofNullable(expiresAt);
  }

  @Override
  public String toString() {
    return "IdentityToken[expiresAt=" + expiresAt + ", value=****]";
  }
}
