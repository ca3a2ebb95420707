package io.secretsdk.identity;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.concurrent.atomic.AtomicReference;

/** Unsigned JWTs and a settable clock for identity tests. */
final class TestJwts {
  private TestJwts() {}

  /** An unsigned JWT whose subject carries {@code marker} and which expires at {@code exp}. */
  static String jwt(String marker, Instant exp) {
    JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().subject(marker).audience("vault");
    if (exp != null) {
      claims.expirationTime(Date.from(exp));
    }
    return new PlainJWT(claims.build()).serialize();
  }

  /** A clock tests move by hand. */
  static final class MutableClock extends Clock {
    private final AtomicReference<Instant> now;

    MutableClock(Instant start) {
      this.now = new AtomicReference<>(start);
    }

    void advance(java.time.Duration d) {
      now.updateAndGet(i -> i.plus(d));
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now.get();
    }
  }
}
