package io.secretsdk.http.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import okhttp3.Response;

/**
 * A response's {@code Retry-After} (seconds, or an HTTP date), bounded to
 * {@code 0..}{@link #MAX}, so a hostile server cannot park the SDK's retries for years.
 *
 * <p>Stateless and thread-safe.
 */
public final class RetryAfter {
  /** The longest delay accepted from a server. */
  public static final Duration MAX = Duration.ofDays(1);

  private RetryAfter() {}

  /** The delay {@code response} asks for, or {@code null} when it asks none or is unreadable. */
  public static Duration of(Response response, Clock clock) {
    String v = response.header("Retry-After");
    if (v == null || v.isBlank()) {
      return null;
    }
    String t = v.trim();
    try {
      long s = Long.parseLong(t);
      return s >= 0 ? Duration.ofSeconds(Math.min(s, MAX.getSeconds())) : null;
    } catch (NumberFormatException e) {
      try {
        ZonedDateTime at = ZonedDateTime.parse(t, DateTimeFormatter.RFC_1123_DATE_TIME);
        Duration d = Duration.between(clock.instant(), at.toInstant());
        return d.isNegative() ? Duration.ZERO : d.compareTo(MAX) > 0 ? MAX : d;
      } catch (RuntimeException unreadable) {
        return null;
      }
    }
  }
}
