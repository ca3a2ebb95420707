package io.secretsdk.identity;

import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

/** Reads the expiry of a JWT without verifying it (the backend that receives it verifies). */
final class JwtSupport {
  /** Longest token accepted from a file or an issuer, in bytes. */
  static final int MAX_TOKEN_BYTES = 64 * 1024;

  private JwtSupport() {}

  /**
   * The {@code exp} claim of {@code jwt}, or {@code null} when it has none.
   *
   * @throws IllegalArgumentException if {@code jwt} is not a JWT; the message never quotes it
   */
  static Instant expiry(String jwt) {
    try {
      JWT parsed = JWTParser.parse(jwt);
      JWTClaimsSet claims = parsed.getJWTClaimsSet();
      Date exp = claims.getExpirationTime();
      return exp == null ? null : exp.toInstant();
    } catch (ParseException | RuntimeException e) {
      // the cause may quote the token: drop it
      throw new IllegalArgumentException("not a JWT (could not parse header or claims)");
    }
  }

  /** Whether a token expiring at {@code expiresAt} should be replaced at {@code now}. */
  static boolean dueForRefresh(Instant expiresAt, Instant now, Duration refreshAhead) {
    return expiresAt != null && !now.plus(refreshAhead).isBefore(expiresAt);
  }

  static Duration requireNonNegative(Duration d, String name) {
    if (d == null || d.isNegative()) {
      throw new IllegalArgumentException(name + " must be a non-negative duration");
    }
    return d;
  }
}
