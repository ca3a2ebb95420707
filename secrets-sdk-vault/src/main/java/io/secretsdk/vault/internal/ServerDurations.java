package io.secretsdk.vault.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations Vault supplies ({@code lease_duration}, token {@code ttl}, wrapping {@code creation_ttl},
 * a renewal's grant) made safe to compute with: whatever the server sends, the result lies in
 * {@code 0..}{@link #MAX}. Absent, negative, fractional-negative or unreadable values are
 * {@link Duration#ZERO} (no TTL); anything longer than {@link #MAX} is {@link #MAX}, so that
 * {@code toNanos()} and adding to a ticker reading can never overflow.
 *
 * <p>Stateless and thread-safe.
 */
public final class ServerDurations {
  /**
   * The longest duration taken from a server: one year. Vault's own default max TTL is 32 days;
   * a year leaves room for any real configuration while keeping nanosecond sums far from overflow.
   */
  public static final Duration MAX = Duration.ofDays(365);

  private static final Pattern SECONDS_TEXT = Pattern.compile("(\\d{1,30})(s|m|h)?");

  private ServerDurations() {}

  /**
   * A duration in seconds as Vault writes it: a JSON integer, or a string of digits with an
   * optional {@code s}, {@code m} or {@code h} unit.
   */
  public static Duration seconds(JsonNode node) {
    if (node == null) {
      return Duration.ZERO;
    }
    if (node.isIntegralNumber()) {
      if (node.canConvertToLong()) {
        return ofSeconds(node.asLong());
      }
      return node.bigIntegerValue().signum() > 0 ? MAX : Duration.ZERO;
    }
    if (node.isNumber()) {
      double d = node.asDouble();
      return d >= MAX.getSeconds() ? MAX : d > 0 ? Duration.ofSeconds((long) d) : Duration.ZERO;
    }
    if (node.isTextual()) {
      Matcher m = SECONDS_TEXT.matcher(node.asText().strip());
      if (!m.matches()) {
        return Duration.ZERO;
      }
      String digits = m.group(1);
      if (digits.length() > 12) {
        return MAX;
      }
      long n = Long.parseLong(digits);
      String unit = m.group(2);
      return ofSeconds("h".equals(unit) ? n * 3600 : "m".equals(unit) ? n * 60 : n);
    }
    return Duration.ZERO;
  }

  /** {@code d} bounded to {@code 0..MAX}; null or negative is zero. */
  public static Duration clamp(Duration d) {
    if (d == null || d.isNegative()) {
      return Duration.ZERO;
    }
    return d.compareTo(MAX) > 0 ? MAX : d;
  }

  private static Duration ofSeconds(long seconds) {
    if (seconds <= 0) {
      return Duration.ZERO;
    }
    return seconds >= MAX.getSeconds() ? MAX : Duration.ofSeconds(seconds);
  }
}
