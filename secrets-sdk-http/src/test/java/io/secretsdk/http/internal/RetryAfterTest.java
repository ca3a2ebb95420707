package io.secretsdk.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

final class RetryAfterTest {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-02-11T10:00:00Z"), ZoneOffset.UTC);

  private static Response with(String retryAfter) {
    Response.Builder b = new Response.Builder().request(new Request.Builder().url("https://h.example/").build())
        .protocol(Protocol.HTTP_1_1).code(429).message("Too Many Requests");
    if (retryAfter != null) {
      b.header("Retry-After", retryAfter);
    }
    return b.build();
  }

  @Test
  void seconds_andHttpDates_areRead() {
    assertThat(RetryAfter.of(with("7"), CLOCK)).isEqualTo(Duration.ofSeconds(7));
    assertThat(RetryAfter.of(with("Wed, 11 Feb 2026 10:01:30 GMT"), CLOCK)).isEqualTo(Duration.ofSeconds(90));
    assertThat(RetryAfter.of(with("Wed, 11 Feb 2026 09:00:00 GMT"), CLOCK)).isEqualTo(Duration.ZERO);
  }

  @Test
  void hugeOrUnreadableValues_areBoundedOrIgnored() {
    assertThat(RetryAfter.of(with("99999999999"), CLOCK)).isEqualTo(RetryAfter.MAX);
    assertThat(RetryAfter.of(with("Fri, 01 Jan 2100 00:00:00 GMT"), CLOCK)).isEqualTo(RetryAfter.MAX);
    assertThat(RetryAfter.of(with("-5"), CLOCK)).isNull();
    assertThat(RetryAfter.of(with("soon"), CLOCK)).isNull();
    assertThat(RetryAfter.of(with(null), CLOCK)).isNull();
  }
}
