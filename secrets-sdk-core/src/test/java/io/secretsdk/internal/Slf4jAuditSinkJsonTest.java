package io.secretsdk.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.secretsdk.SecretRef;
import io.secretsdk.event.AuditEvent;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The audit line, now written with jackson-core's streaming generator, is byte for byte what the
 * databind {@code ObjectMapper} of an ordered map wrote before, for every field combination and
 * for text that needs escaping.
 */
final class Slf4jAuditSinkJsonTest {
  private static final ObjectMapper DATABIND = new ObjectMapper();
  private static final String[] AWKWARD = {"", "plain", "quote\" back\\slash /slash",
      "tab\t nl\n cr\r nul\u0000 bell\u0007 del\u007f", "é ü 漢字 \ud83d\udd11",
      "line\u2028sep\u2029", "<script>&amp;</script>", "lone \ud800 surrogate"};

  @Test
  void everyCombinationOfFields_matchesTheDatabindForm() throws Exception {
    Random random = new Random(16);
    for (int i = 0; i < 2000; i++) {
      AuditEvent e = randomEvent(random);
      assertThat(Slf4jAuditSink.toJson(e)).isEqualTo(databindForm(e));
    }
  }

  @Test
  void aPlainResolve_isTheDocumentedLine() {
    AuditEvent e = AuditEvent.builder(AuditEvent.Type.RESOLVE, SecretRef.parse("mem://a/b"))
        .version("3").time(Instant.parse("2026-01-02T03:04:05Z")).where("host-1", 42)
        .cacheHit(false).build();

    assertThat(Slf4jAuditSink.toJson(e)).isEqualTo("{\"event\":\"resolve\",\"outcome\":\"success\","
        + "\"ref\":\"mem://a/b\",\"version\":\"3\",\"time\":\"2026-01-02T03:04:05Z\","
        + "\"host\":\"host-1\",\"pid\":42,\"cache_hit\":false}");
  }

  private static AuditEvent randomEvent(Random random) {
    AuditEvent.Type[] types = AuditEvent.Type.values();
    AuditEvent.Outcome[] outcomes = AuditEvent.Outcome.values();
    AuditEvent.Builder b = AuditEvent.builder(types[random.nextInt(types.length)],
            SecretRef.parse("mem://team/key" + random.nextInt(100)))
        .outcome(outcomes[random.nextInt(outcomes.length)])
        .time(Instant.ofEpochSecond(random.nextInt(2_000_000_000), random.nextInt(1_000_000_000)))
        .where(text(random), random.nextBoolean() ? random.nextLong() : random.nextInt(100_000));
    if (random.nextBoolean()) {
      b.version(text(random));
    }
    if (random.nextBoolean()) {
      b.principal(text(random));
    }
    if (random.nextBoolean()) {
      b.justification(text(random));
    }
    if (random.nextBoolean()) {
      b.correlationId(text(random));
    }
    if (random.nextBoolean()) {
      b.cacheHit(random.nextBoolean());
    }
    if (random.nextBoolean()) {
      b.errorType(text(random));
    }
    if (random.nextBoolean()) {
      b.fingerprint(text(random));
    }
    if (random.nextBoolean()) {
      b.graceEndsAt(Instant.ofEpochMilli(random.nextLong() >>> 24));
    }
    return b.build();
  }

  private static String text(Random random) {
    return AWKWARD[random.nextInt(AWKWARD.length)] + random.nextInt(10);
  }

  /** The form the sink wrote with databind before (kept here as the reference). */
  private static String databindForm(AuditEvent e) throws Exception {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("event", e.type().name().toLowerCase(Locale.ROOT));
    m.put("outcome", e.outcome().name().toLowerCase(Locale.ROOT));
    m.put("ref", e.ref().toString());
    e.version().ifPresent(v -> m.put("version", v));
    m.put("time", e.time().toString());
    e.principal().ifPresent(v -> m.put("principal", v));
    m.put("host", e.host());
    m.put("pid", e.pid());
    e.justification().ifPresent(v -> m.put("justification", v));
    e.correlationId().ifPresent(v -> m.put("correlation_id", v));
    e.cacheHit().ifPresent(v -> m.put("cache_hit", v));
    e.errorType().ifPresent(v -> m.put("error_type", v));
    e.fingerprint().ifPresent(v -> m.put("fingerprint", v));
    e.graceEndsAt().ifPresent(v -> m.put("grace_ends_at", v.toString()));
    return DATABIND.writeValueAsString(m);
  }
}
