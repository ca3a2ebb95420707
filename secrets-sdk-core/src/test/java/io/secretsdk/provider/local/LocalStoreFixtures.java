package io.secretsdk.provider.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/** Helpers for local store tests: canary values, a settable clock, file inspection. */
final class LocalStoreFixtures {
  private LocalStoreFixtures() {}

  static String canary() {
    byte[] b = new byte[12];
    new SecureRandom().nextBytes(b);
    return "canary-" + HexFormat.of().formatHex(b);
  }

  /** Asserts that no form of {@code secret} appears in {@code text}. */
  static void assertNoLeak(String text, String... secrets) {
    for (String s : secrets) {
      byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
      assertThat(text).doesNotContain(s)
          .doesNotContain(Base64.getEncoder().encodeToString(bytes))
          .doesNotContain(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes))
          .doesNotContain(HexFormat.of().formatHex(bytes));
    }
  }

  /** Asserts that neither the message nor any cause of {@code t} leaks {@code secrets}. */
  static void assertNoLeak(Throwable t, String... secrets) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      assertNoLeak(String.valueOf(c.getMessage()) + " " + c, secrets);
    }
  }

  static String readFile(Path p) throws IOException {
    return Files.readString(p, StandardCharsets.UTF_8);
  }

  /** A clock tests move by hand. */
  static final class MutableClock extends Clock {
    private final AtomicReference<Instant> now;

    MutableClock(Instant start) {
      this.now = new AtomicReference<>(start);
    }

    void advance(Duration d) {
      now.updateAndGet(i -> i.plus(d));
    }

    @Override
    public ZoneId getZone() {
      return ZoneId.of("UTC");
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

  static List<String> names(List<LocalSecretInfo> infos) {
    return infos.stream().map(LocalSecretInfo::name).toList();
  }
}
